import { describe, expect, it } from 'vitest';
import type { Endpoints, EndpointSubset, Service, ServiceSpec } from '@kubesim/api';
import { generateProxyRules, type ProxyRulesInput } from './rules.js';
import { healthCheckServices } from './endpoints.js';
import { hash32, MAX_CHAIN_NAME, nodeChainPrefix, nodeChains, serviceChain } from './names.js';

const NODE = 'node-a';
const P = nodeChainPrefix(NODE);
const top = nodeChains(NODE);

function svc(name: string, spec: ServiceSpec, status: Service['status'] = {}, ns = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { type: 'ClusterIP', ...spec }, status };
}

function eps(name: string, subsets: EndpointSubset[], ns = 'default'): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name }, subsets };
}

function gen(services: Service[], endpoints: Endpoints[], over: Partial<ProxyRulesInput> = {}) {
  return generateProxyRules({
    mode: 'shared-host',
    nodeName: NODE,
    nodeAddress: '10.244.1.1',
    podCIDR: '10.244.1.0/24',
    clusterCIDR: '10.244.0.0/16',
    services,
    endpoints,
    ...over,
  });
}

const web = svc('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] });
const webEps = eps('web', [
  {
    addresses: [
      { ip: '10.244.2.5', nodeName: 'node-b' },
      { ip: '10.244.1.3', nodeName: NODE },
    ],
    notReadyAddresses: [{ ip: '10.244.1.9', nodeName: NODE }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  },
]);

const svcChainOf = (display: string, proto = 'tcp') => serviceChain(NODE, 'SVC', `${display}/${proto}`);
const sepOf = (display: string, ep: string, proto = 'tcp') => serviceChain(NODE, 'SEP', `${display}/${proto}/${ep}`);
const extOf = (display: string, proto = 'tcp') => serviceChain(NODE, 'EXT', `${display}/${proto}`);
const svlOf = (display: string, proto = 'tcp') => serviceChain(NODE, 'SVL', `${display}/${proto}`);

/** The "-A CHAIN ..." lines of one chain, without the "-A CHAIN " prefix. */
function body(text: string, chain: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`-A ${chain} `))
    .map((l) => l.slice(`-A ${chain} `.length));
}

describe('names', () => {
  it('hashes to base32 and keeps every chain name within 28 characters', () => {
    expect(hash32('x', 16)).toMatch(/^[A-Z2-7]{16}$/);
    expect(hash32('x', 9)).toBe(hash32('x', 16).slice(0, 9));
    for (const n of Object.values(nodeChains('a-very-long-node-name-that-goes-on-and-on'))) expect(n.length).toBeLessThanOrEqual(MAX_CHAIN_NAME);
    expect(serviceChain('n', 'SEP', 'ns/svc:port/tcp/10.0.0.1:80')).toHaveLength(MAX_CHAIN_NAME);
    expect(nodeChainPrefix('a')).not.toBe(nodeChainPrefix('b'));
    expect(nodeChainPrefix('a')).toMatch(/^KUBESIM-[A-Z2-7]{6}-$/);
  });
});

