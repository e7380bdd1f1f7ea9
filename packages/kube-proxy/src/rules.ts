// Pure iptables rule generation for one node, after Kubernetes' iptables proxier:
//   nat    SERVICES -> SVC (all ready endpoints) -> SEP (one endpoint: DNAT)
//          NODEPORTS / load-balancer IPs -> EXT -> SVC (Cluster) or SVL (Local: this node's endpoints)
//          MARK-MASQ sets 0x4000; POSTROUTING masquerades marked packets
//   filter FILTER: REJECT for services without ready endpoints, DROP for Local services
//          without local endpoints (REJECT is only valid in the filter table)
// The built-in chains get only the jump rules listed in `jumps`; the applier inserts them.
import type { Endpoints, Service } from '@kubesim/api';
import { servicePorts, type EndpointInfo, type ServicePortInfo } from './endpoints.js';
import { isIPv4, normalizeCIDR } from './net.js';
import { nodeChains, nodeComment, serviceChain, type NodeChains } from './names.js';

export type ProxyMode = 'shared-host' | 'own-netns';
export type Table = 'filter' | 'nat';
export type BuiltinChain = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export const MASQ_MARK = '0x4000';

export interface ProxyRulesInput {
  mode: ProxyMode;
  nodeName: string;
  /** The node's address (InternalIP). shared-host: NodePorts match this destination. */
  nodeAddress: string;
  /** The node's pod CIDR. shared-host: ClusterIP rules match this source. */
  podCIDR: string;
  clusterCIDR: string;
  services: Service[];
  endpoints: Endpoints[];
}

/** A rule in a built-in chain that jumps to one of the node's chains. */
export interface JumpRule {
  table: Table;
  chain: BuiltinChain;
  /** The rule without "-A CHAIN", in the order iptables-save prints it. */
  args: string[];
}

export interface TableRules {
  /** Every chain of this node in the table, sorted. */
  chains: string[];
  /** "-A ..." lines. */
  rules: string[];
}

export interface ProxyRules {
  /** iptables-restore --noflush input (*filter and *nat) with all of this node's chains. */
  text: string;
  tables: Record<Table, TableRules>;
  jumps: JumpRule[];
  /** The service ports programmed, with their ready endpoints. */
  ports: ServicePortInfo[];
  /** Service ports programmed, and how many have no ready endpoints. */
  stats: { servicePorts: number; withoutEndpoints: number; endpoints: number };
}

