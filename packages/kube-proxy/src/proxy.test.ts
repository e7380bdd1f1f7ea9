import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { Endpoints, KubeObject, Service } from '@kubesim/api';
import { FakeListerWatcher, InformerFactory, waitFor, type ListerWatcher } from '@kubesim/client';
import { KubeProxy } from './proxy.js';
import type { CommandRunner } from './runner.js';
import { nodeChains } from './names.js';

const NODE = 'node-a';

/** Pretends to be iptables: remembers every restore input; iptables-save shows nothing. */
function fakeIptables() {
  const restores: string[] = [];
  const calls: string[] = [];
  let fail = false;
  const runner: CommandRunner = async (cmd, args, input) => {
    calls.push([cmd, ...args].join(' '));
    if (cmd === 'iptables-restore') {
      if (fail) return { code: 1, stdout: '', stderr: 'boom' };
      restores.push(input ?? '');
    }
    if (cmd === 'iptables') return { code: 1, stdout: '', stderr: 'no such rule' };
    return { code: 0, stdout: '', stderr: '' };
  };
  return { runner, restores, calls, setFail: (f: boolean) => (fail = f) };
}

function setup(extra: { healthCheckAddress?: string } = {}) {
  const svcs = new FakeListerWatcher<Service>();
  const eps = new FakeListerWatcher<Endpoints>();
  const factory = new InformerFactory((resource) => (resource === 'services' ? svcs : eps) as unknown as ListerWatcher<KubeObject>);
  const ipt = fakeIptables();
  const proxy = new KubeProxy({
    nodeName: NODE,
    mode: 'shared-host',
    nodeAddress: '10.244.1.1',
    podCIDR: '10.244.1.0/24',
    clusterCIDR: '10.244.0.0/16',
    informers: factory,
    runner: ipt.runner,
    minSyncMs: 20,
    healthCheckAddress: extra.healthCheckAddress ?? '127.0.0.1',
  });
  return { svcs, eps, factory, ipt, proxy };
}

const svc = (name: string, extra: Partial<Service['spec']> = {}): Service => ({
  metadata: { namespace: 'default', name },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }], ...extra },
});
const ep = (name: string, ips: string[], nodeName = NODE): Endpoints => ({
  metadata: { namespace: 'default', name },
  subsets: [{ addresses: ips.map((ip) => ({ ip, nodeName })), ports: [{ name: 'http', port: 8080 }] }],
});

let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

describe('KubeProxy', () => {
  it('writes rules once the caches sync, then again within minSyncMs of a change', async () => {
    const t = setup();
    t.svcs.add(svc('web'));
    t.eps.add(ep('web', ['10.244.1.2']));
    await t.proxy.start();
    stops.push(() => t.proxy.stop().then(() => t.factory.stop()));
    expect(await t.proxy.waitForSync(AbortSignal.timeout(5000))).toBe(true);
    expect(t.ipt.restores).toHaveLength(1);
    expect(t.ipt.restores[0]).toContain('--to-destination 10.244.1.2:8080');
    // The eight jump rules are checked with -C, then inserted in the same transaction.
    expect(t.ipt.calls.filter((c) => c.includes(' -C '))).toHaveLength(8);
    expect(t.ipt.restores[0].match(/^-I /gm)).toHaveLength(8);

    t.eps.modify(ep('web', ['10.244.1.2', '10.244.1.3']));
    await waitFor(() => t.ipt.restores.length === 2, { timeoutMs: 2000, intervalMs: 10 });
    expect(t.ipt.restores[1]).toContain('--to-destination 10.244.1.3:8080');
  });

  it('coalesces a burst of changes and skips writes when nothing changed', async () => {
    const t = setup();
    await t.proxy.start();
    stops.push(() => t.proxy.stop().then(() => t.factory.stop()));
    await t.proxy.waitForSync(AbortSignal.timeout(5000));
    for (let i = 0; i < 20; i++) t.svcs.add(svc(`s${i}`, { clusterIP: `10.96.1.${i + 1}` }));
    await waitFor(() => t.ipt.restores.at(-1)!.includes('10.96.1.20/32'), { timeoutMs: 2000, intervalMs: 10 });
    expect(t.ipt.restores.length).toBeLessThanOrEqual(4);
    const before = t.ipt.restores.length;
    // An update that changes nothing the rules depend on.
    t.svcs.modify({ ...svc('s0', { clusterIP: '10.96.1.1' }), metadata: { namespace: 'default', name: 's0', labels: { a: 'b' } } });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.ipt.restores.length).toBe(before);
  });

  it('keeps its rules when the apiserver goes away, and on stop', async () => {
    const t = setup();
    t.svcs.add(svc('web'));
    t.eps.add(ep('web', ['10.244.1.2']));
    await t.proxy.start();
    await t.proxy.waitForSync(AbortSignal.timeout(5000));
    t.svcs.failLists(5);
    t.svcs.failWatches(5);
    t.svcs.breakWatches(new Error('connection reset'));
    t.eps.failLists(5);
    t.eps.failWatches(5);
    t.eps.breakWatches(new Error('connection reset'));
    await new Promise((r) => setTimeout(r, 200));
    await t.proxy.stop();
    await t.factory.stop();
    expect(t.ipt.restores).toHaveLength(1);
    expect(t.ipt.calls.filter((c) => c.includes(' -D ') || c.includes(' -X '))).toEqual([]);
  });

  it('retries a failed write', async () => {
    const t = setup();
    t.ipt.setFail(true);
    t.svcs.add(svc('web'));
    await t.proxy.start();
    stops.push(() => t.proxy.stop().then(() => t.factory.stop()));
    await waitFor(() => t.ipt.calls.some((c) => c.startsWith('iptables-restore')), { timeoutMs: 2000, intervalMs: 10 });
    t.ipt.setFail(false);
    expect(await t.proxy.waitForSync(AbortSignal.timeout(5000))).toBe(true);
    expect(t.ipt.restores[0]).toContain(nodeChains(NODE).services);
  });

  it('serves healthCheckNodePort for Local LoadBalancer services: 200 with local endpoints, 503 without, closed when gone', async () => {
    const port = await freePort();
    const t = setup();
    const lb = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: port, ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    t.svcs.add(lb);
    t.eps.add(ep('lb', ['10.244.1.2', '10.244.1.3']));
    await t.proxy.start();
    stops.push(() => t.proxy.stop().then(() => t.factory.stop()));
    await t.proxy.waitForSync(AbortSignal.timeout(5000));
    const url = `http://127.0.0.1:${port}/healthz`;
    let res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: { namespace: 'default', name: 'lb' }, localEndpoints: 2 });
    t.eps.modify(ep('lb', ['10.244.2.2'], 'node-b'));
    await waitFor(async () => (await fetch(url)).status === 503, { timeoutMs: 2000, intervalMs: 10 });
    res = await fetch(url);
    expect(await res.json()).toEqual({ service: { namespace: 'default', name: 'lb' }, localEndpoints: 0 });
    t.svcs.remove(lb);
    await waitFor(async () => fetch(url).then(() => false, () => true), { timeoutMs: 2000, intervalMs: 10 });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
