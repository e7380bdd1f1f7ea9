// kube-proxy's iptables rules in a real (throwaway) network namespace, proven with real
// TCP/UDP connections. Needs root (ip netns, iptables); the host's tables are never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { Endpoints, EndpointSubset, Service, ServiceSpec } from '@kubesim/api';
import type { KubeObject } from '@kubesim/api';
import { FakeListerWatcher, InformerFactory, waitFor, type ListerWatcher } from '@kubesim/client';
import {
  checkIptables,
  KubeProxy,
  generateProxyRules,
  IptablesApplier,
  netnsRunner,
  nodeChainPrefix,
  removeAllKubesimRules,
  removeNodeRules,
  type CommandRunner,
  type ProxyMode,
} from '@kubesim/kube-proxy';
import { CLUSTER_CIDR, createTestNet, EXTERNAL_CLIENT, NODE_ADDRESS, POD_CIDR, POD_CLIENT, probe, startEndpointServers, tally, type TestNet } from './netns.js';

const NODE = 'node-a';
const root = process.getuid?.() === 0;

function svc(name: string, spec: ServiceSpec): Service {
  return { metadata: { namespace: 'default', name }, spec: { type: 'ClusterIP', ...spec } };
}
function eps(name: string, subset: EndpointSubset): Endpoints {
  return { metadata: { namespace: 'default', name }, subsets: [subset] };
}
const http = [{ name: 'http', port: 8080, protocol: 'TCP' }];

const services: Service[] = [
  svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] }),
  svc('local', { type: 'NodePort', clusterIP: '10.96.0.11', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] }),
  svc('sticky', { clusterIP: '10.96.0.12', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80 }] }),
  svc('empty', { clusterIP: '10.96.0.13', ports: [{ name: 'http', port: 80 }] }),
  svc('dns', { clusterIP: '10.96.0.14', ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }] }),
  svc('elsewhere', { type: 'NodePort', clusterIP: '10.96.0.15', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30082 }] }),
];
const endpoints: Endpoints[] = [
  eps('web', {
    addresses: [
      { ip: '10.244.1.2', nodeName: NODE },
      { ip: '10.244.2.2', nodeName: 'node-b' },
    ],
    notReadyAddresses: [{ ip: '10.244.1.4', nodeName: NODE }],
    ports: http,
  }),
  eps('local', {
    addresses: [
      { ip: '10.244.1.3', nodeName: NODE },
      { ip: '10.244.2.2', nodeName: 'node-b' },
    ],
    ports: http,
  }),
  eps('sticky', { addresses: [{ ip: '10.244.1.2', nodeName: NODE }, { ip: '10.244.1.3', nodeName: NODE }], ports: http }),
  eps('empty', { notReadyAddresses: [{ ip: '10.244.1.4', nodeName: NODE }], ports: http }),
  eps('dns', { addresses: [{ ip: '10.244.1.2', nodeName: NODE }, { ip: '10.244.1.3', nodeName: NODE }], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }),
  eps('elsewhere', { addresses: [{ ip: '10.244.2.2', nodeName: 'node-b' }], ports: http }),
];

function rulesFor(mode: ProxyMode, svcs = services, nodeName = NODE) {
  return generateProxyRules({ mode, nodeName, nodeAddress: NODE_ADDRESS, podCIDR: POD_CIDR, clusterCIDR: CLUSTER_CIDR, services: svcs, endpoints });
}

async function save(runner: CommandRunner): Promise<string> {
  return (await runner('iptables-save', [])).stdout;
}