/** Quotes an argument the way iptables-save does (comments with spaces). */
export function quoteArg(a: string): string {
  return /^[A-Za-z0-9_.:/=!+,@-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`;
}

export function ruleLine(op: '-A' | '-I' | '-D', chain: string, args: string[]): string {
  return [op, chain, ...args.map(quoteArg)].join(' ');
}

/** Renders tables (plus extra lines per table, appended after the rules) as restore input. */
export function renderRestore(tables: Record<Table, TableRules>, extra: Partial<Record<Table, { chains?: string[]; lines?: string[] }>> = {}): string {
  const out: string[] = [];
  for (const t of ['filter', 'nat'] as const) {
    out.push(`*${t}`);
    const chains = [...tables[t].chains, ...(extra[t]?.chains ?? [])];
    for (const c of chains) out.push(`:${c} - [0:0]`);
    out.push(...tables[t].rules, ...(extra[t]?.lines ?? []), 'COMMIT');
  }
  return out.join('\n') + '\n';
}

const comment = (text: string) => ['-m', 'comment', '--comment', text];

class Builder {
  readonly chains: Record<Table, Set<string>> = { filter: new Set(), nat: new Set() };
  readonly rules: Record<Table, string[]> = { filter: [], nat: [] };
  // Chain bodies are collected apart so every chain's rules are contiguous in the output.
  private readonly bodies = new Map<string, string[]>();

  chain(table: Table, name: string): void {
    this.chains[table].add(name);
    if (!this.bodies.has(`${table} ${name}`)) this.bodies.set(`${table} ${name}`, []);
  }

  add(table: Table, chain: string, args: string[]): void {
    this.chain(table, chain);
    this.bodies.get(`${table} ${chain}`)!.push(ruleLine('-A', chain, args));
  }

  finish(order: Record<Table, string[]>): Record<Table, TableRules> {
    const result = {} as Record<Table, TableRules>;
    for (const t of ['filter', 'nat'] as const) {
      const sorted = [...this.chains[t]].sort();
      // Top-level chains first (fixed order), then the per-service chains sorted by name.
      const lines: string[] = [];
      const emitted = new Set<string>();
      for (const c of [...order[t], ...sorted]) {
        if (emitted.has(c) || !this.chains[t].has(c)) continue;
        emitted.add(c);
        lines.push(...(this.bodies.get(`${t} ${c}`) ?? []));
      }
      result[t] = { chains: sorted, rules: lines };
    }
    return result;
  }
}

function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export function generateProxyRules(input: ProxyRulesInput): ProxyRules {
  const { mode, nodeName } = input;
  if (!isIPv4(input.nodeAddress)) throw new Error(`invalid node address ${JSON.stringify(input.nodeAddress)}`);
  const podCIDR = normalizeCIDR(input.podCIDR);
  const clusterCIDR = normalizeCIDR(input.clusterCIDR);
  const nodeAddr = `${input.nodeAddress}/32`;
  const top = nodeChains(nodeName);
  const b = new Builder();
  for (const c of [top.services, top.nodePorts, top.markMasq, top.postrouting]) b.chain('nat', c);
  b.chain('filter', top.filter);

  b.add('nat', top.markMasq, ['-j', 'MARK', '--or-mark', MASQ_MARK]);
  b.add('nat', top.postrouting, ['-m', 'mark', '!', '--mark', `${MASQ_MARK}/${MASQ_MARK}`, '-j', 'RETURN']);
  // Clear the mark so a re-routed packet is not masqueraded twice.
  b.add('nat', top.postrouting, ['-j', 'MARK', '--xor-mark', MASQ_MARK]);
  b.add('nat', top.postrouting, [...comment('kubesim service traffic requiring SNAT'), '-j', 'MASQUERADE', '--random-fully']);

  // Destination match for this node's NodePorts in the filter table.
  const nodeDst = mode === 'shared-host' ? ['-d', nodeAddr] : ['-m', 'addrtype', '--dst-type', 'LOCAL'];

  const ports = servicePorts(input.services, input.endpoints, nodeName);
  let withoutEndpoints = 0;
  let endpointCount = 0;
  for (const sp of ports) {
    const hashKey = `${sp.display}/${sp.protocol}`;
    const svcChain = serviceChain(nodeName, 'SVC', hashKey);
    const proto = ['-p', sp.protocol, '-m', sp.protocol];
    const hasEndpoints = sp.endpoints.length > 0;
    endpointCount += sp.endpoints.length;
    const reject = sp.protocol === 'tcp' ? ['-j', 'REJECT', '--reject-with', 'tcp-reset'] : ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];
    const clusterMatch = ['-d', `${sp.clusterIP}/32`, ...proto, '--dport', String(sp.port)];

    if (hasEndpoints) {
      b.add('nat', top.services, [...clusterMatch, ...comment(`${sp.display} cluster IP`), '-j', svcChain]);
      // Off-cluster sources (the host) to a cluster IP are masqueraded so replies come back through us.
      b.add('nat', svcChain, ['!', '-s', clusterCIDR, ...clusterMatch, ...comment(`${sp.display} cluster IP`), '-j', top.markMasq]);
      writeBalancing(b, nodeName, top, svcChain, sp, sp.endpoints, hashKey);
    } else {
      withoutEndpoints++;
      b.add('filter', top.filter, [...clusterMatch, ...comment(`${sp.display} has no endpoints`), ...reject]);
    }

    if (sp.nodePort === 0 && sp.loadBalancerIPs.length === 0) continue;
    const local = sp.endpoints.filter((e) => e.local);
    const extChain = serviceChain(nodeName, 'EXT', hashKey);
    if (hasEndpoints) {
      if (!sp.externalPolicyLocal) {
        b.add('nat', extChain, [...comment(`masquerade traffic for ${sp.display} external destinations`), '-j', top.markMasq]);
        b.add('nat', extChain, ['-j', svcChain]);
      } else {
        // Pods reaching a NodePort/LB IP are not "external": they use every endpoint (as Kubernetes).
        // In shared-host mode the host itself plays the external client, so host-sourced packets
        // (whose source can be a node address inside the cluster CIDR) stay on the local path.
        const podSrc = mode === 'shared-host' ? ['-s', clusterCIDR, '-m', 'addrtype', '!', '--src-type', 'LOCAL'] : ['-s', clusterCIDR];
        b.add('nat', extChain, [...podSrc, ...comment(`pod traffic for ${sp.display} external destinations`), '-j', svcChain]);
        if (mode === 'own-netns') {
          b.add('nat', extChain, ['-m', 'addrtype', '--src-type', 'LOCAL', ...comment(`masquerade LOCAL traffic for ${sp.display} external destinations`), '-j', top.markMasq]);
          b.add('nat', extChain, ['-m', 'addrtype', '--src-type', 'LOCAL', ...comment(`route LOCAL traffic for ${sp.display} external destinations`), '-j', svcChain]);
        }
        if (local.length > 0) {
          const svlChain = serviceChain(nodeName, 'SVL', hashKey);
          b.add('nat', extChain, ['-j', svlChain]);
          writeBalancing(b, nodeName, top, svlChain, sp, local, hashKey);
        }
      }
    }
    // What external traffic meets when nothing can serve it (the nat rules let it through untranslated).
    const noService = !hasEndpoints
      ? [...comment(`${sp.display} has no endpoints`), ...reject]
      : sp.externalPolicyLocal && local.length === 0
        ? [...comment(`${sp.display} has no local endpoints`), '-j', 'DROP']
        : undefined;

    if (sp.nodePort > 0) {
      if (hasEndpoints) b.add('nat', top.nodePorts, [...proto, '--dport', String(sp.nodePort), ...comment(sp.display), '-j', extChain]);
      if (noService) b.add('filter', top.filter, [...nodeDst, ...proto, '--dport', String(sp.nodePort), ...noService]);
    }
    for (const ip of sp.loadBalancerIPs) {
      const lbMatch = ['-d', `${ip}/32`, ...proto, '--dport', String(sp.port)];
      // shared-host: the host reaches load-balancer IPs through the emulated cloud load
      // balancer, so only this node's pods are short-circuited to the service.
      const src = mode === 'shared-host' ? ['-s', podCIDR] : [];
      if (hasEndpoints) b.add('nat', top.services, [...src, ...lbMatch, ...comment(`${sp.display} loadbalancer IP`), '-j', extChain]);
      if (noService && mode === 'own-netns') b.add('filter', top.filter, [...lbMatch, ...noService]);
    }
  }

  const tables = b.finish({ filter: [top.filter], nat: [top.services, top.nodePorts, top.markMasq, top.postrouting] });
  return {
    text: renderRestore(tables),
    tables,
    jumps: jumpRules(mode, nodeName, podCIDR, nodeAddr, top),
    ports,
    stats: { servicePorts: ports.length, withoutEndpoints, endpoints: endpointCount },
  };
}

/** SVC/SVL body: affinity checks, then a random pick over the endpoints; plus their SEP chains. */
function writeBalancing(b: Builder, nodeName: string, top: NodeChains, chain: string, sp: ServicePortInfo, eps: EndpointInfo[], hashKey: string): void {
  const seps = eps.map((e) => ({ e, chain: serviceChain(nodeName, 'SEP', `${hashKey}/${e.ip}:${e.port}`) }));
  if (sp.affinitySeconds > 0) {
    for (const { e, chain: sep } of seps) {
      b.add('nat', chain, [
        ...comment(`${sp.display} -> ${e.ip}:${e.port}`),
        '-m', 'recent', '--name', sep, '--rcheck', '--seconds', String(sp.affinitySeconds), '--reap',
        '-j', sep,
      ]);
    }
  }
  seps.forEach(({ e, chain: sep }, i) => {
    const left = seps.length - i;
    const pick = left > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(left)] : [];
    b.add('nat', chain, [...comment(`${sp.display} -> ${e.ip}:${e.port}`), ...pick, '-j', sep]);
  });
  for (const { e, chain: sep } of seps) {
    // Written once even when both SVC and SVL use the endpoint.
    if (b.chains.nat.has(sep)) continue;
    // Hairpin: an endpoint reaching itself through the service must see the reply come from the service.
    b.add('nat', sep, ['-s', `${e.ip}/32`, ...comment(sp.display), '-j', top.markMasq]);
    const recent = sp.affinitySeconds > 0 ? ['-m', 'recent', '--name', sep, '--set'] : [];
    b.add('nat', sep, ['-p', sp.protocol, ...comment(sp.display), ...recent, '-m', sp.protocol, '-j', 'DNAT', '--to-destination', `${e.ip}:${e.port}`]);
  }
}

/** The jump rules this node needs in the built-in chains, written as iptables-save prints them. */
function jumpRules(mode: ProxyMode, nodeName: string, podCIDR: string, nodeAddr: string, top: NodeChains): JumpRule[] {
  const c = comment(nodeComment(nodeName));
  const j = (table: Table, chain: BuiltinChain, match: string[], target: string): JumpRule => ({ table, chain, args: [...match, ...c, '-j', target] });
  const newConn = ['-m', 'conntrack', '--ctstate', 'NEW'];
  if (mode === 'shared-host') {
    return [
      j('nat', 'PREROUTING', ['-s', podCIDR], top.services),
      j('nat', 'PREROUTING', ['-d', nodeAddr], top.nodePorts),
      j('nat', 'OUTPUT', [], top.services),
      j('nat', 'OUTPUT', ['-d', nodeAddr], top.nodePorts),
      j('nat', 'POSTROUTING', [], top.postrouting),
      j('filter', 'INPUT', ['-d', nodeAddr, ...newConn], top.filter),
      j('filter', 'FORWARD', ['-s', podCIDR, ...newConn], top.filter),
      j('filter', 'OUTPUT', newConn, top.filter),
    ];
  }
  const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
  return [
    j('nat', 'PREROUTING', [], top.services),
    j('nat', 'PREROUTING', local, top.nodePorts),
    j('nat', 'OUTPUT', [], top.services),
    j('nat', 'OUTPUT', local, top.nodePorts),
    j('nat', 'POSTROUTING', [], top.postrouting),
    j('filter', 'INPUT', newConn, top.filter),
    j('filter', 'FORWARD', newConn, top.filter),
    j('filter', 'OUTPUT', newConn, top.filter),
  ];
}
