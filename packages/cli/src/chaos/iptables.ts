// iptables rules of network faults. Every rule carries the comment
// "kubesim-chaos cluster=<c> node=<n> fault=<f>", so heal and `kubesim down` find and
// remove exactly this cluster's (and node's) rules by listing the chains, whatever
// faults.json says. Building and finding rules is pure; apply/remove run iptables.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SocketAddr, TcpSocket } from './sockets.js';

const exec = promisify(execFile);

export type Table = 'filter' | 'nat' | 'mangle';
export const TABLES: readonly Table[] = ['filter', 'nat', 'mangle'];

export interface Rule {
  table: Table;
  chain: string;
  /** Match and target arguments, comment included. */
  args: string[];
}

export interface RuleOwner {
  cluster: string;
  node: string;
  fault: string;
}

export const COMMENT_PREFIX = 'kubesim-chaos';

export function chaosComment(o: RuleOwner): string {
  return `${COMMENT_PREFIX} cluster=${o.cluster} node=${o.node} fault=${o.fault}`;
}

/** The owner named by a chaos comment, or undefined for any other comment. */
export function parseChaosComment(comment: string): RuleOwner | undefined {
  const [head, ...kv] = comment.split(' ');
  if (head !== COMMENT_PREFIX) return undefined;
  const m = new Map(kv.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
  const cluster = m.get('cluster');
  const node = m.get('node');
  const fault = m.get('fault');
  return cluster && node && fault ? { cluster, node, fault } : undefined;
}

/** "127.0.0.1:6443" or "http://127.0.0.1:2379" -> address and port. */
export function parseEndpoint(ep: string): SocketAddr {
  const s = ep.includes('://') ? new URL(ep).host : ep;
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`invalid endpoint "${ep}"`);
  return { addr: s.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

const tuple = (src: SocketAddr, dst: SocketAddr) => ['-p', 'tcp', '-s', src.addr, '--sport', String(src.port), '-d', dst.addr, '--dport', String(dst.port)];
const sameAddr = (a: SocketAddr, b: SocketAddr) => a.port === b.port && (a.addr === b.addr || b.addr === '0.0.0.0');

export interface AgentNet {
  /** The agent's chaos cgroup, relative to the cgroup2 root. */
  cgroup: string;
  /** The control plane it talks to (the apiservers). */
  controlPlane: SocketAddr[];
  /** Its sockets when the fault is injected (made before it joined the cgroup). */
  sockets: TcpSocket[];
}

/**
 * Matches for the agent's own new connections to the control plane (via its cgroup). The
 * filter table sees packets after NAT, so there the original destination is matched
 * (conntrack): a partition also cuts connections a delay redirected to its proxy.
 */
function newConnections(net: AgentNet, afterNat: boolean): string[][] {
  return net.controlPlane.map((e) =>
    afterNat
      ? ['-m', 'cgroup', '--path', net.cgroup, '-p', 'tcp', '-m', 'conntrack', '--ctorigdst', e.addr, '--ctorigdstport', String(e.port)]
      : ['-m', 'cgroup', '--path', net.cgroup, '-p', 'tcp', '-d', e.addr, '--dport', String(e.port)],
  );
}

/** The agent's connections to the control plane open before it joined its cgroup. */
function openConnections(net: AgentNet): TcpSocket[] {
  return net.sockets.filter((s) => s.state === 'established' && net.controlPlane.some((e) => sameAddr(s.remote, e)));
}

function withOwner(o: RuleOwner, table: Table, matches: string[][], target: string[]): Rule[] {
  return matches.map((m) => ({ table, chain: 'OUTPUT', args: [...m, '-m', 'comment', '--comment', chaosComment(o), ...target] }));
}

/**
 * A partition: the agent's packets to the control plane (new and open connections) and
 * the control plane's to it are dropped, and so is everything to and from its listening
 * ports (the apiserver's calls to its NodeService). Its containers and its traffic to
 * them (probes) are untouched: only the node's link to the control plane is cut.
 */
export function partitionRules(o: RuleOwner, net: AgentNet): Rule[] {
  const matches = [...newConnections(net, true)];
  for (const s of openConnections(net)) matches.push(tuple(s.local, s.remote), tuple(s.remote, s.local));
  for (const l of net.sockets.filter((s) => s.state === 'listen')) {
    const src = l.local.addr === '0.0.0.0' ? [] : ['-s', l.local.addr];
    const dst = l.local.addr === '0.0.0.0' ? [] : ['-d', l.local.addr];
    matches.push(['-p', 'tcp', ...src, '--sport', String(l.local.port)], ['-p', 'tcp', ...dst, '--dport', String(l.local.port)]);
  }
  return withOwner(o, 'filter', matches, ['-j', 'DROP']);
}

/** Packet loss: each packet the agent sends to the control plane is dropped with `probability`. */
export function lossRules(o: RuleOwner, net: AgentNet, probability: number): Rule[] {
  const matches = [...newConnections(net, true), ...openConnections(net).map((s) => tuple(s.local, s.remote))];
  return withOwner(o, 'filter', matches, ['-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(4), '-j', 'DROP']);
}

/** Delay: the agent's new connections to each control-plane endpoint go to a delaying proxy on 127.0.0.1:<port>. */
export function delayRules(o: RuleOwner, net: AgentNet, proxyPorts: number[]): Rule[] {
  return newConnections(net, false).flatMap((m, i) => withOwner(o, 'nat', [m], ['-j', 'REDIRECT', '--to-ports', String(proxyPorts[i])]));
}

/** Splits one line of `iptables -S` into its arguments (double quotes, backslash escapes). */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === '"') {
      quoted = !quoted;
      has = true;
    } else if (c === ' ' && !quoted) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** The chaos rules in one table's `iptables -S` listing that `want` selects. */
export function findChaosRules(table: Table, listing: string, want: (o: RuleOwner) => boolean): Rule[] {
  const out: Rule[] = [];
  for (const line of listing.split('\n')) {
    const a = splitRuleLine(line.trim());
    if (a[0] !== '-A' || a.length < 2) continue;
    const i = a.indexOf('--comment');
    const owner = i >= 0 ? parseChaosComment(a[i + 1] ?? '') : undefined;
    if (owner && want(owner)) out.push({ table, chain: a[1], args: a.slice(2) });
  }
  return out;
}

async function iptables(args: string[]): Promise<void> {
  try {
    await exec('iptables', ['-w', '5', ...args]);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('network faults need iptables, which is not installed here');
    throw new Error(`iptables ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}${process.getuid?.() === 0 ? '' : ' (network faults need root)'}`);
  }
}

/** Inserts the rules at the top of their chains (before kube-proxy's jumps). */
export async function insertRules(rules: Rule[]): Promise<void> {
  for (const r of rules) await iptables(['-t', r.table, '-I', r.chain, '1', ...r.args]);
}

/** Removes every chaos rule that `want` selects, in every table; returns how many. */
export async function removeChaosRules(want: (o: RuleOwner) => boolean): Promise<number> {
  let n = 0;
  for (const table of TABLES) {
    let listing: string;
    try {
      listing = (await exec('iptables', ['-w', '5', '-t', table, '-S'])).stdout;
    } catch {
      continue; // no iptables, no such table or not root: nothing of ours can be there
    }
    for (const r of findChaosRules(table, listing, want)) {
      await iptables(['-t', table, '-D', r.chain, ...r.args]);
      n++;
    }
  }
  return n;
}