describe.skipIf(!root)('kube-proxy iptables rules in a network namespace', () => {
  let net: TestNet;
  let servers: ChildProcess;
  let runner: CommandRunner;

  beforeAll(async () => {
    net = createTestNet();
    runner = netnsRunner(net.node);
    servers = await startEndpointServers(net.pods);
  });

  afterAll(() => {
    servers?.kill();
    net?.destroy();
  });

  it('this iptables accepts -m statistic, -m recent and the rest of what the proxy writes', async () => {
    expect(await checkIptables(runner)).toEqual({ ok: true });
  });

  describe.each(['own-netns', 'shared-host'] as const)('%s mode', (mode) => {
    // shared-host rules for ClusterIPs apply to the node's pods only.
    const from = mode === 'shared-host' ? POD_CLIENT : EXTERNAL_CLIENT;
    let applier: IptablesApplier;

    beforeAll(async () => {
      applier = new IptablesApplier({ nodeName: NODE, runner });
      const r = await applier.apply(rulesFor(mode));
      expect(r).toMatchObject({ written: true, jumpsInserted: 8, jumpsDeleted: 0 });
    });

    afterAll(async () => {
      await removeNodeRules(NODE, runner);
    });

    it('ClusterIP reaches the ready endpoints, spread over both, never the not-ready one', async () => {
      const answers = await probe(net.client, { host: '10.96.0.10', port: 80, from, count: 40 });
      const t = tally(answers);
      expect(Object.keys(t).sort()).toEqual(['10.244.1.2', '10.244.2.2']);
      expect(t['10.244.1.2']).toBeGreaterThan(0);
      expect(t['10.244.2.2']).toBeGreaterThan(0);
    });

    it('ClusterIP over UDP, with named target ports', async () => {
      const t = tally(await probe(net.client, { host: '10.96.0.14', port: 53, from, count: 30, udp: true }));
      expect(Object.keys(t).sort()).toEqual(['10.244.1.2', '10.244.1.3']);
    });

    it('sessionAffinity ClientIP keeps a client on one endpoint', async () => {
      const answers = await probe(net.client, { host: '10.96.0.12', port: 80, from, count: 15 });
      expect(new Set(answers.map((a) => a.split(' ')[0])).size).toBe(1);
      expect(answers[0]).toMatch(/^10\.244\.1\.[23] /);
    });

    it('a service without ready endpoints is rejected at once', async () => {
      expect(await probe(net.client, { host: '10.96.0.13', port: 80, from })).toEqual(['ERR:ECONNREFUSED']);
    });

    it('NodePort (Cluster) reaches every endpoint, masqueraded', async () => {
      const answers = await probe(net.client, { host: NODE_ADDRESS, port: 30080, from: EXTERNAL_CLIENT, count: 30 });
      expect(Object.keys(tally(answers)).sort()).toEqual(['10.244.1.2', '10.244.2.2']);
      // The endpoint sees the node's address, so replies return through the node.
      for (const a of answers) expect(a.split(' ')[1]).toBe(NODE_ADDRESS);
    });

    it('NodePort (Local) reaches only this node\'s endpoints and keeps the client address', async () => {
      const answers = await probe(net.client, { host: NODE_ADDRESS, port: 30081, from: EXTERNAL_CLIENT, count: 20 });
      expect(answers.every((a) => a === `10.244.1.3 ${EXTERNAL_CLIENT}`)).toBe(true);
    });

    it('NodePort (Local) without a local endpoint drops external traffic', async () => {
      expect(await probe(net.client, { host: NODE_ADDRESS, port: 30082, from: EXTERNAL_CLIENT, timeoutMs: 700 })).toEqual(['TIMEOUT']);
    });

    it('the node itself (nat OUTPUT) reaches ClusterIPs and NodePorts, and is refused for empty services', async () => {
      expect(Object.keys(tally(await probe(net.node, { host: '10.96.0.10', port: 80, count: 30 }))).sort()).toEqual(['10.244.1.2', '10.244.2.2']);
      expect(await probe(net.node, { host: '10.96.0.13', port: 80 })).toEqual(['ERR:ECONNREFUSED']);
      expect(Object.keys(tally(await probe(net.node, { host: NODE_ADDRESS, port: 30080, count: 30 }))).sort()).toEqual(['10.244.1.2', '10.244.2.2']);
      const local = Object.keys(tally(await probe(net.node, { host: NODE_ADDRESS, port: 30081, count: 30 }))).sort();
      // shared-host: the host plays the outside client, so Local means local endpoints only;
      // own-netns: the node's own traffic uses every endpoint, as in Kubernetes.
      expect(local).toEqual(mode === 'shared-host' ? ['10.244.1.3'] : ['10.244.1.3', '10.244.2.2']);
    });

    it.runIf(mode === 'shared-host')('shared-host: ClusterIP rules ignore sources outside the node\'s pod CIDR', async () => {
      const [answer] = await probe(net.client, { host: '10.96.0.10', port: 80, from: EXTERNAL_CLIENT, timeoutMs: 700 });
      expect(answer).toMatch(/^(ERR:|TIMEOUT)/);
    });

    it('an unchanged apply writes nothing, a forced one changes nothing, and a removed service leaves no chain', async () => {
      expect((await applier.apply(rulesFor(mode))).written).toBe(false);
      const before = await save(runner);
      expect(await applier.apply(rulesFor(mode), { force: true })).toMatchObject({ written: true, jumpsInserted: 0, jumpsDeleted: 0, staleChains: [] });
      const after = await save(runner);
      const ours = (s: string) => s.split('\n').filter((l) => l.includes(nodeChainPrefix(NODE)) || l.includes('kubesim node='));
      expect(ours(after)).toEqual(ours(before));
      expect(ours(after).filter((l) => l.includes('"kubesim node=node-a"'))).toHaveLength(8);

      const fewer = rulesFor(mode, services.filter((s) => s.metadata!.name !== 'sticky'));
      const r = await applier.apply(fewer);
      expect(r.staleChains.length).toBe(3); // its SVC chain and two SEP chains
      const chains = (await save(runner)).split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]);
      for (const c of r.staleChains) expect(chains).not.toContain(c);
      expect(await probe(net.client, { host: '10.96.0.12', port: 80, from, timeoutMs: 700 })).not.toEqual([expect.stringMatching(/^10\.244/)]);
      // Everything else still works.
      expect(tally(await probe(net.client, { host: NODE_ADDRESS, port: 30081, from: EXTERNAL_CLIENT, count: 3 }))).toEqual({ '10.244.1.3': 3 });
    });
  });

  it('removeNodeRules removes one node\'s rules only; removeAllKubesimRules removes every node\'s', async () => {
    const a = new IptablesApplier({ nodeName: 'node-a', runner });
    const b = new IptablesApplier({ nodeName: 'node-b', runner });
    await a.apply(rulesFor('shared-host', services, 'node-a'));
    await b.apply(rulesFor('shared-host', services, 'node-b'));
    // Something that is not ours, which must survive.
    await runner('iptables', ['-t', 'nat', '-N', 'OTHER-CHAIN']);
    await runner('iptables', ['-t', 'nat', '-A', 'PREROUTING', '-s', '10.9.9.9/32', '-j', 'OTHER-CHAIN']);

    const removedA = await removeNodeRules('node-a', runner);
    expect(removedA.rules).toBe(8);
    let s = await save(runner);
    expect(s).not.toContain(nodeChainPrefix('node-a'));
    expect(s).not.toContain('kubesim node=node-a');
    expect(s).toContain(nodeChainPrefix('node-b'));

    await removeAllKubesimRules(runner);
    s = await save(runner);
    expect(s).not.toContain('KUBESIM-');
    expect(s).not.toContain('kubesim node=');
    expect(s).toContain('-A PREROUTING -s 10.9.9.9/32 -j OTHER-CHAIN');
    expect(await removeAllKubesimRules(runner)).toEqual({ chains: 0, rules: 0 });
  });

  it('KubeProxy follows Endpoints: a pod that turns not-ready gets no new connections', async () => {
    const svcs = new FakeListerWatcher<Service>();
    const epLW = new FakeListerWatcher<Endpoints>();
    const factory = new InformerFactory((resource) => (resource === 'services' ? svcs : epLW) as unknown as ListerWatcher<KubeObject>);
    svcs.add(services[0]);
    epLW.add(endpoints[0]);
    const proxy = new KubeProxy({
      nodeName: NODE, mode: 'shared-host', nodeAddress: NODE_ADDRESS, podCIDR: POD_CIDR, clusterCIDR: CLUSTER_CIDR,
      informers: factory, runner, healthChecks: false,
    });
    try {
      await proxy.start();
      expect(await proxy.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
      expect(Object.keys(tally(await probe(net.client, { host: '10.96.0.10', port: 80, from: POD_CLIENT, count: 30 }))).sort()).toEqual(['10.244.1.2', '10.244.2.2']);
      // 10.244.2.2 turns not-ready.
      epLW.modify(eps('web', { addresses: [{ ip: '10.244.1.2', nodeName: NODE }], notReadyAddresses: [{ ip: '10.244.2.2', nodeName: 'node-b' }], ports: http }));
      const changed = Date.now();
      await waitFor(async () => (await save(runner)).split('\n').filter((l) => l.includes('DNAT') && l.includes('10.244.2.2')).length === 0, { timeoutMs: 2000, intervalMs: 20 });
      expect(Date.now() - changed).toBeLessThan(2000);
      expect(tally(await probe(net.client, { host: '10.96.0.10', port: 80, from: POD_CLIENT, count: 30 }))).toEqual({ '10.244.1.2': 30 });
    } finally {
      await proxy.stop();
      await factory.stop();
    }
    // Rules stay after stop (as kube-proxy); then clean up.
    expect(await save(runner)).toContain(nodeChainPrefix(NODE));
    await removeNodeRules(NODE, runner);
  });
});