describe('ClusterIP', () => {
  it('DNATs the cluster IP to every ready endpoint with an even random split', () => {
    const r = gen([web], [webEps]);
    const svcChain = svcChainOf('default/web:http');
    expect(body(r.text, top.services)).toEqual([
      `-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j ${svcChain}`,
    ]);
    const sep1 = sepOf('default/web:http', '10.244.1.3:8080');
    const sep2 = sepOf('default/web:http', '10.244.2.5:8080');
    expect(body(r.text, svcChain)).toEqual([
      `! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j ${top.markMasq}`,
      `-m comment --comment "default/web:http -> 10.244.1.3:8080" -m statistic --mode random --probability 0.5000000000 -j ${sep1}`,
      `-m comment --comment "default/web:http -> 10.244.2.5:8080" -j ${sep2}`,
    ]);
    expect(body(r.text, sep1)).toEqual([
      `-s 10.244.1.3/32 -m comment --comment default/web:http -j ${top.markMasq}`,
      `-p tcp -m comment --comment default/web:http -m tcp -j DNAT --to-destination 10.244.1.3:8080`,
    ]);
    expect(body(r.text, top.filter)).toEqual([]);
    expect(r.stats).toEqual({ servicePorts: 1, withoutEndpoints: 0, endpoints: 2 });
  });

  it('never uses not-ready addresses', () => {
    const r = gen([web], [webEps]);
    expect(r.text).not.toContain('10.244.1.9');
  });

  it('splits three endpoints 1/3, 1/2, rest', () => {
    const e = eps('web', [{ addresses: ['10.244.1.2', '10.244.1.3', '10.244.1.4'].map((ip) => ({ ip })), ports: [{ name: 'http', port: 80 }] }]);
    const lines = body(gen([web], [e]).text, svcChainOf('default/web:http'));
    expect(lines.filter((l) => l.includes('--probability')).map((l) => l.match(/--probability (\S+)/)![1])).toEqual(['0.3333333333', '0.5000000000']);
    expect(lines[3]).not.toContain('statistic');
  });

  it('handles several ports, UDP, and named target ports resolved by port name', () => {
    const dns = svc('dns', {
      clusterIP: '10.96.0.53',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    });
    const e = eps('dns', [
      {
        addresses: [{ ip: '10.244.1.7' }],
        ports: [
          { name: 'dns', port: 5353, protocol: 'UDP' },
          { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
          { name: 'metrics', port: 9153, protocol: 'TCP' },
        ],
      },
    ]);
    const r = gen([dns], [e]);
    expect(body(r.text, top.services)).toEqual([
      `-d 10.96.0.53/32 -p udp -m udp --dport 53 -m comment --comment "default/dns:dns cluster IP" -j ${svcChainOf('default/dns:dns', 'udp')}`,
      `-d 10.96.0.53/32 -p tcp -m tcp --dport 53 -m comment --comment "default/dns:dns-tcp cluster IP" -j ${svcChainOf('default/dns:dns-tcp')}`,
      `-d 10.96.0.53/32 -p tcp -m tcp --dport 9153 -m comment --comment "default/dns:metrics cluster IP" -j ${svcChainOf('default/dns:metrics')}`,
    ]);
    expect(body(r.text, sepOf('default/dns:dns', '10.244.1.7:5353', 'udp'))[1]).toBe(
      '-p udp -m comment --comment default/dns:dns -m udp -j DNAT --to-destination 10.244.1.7:5353',
    );
    expect(r.text).toContain('--to-destination 10.244.1.7:5354');
  });

  it('matches an unnamed single port by the empty name, and a port of another protocol not at all', () => {
    const s = svc('one', { clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
    const e = eps('one', [{ addresses: [{ ip: '10.244.1.2' }], ports: [{ port: 8080, protocol: 'UDP' }] }, { addresses: [{ ip: '10.244.1.3' }], ports: [{ port: 8081 }] }]);
    const r = gen([s], [e]);
    expect(r.text).toContain('"default/one cluster IP"');
    expect(r.text).toContain('10.244.1.3:8081');
    expect(r.text).not.toContain('10.244.1.2');
  });

  it('rejects (tcp-reset / icmp-port-unreachable) a service without ready endpoints, in the filter table', () => {
    const s = svc('empty', {
      clusterIP: '10.96.0.12',
      ports: [
        { name: 'a', port: 80, protocol: 'TCP' },
        { name: 'b', port: 81, protocol: 'UDP' },
      ],
    });
    const e = eps('empty', [{ notReadyAddresses: [{ ip: '10.244.1.2' }], ports: [{ name: 'a', port: 80 }] }]);
    const r = gen([s], [e]);
    expect(body(r.text, top.filter)).toEqual([
      '-d 10.96.0.12/32 -p tcp -m tcp --dport 80 -m comment --comment "default/empty:a has no endpoints" -j REJECT --reject-with tcp-reset',
      '-d 10.96.0.12/32 -p udp -m udp --dport 81 -m comment --comment "default/empty:b has no endpoints" -j REJECT --reject-with icmp-port-unreachable',
    ]);
    expect(body(r.text, top.services)).toEqual([]);
    expect(r.stats.withoutEndpoints).toBe(2);
    // No Endpoints object at all is the same.
    expect(body(gen([s], []).text, top.filter)).toHaveLength(2);
  });

  it('ignores headless and ExternalName services', () => {
    const headless = svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] });
    const ext = svc('ext', { type: 'ExternalName', externalName: 'my.database.com' });
    const r = gen([headless, ext], [eps('headless', [{ addresses: [{ ip: '10.244.1.2' }], ports: [{ port: 80 }] }])]);
    expect(r.text).not.toContain('headless');
    expect(r.text).not.toContain('ext');
    expect(r.stats.servicePorts).toBe(0);
  });

  it('skips malformed addresses and ports instead of writing a line that breaks the restore', () => {
    const s = svc('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }, { name: 'bad', port: 70000 }] });
    const e = eps('web', [{ addresses: [{ ip: '10.244.1.2' }, { ip: 'fe80::1' }, { ip: '1.2.3.4"; -j ACCEPT' }], ports: [{ name: 'http', port: 80 }] }]);
    const r = gen([s], [e]);
    expect(r.stats).toEqual({ servicePorts: 1, withoutEndpoints: 0, endpoints: 1 });
    expect(r.text).not.toContain('ACCEPT');
    expect(() => gen([], [], { nodeAddress: 'nope' })).toThrow(/node address/);
    expect(() => gen([], [], { podCIDR: '10.244.1.0' })).toThrow(/CIDR/);
  });
});

describe('session affinity', () => {
  const sticky = (timeoutSeconds?: number) =>
    svc('web', {
      clusterIP: '10.96.0.10',
      ports: [{ name: 'http', port: 80 }],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: timeoutSeconds === undefined ? undefined : { clientIP: { timeoutSeconds } },
    });

  it('checks each endpoint\'s recent list first and records the client on DNAT', () => {
    const r = gen([sticky(600)], [webEps]);
    const sep1 = sepOf('default/web:http', '10.244.1.3:8080');
    const sep2 = sepOf('default/web:http', '10.244.2.5:8080');
    const lines = body(r.text, svcChainOf('default/web:http'));
    expect(lines[1]).toBe(`-m comment --comment "default/web:http -> 10.244.1.3:8080" -m recent --name ${sep1} --rcheck --seconds 600 --reap -j ${sep1}`);
    expect(lines[2]).toBe(`-m comment --comment "default/web:http -> 10.244.2.5:8080" -m recent --name ${sep2} --rcheck --seconds 600 --reap -j ${sep2}`);
    expect(lines[3]).toContain('--probability 0.5000000000');
    expect(body(r.text, sep1)[1]).toBe(`-p tcp -m comment --comment default/web:http -m recent --name ${sep1} --set -m tcp -j DNAT --to-destination 10.244.1.3:8080`);
  });

  it('defaults the timeout to 10800 s', () => {
    expect(gen([sticky()], [webEps]).text).toContain('--seconds 10800 --reap');
  });

  it('is absent without ClientIP affinity', () => {
    expect(gen([web], [webEps]).text).not.toContain('recent');
  });
});

describe('NodePort', () => {
  const np = (policy?: string) =>
    svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', externalTrafficPolicy: policy, ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
  const display = 'default/web:http';

  it('Cluster policy: any endpoint, masqueraded', () => {
    const r = gen([np('Cluster')], [webEps]);
    const ext = extOf(display);
    expect(body(r.text, top.nodePorts)).toEqual([`-p tcp -m tcp --dport 30080 -m comment --comment ${display} -j ${ext}`]);
    expect(body(r.text, ext)).toEqual([
      `-m comment --comment "masquerade traffic for ${display} external destinations" -j ${top.markMasq}`,
      `-j ${svcChainOf(display)}`,
    ]);
    expect(r.text).not.toContain('-SVL-');
  });

  it('Local policy: only this node\'s endpoints, client address kept; pods use every endpoint', () => {
    const r = gen([np('Local')], [webEps]);
    const ext = extOf(display);
    const svl = svlOf(display);
    expect(body(r.text, ext)).toEqual([
      `-s 10.244.0.0/16 -m addrtype ! --src-type LOCAL -m comment --comment "pod traffic for ${display} external destinations" -j ${svcChainOf(display)}`,
      `-j ${svl}`,
    ]);
    expect(body(r.text, svl)).toEqual([`-m comment --comment "${display} -> 10.244.1.3:8080" -j ${sepOf(display, '10.244.1.3:8080')}`]);
    expect(r.text).not.toContain('has no local endpoints');
  });

  it('Local policy in own-netns mode routes the node\'s own traffic like Cluster, as Kubernetes', () => {
    const ext = extOf(display);
    const lines = body(gen([np('Local')], [webEps], { mode: 'own-netns' }).text, ext);
    expect(lines).toEqual([
      `-s 10.244.0.0/16 -m comment --comment "pod traffic for ${display} external destinations" -j ${svcChainOf(display)}`,
      `-m addrtype --src-type LOCAL -m comment --comment "masquerade LOCAL traffic for ${display} external destinations" -j ${top.markMasq}`,
      `-m addrtype --src-type LOCAL -m comment --comment "route LOCAL traffic for ${display} external destinations" -j ${svcChainOf(display)}`,
      `-j ${svlOf(display)}`,
    ]);
  });

  it('Local policy without local endpoints drops external traffic on this node only', () => {
    const r = gen([np('Local')], [webEps], { nodeName: 'node-c' });
    const c = nodeChains('node-c');
    expect(body(r.text, c.filter)).toEqual([
      `-d 10.244.1.1/32 -p tcp -m tcp --dport 30080 -m comment --comment "${display} has no local endpoints" -j DROP`,
    ]);
    expect(r.text).not.toContain('-SVL-');
    // Pods are still short-circuited to the cluster-wide chain.
    expect(body(r.text, c.nodePorts)).toHaveLength(1);
    const own = gen([np('Local')], [webEps], { nodeName: 'node-c', mode: 'own-netns' });
    expect(body(own.text, c.filter)[0]).toMatch(/^-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 .* -j DROP$/);
  });

  it('rejects the NodePort when there are no endpoints', () => {
    const r = gen([np()], []);
    expect(body(r.text, top.nodePorts)).toEqual([]);
    expect(body(r.text, top.filter)).toEqual([
      `-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "${display} has no endpoints" -j REJECT --reject-with tcp-reset`,
      `-d 10.244.1.1/32 -p tcp -m tcp --dport 30080 -m comment --comment "${display} has no endpoints" -j REJECT --reject-with tcp-reset`,
    ]);
  });

  it('ignores nodePort on a ClusterIP service', () => {
    const s = svc('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    expect(gen([s], [webEps]).text).not.toContain('30080');
  });
});

describe('LoadBalancer', () => {
  const lb = (policy?: string) =>
    svc(
      'web',
      { type: 'LoadBalancer', clusterIP: '10.96.0.10', externalTrafficPolicy: policy, healthCheckNodePort: policy === 'Local' ? 32000 : undefined, ports: [{ name: 'http', port: 80, nodePort: 30080 }] },
      { loadBalancer: { ingress: [{ ip: '10.244.255.7' }, { hostname: 'lb.example' }] } },
    );
  const np = () => svc('np', { type: 'NodePort', clusterIP: '10.96.0.20', externalTrafficPolicy: 'Local', healthCheckNodePort: 32001, ports: [{ port: 80, nodePort: 30081 }] });
  const display = 'default/web:http';

  it('has the NodePort and sends this node\'s pods to the load-balancer IP straight to the service', () => {
    const r = gen([lb()], [webEps]);
    expect(body(r.text, top.nodePorts)).toHaveLength(1);
    expect(body(r.text, top.services)[1]).toBe(
      `-s 10.244.1.0/24 -d 10.244.255.7/32 -p tcp -m tcp --dport 80 -m comment --comment "${display} loadbalancer IP" -j ${extOf(display)}`,
    );
  });

  it('own-netns: any source, and REJECT on the load-balancer IP without endpoints', () => {
    expect(body(gen([lb()], [webEps], { mode: 'own-netns' }).text, top.services)[1]).toMatch(/^-d 10.244.255.7\/32 /);
    const none = body(gen([lb()], [], { mode: 'own-netns' }).text, top.filter);
    expect(none).toHaveLength(3);
    expect(none[2]).toBe(`-d 10.244.255.7/32 -p tcp -m tcp --dport 80 -m comment --comment "${display} has no endpoints" -j REJECT --reject-with tcp-reset`);
  });

  it('serves health checks for Local services with the local endpoint count', () => {
    expect(healthCheckServices([lb('Local')], [webEps], NODE)).toEqual([{ namespace: 'default', name: 'web', port: 32000, localEndpoints: 1 }]);
    expect(healthCheckServices([lb('Local')], [webEps], 'node-c')).toEqual([{ namespace: 'default', name: 'web', port: 32000, localEndpoints: 0 }]);
    expect(healthCheckServices([lb('Cluster'), np()], [webEps], NODE)).toEqual([]);
  });

});

describe('masquerade and jumps', () => {
  it('marks with 0x4000 and masquerades marked packets', () => {
    const r = gen([], []);
    expect(body(r.text, top.markMasq)).toEqual(['-j MARK --or-mark 0x4000']);
    expect(body(r.text, top.postrouting)).toEqual([
      '-m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-j MARK --xor-mark 0x4000',
      '-m comment --comment "kubesim service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ]);
  });

  it('scopes shared-host jumps to the node\'s pod CIDR and address, with the node comment', () => {
    const r = gen([], [], { podCIDR: '10.244.1.77/24' });
    const lines = r.jumps.map((j) => `${j.table} ${j.chain} ${j.args.join(' ')}`);
    const c = '-m comment --comment kubesim node=node-a';
    expect(lines).toEqual([
      `nat PREROUTING -s 10.244.1.0/24 ${c} -j ${top.services}`,
      `nat PREROUTING -d 10.244.1.1/32 ${c} -j ${top.nodePorts}`,
      `nat OUTPUT ${c} -j ${top.services}`,
      `nat OUTPUT -d 10.244.1.1/32 ${c} -j ${top.nodePorts}`,
      `nat POSTROUTING ${c} -j ${top.postrouting}`,
      `filter INPUT -d 10.244.1.1/32 -m conntrack --ctstate NEW ${c} -j ${top.filter}`,
      `filter FORWARD -s 10.244.1.0/24 -m conntrack --ctstate NEW ${c} -j ${top.filter}`,
      `filter OUTPUT -m conntrack --ctstate NEW ${c} -j ${top.filter}`,
    ]);
  });

  it('own-netns jumps match NodePorts on any local address', () => {
    const r = gen([], [], { mode: 'own-netns' });
    expect(r.jumps.filter((j) => j.args.includes(top.nodePorts)).map((j) => j.args.slice(0, 4))).toEqual([
      ['-m', 'addrtype', '--dst-type', 'LOCAL'],
      ['-m', 'addrtype', '--dst-type', 'LOCAL'],
    ]);
  });
});

describe('output', () => {
  const many = [
    web,
    svc('api', { clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ name: 'a', port: 1, nodePort: 30001 }, { name: 'b', port: 2, protocol: 'UDP', nodePort: 30002 }] }, {}, 'kube-system'),
    svc('empty', { clusterIP: '10.96.0.30', ports: [{ port: 5 }] }),
  ];
  const manyEps = [webEps, eps('api', [{ addresses: [{ ip: '10.244.3.2' }, { ip: '10.244.1.2', nodeName: NODE }], ports: [{ name: 'a', port: 10 }, { name: 'b', port: 20, protocol: 'UDP' }] }], 'kube-system')];

  it('is identical for the same objects in any order', () => {
    const a = gen(many, manyEps).text;
    const shuffledEps = manyEps.map((e) => ({ ...e, subsets: e.subsets!.map((s) => ({ ...s, addresses: [...(s.addresses ?? [])].reverse() })) }));
    const b = gen([...many].reverse(), [...shuffledEps].reverse()).text;
    expect(b).toBe(a);
  });

  it('declares every chain it writes to, all named for this node and at most 28 characters', () => {
    const r = gen(many, manyEps);
    const declared = new Set(r.text.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]));
    const used = new Set(r.text.split('\n').filter((l) => l.startsWith('-A ')).map((l) => l.split(' ')[1]));
    for (const c of used) expect(declared.has(c)).toBe(true);
    for (const c of declared) {
      expect(c.startsWith(P)).toBe(true);
      expect(c.length).toBeLessThanOrEqual(MAX_CHAIN_NAME);
    }
    // Every jump target inside the node's chains is declared or a built-in target.
    for (const l of r.text.split('\n').filter((x) => x.startsWith('-A '))) {
      const target = l.match(/ -j (\S+)/)![1];
      if (target.startsWith('KUBESIM-')) expect(declared.has(target)).toBe(true);
      else expect(['DNAT', 'MARK', 'MASQUERADE', 'RETURN', 'REJECT', 'DROP']).toContain(target);
    }
    expect(r.text.startsWith('*filter\n')).toBe(true);
    expect(r.text.endsWith('COMMIT\n')).toBe(true);
    expect(r.tables.nat.chains).toEqual([...r.tables.nat.chains].sort());
  });

  it('gives two nodes disjoint chains', () => {
    const a = gen(many, manyEps);
    const b = gen(many, manyEps, { nodeName: 'node-b', nodeAddress: '10.244.2.1', podCIDR: '10.244.2.0/24' });
    const setA = new Set([...a.tables.nat.chains, ...a.tables.filter.chains]);
    for (const c of [...b.tables.nat.chains, ...b.tables.filter.chains]) expect(setA.has(c)).toBe(false);
  });
});
