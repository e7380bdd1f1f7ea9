// The scheduler wired to in-memory informers and a fake API that applies bindings and
// status patches to the fake store, as the apiserver would.
import { afterEach, describe, expect, it } from 'vitest';
import { conflict, StatusError, type Binding, type Node, type Pod } from '@kubesim/api';
import { FakeClock, FakeListerWatcher, SharedIndexInformer, newLogger, waitFor } from '@kubesim/client';
import { makeNode, makePod } from './fixtures.js';
import { Scheduler, type SchedulerApi } from './scheduler.js';

interface Recorded {
  pod: string;
  type: string;
  reason: string;
  message: string;
}

function setup(opts: { maxInFlightBinds?: number; bind?: (b: Binding) => Promise<unknown> } = {}) {
  const podsLW = new FakeListerWatcher<Pod>();
  const nodesLW = new FakeListerWatcher<Node>();
  const clock = new FakeClock();
  const podInformer = new SharedIndexInformer<Pod>(podsLW, { clock });
  const nodeInformer = new SharedIndexInformer<Node>(nodesLW, { clock });
  const events: Recorded[] = [];
  const binds: Binding[] = [];
  const applyBind = async (b: Binding) => {
    const cur = podInformer.indexer.get(`${b.metadata!.namespace}/${b.metadata!.name}`);
    if (!cur) throw new StatusError('NotFound', 'pods not found');
    if (cur.spec?.nodeName) throw conflict('pods/binding', b.metadata!.name!, 'already assigned');
    podsLW.modify({ ...cur, spec: { ...cur.spec, nodeName: b.target!.name } });
    return cur;
  };
  const api: SchedulerApi = {
    bind: async (b) => {
      binds.push(b);
      return (opts.bind ?? applyBind)(b);
    },
    patchPodStatus: async (ns, name, patch) => {
      const cur = podInformer.indexer.get(`${ns}/${name}`)!;
      return podsLW.modify({ ...cur, status: { ...cur.status, ...patch.status } });
    },
  };
  const scheduler = new Scheduler({
    api,
    events: { event: (obj, type, reason, message) => events.push({ pod: obj.metadata!.name!, type, reason, message }) },
    podInformer,
    nodeInformer,
    logger: newLogger('scheduler-test'),
    clock,
    maxInFlightBinds: opts.maxInFlightBinds,
  });
  podInformer.start();
  nodeInformer.start();
  const ac = new AbortController();
  const running = Promise.all([podInformer.waitForSync(), nodeInformer.waitForSync()]).then(() => scheduler.run(ac.signal));
  const stop = async () => {
    ac.abort();
    scheduler.close();
    await running;
    await podInformer.stop();
    await nodeInformer.stop();
  };
  stops.push(stop);
  const pod = (name: string) => podInformer.indexer.get(`default/${name}`);
  return { podsLW, nodesLW, clock, scheduler, events, binds, pod, podInformer, stop, applyBind, abort: () => ac.abort(), running };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

describe('Scheduler', () => {
  it('binds pending pods, spread over the nodes, with Scheduled events', async () => {
    const t = setup();
    for (const n of ['node-1', 'node-2', 'node-3']) t.nodesLW.add(makeNode({ name: n }));
    for (let i = 0; i < 9; i++) t.podsLW.add(makePod({ name: `p${i}`, uid: `u${i}`, ownerUid: 'rs' }));
    await waitFor(() => [...Array(9).keys()].every((i) => t.pod(`p${i}`)?.spec?.nodeName), { what: 'all pods bound' });
    const per: Record<string, number> = {};
    for (let i = 0; i < 9; i++) per[t.pod(`p${i}`)!.spec!.nodeName!] = (per[t.pod(`p${i}`)!.spec!.nodeName!] ?? 0) + 1;
    expect(per).toEqual({ 'node-1': 3, 'node-2': 3, 'node-3': 3 });
    await waitFor(() => t.events.length === 9);
    const e = t.events.find((x) => x.pod === 'p0')!;
    expect(e).toEqual({ pod: 'p0', type: 'Normal', reason: 'Scheduled', message: `Successfully assigned default/p0 to ${t.pod('p0')!.spec!.nodeName}` });
    expect(t.binds[0]).toMatchObject({ kind: 'Binding', metadata: { name: expect.any(String), namespace: 'default', uid: expect.any(String) }, target: { kind: 'Node' } });
    await waitFor(() => t.scheduler.cache.podCount === 9 && [...Array(9).keys()].every((i) => !t.scheduler.cache.isAssumed(`default/p${i}`)), { what: 'assumptions confirmed' });
  });

  it('leaves alone pods of other schedulers, bound pods and terminating pods', async () => {
    const t = setup();
    t.nodesLW.add(makeNode({ name: 'node-1' }));
    t.podsLW.add(makePod({ name: 'other', schedulerName: 'my-scheduler' }));
    t.podsLW.add(makePod({ name: 'bound', nodeName: 'node-9' }));
    const dying = makePod({ name: 'dying' });
    dying.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
    t.podsLW.add(dying);
    t.podsLW.add(makePod({ name: 'mine' }));
    await waitFor(() => t.pod('mine')?.spec?.nodeName === 'node-1');
    expect(t.binds.map((b) => b.metadata!.name)).toEqual(['mine']);
    expect(t.scheduler.queue.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
    expect(t.scheduler.cache.nodeInfo('node-9')?.pods.size).toBe(1);
  });

  it('a pod that fits nowhere gets FailedScheduling and PodScheduled=False, then a big enough node', async () => {
    const t = setup();
    t.nodesLW.add(makeNode({ name: 'node-1', cpu: '2' }));
    t.nodesLW.add(makeNode({ name: 'node-2', cpu: '2', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }));
    t.podsLW.add(makePod({ name: 'big', cpu: '4' }));
    const message = '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.';
    await waitFor(() => t.pod('big')?.status?.conditions?.some((c) => c.type === 'PodScheduled'), { what: 'PodScheduled condition' });
    expect(t.pod('big')!.status!.conditions!.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    expect(t.events).toEqual([{ pod: 'big', type: 'Warning', reason: 'FailedScheduling', message }]);
    expect(t.scheduler.queue.whereIs('default/big')).toBe('unschedulable');
    // Our own status write does not retry the pod.
    expect(t.binds).toEqual([]);
    // A node heartbeat does not either.
    const n1 = makeNode({ name: 'node-1', cpu: '2' });
    n1.status!.conditions![0].lastHeartbeatTime = '2026-01-01T00:01:00Z';
    t.nodesLW.modify(n1);
    await waitFor(() => t.podInformer.indexer.size > 0 && t.scheduler.cache.nodeInfo('node-1')?.node?.status?.conditions?.[0].lastHeartbeatTime !== undefined);
    expect(t.scheduler.queue.whereIs('default/big')).toBe('unschedulable');
    t.nodesLW.add(makeNode({ name: 'node-3', cpu: '8' }));
    // Moved while its 1 s backoff runs: it goes through backoffQ.
    await waitFor(() => t.scheduler.queue.whereIs('default/big') !== 'unschedulable');
    t.clock.advance(1000);
    await waitFor(() => t.pod('big')?.spec?.nodeName === 'node-3', { what: 'big bound to node-3' });
  });

  it('forgets the assumption when the binding is rejected, and does not retry a bound pod', async () => {
    let reject = true;
    const t = setup({
      bind: async (b) => {
        if (reject) throw conflict('pods/binding', b.metadata!.name!, 'pod x is already assigned to node "elsewhere"');
        return undefined;
      },
    });
    t.nodesLW.add(makeNode({ name: 'node-1', cpu: '1' }));
    t.podsLW.add(makePod({ name: 'x', cpu: '1' }));
    await waitFor(() => t.binds.length === 1);
    await waitFor(() => !t.scheduler.cache.isAssumed('default/x'));
    expect(t.scheduler.cache.nodeInfo('node-1')!.requested.milliCpu).toBe(0);
    expect(t.scheduler.queue.whereIs('default/x')).toBeUndefined();
    reject = false;
  });

  it('retries after a backoff when the binding fails for another reason', async () => {
    let fail = 1;
    const t = setup({
      bind: async (b) => {
        if (fail-- > 0) throw new StatusError('ServiceUnavailable', 'the apiserver is unavailable');
        return t.applyBind(b);
      },
    });
    t.nodesLW.add(makeNode({ name: 'node-1' }));
    t.podsLW.add(makePod({ name: 'x' }));
    await waitFor(() => t.scheduler.queue.whereIs('default/x') === 'backoff');
    expect(t.scheduler.cache.isAssumed('default/x')).toBe(false);
    expect(t.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'FailedScheduling' });
    t.clock.advance(1000);
    await waitFor(() => t.pod('x')?.spec?.nodeName === 'node-1');
  });

  it('keeps at most maxInFlightBinds bindings in flight', async () => {
    const release: Array<() => void> = [];
    let inFlight = 0;
    let maxSeen = 0;
    const t = setup({
      maxInFlightBinds: 3,
      bind: (b) => {
        inFlight++;
        maxSeen = Math.max(maxSeen, inFlight);
        return new Promise((resolve) => release.push(() => { inFlight--; resolve(t.applyBind(b)); }));
      },
    });
    t.nodesLW.add(makeNode({ name: 'node-1' }));
    for (let i = 0; i < 10; i++) t.podsLW.add(makePod({ name: `p${i}`, uid: `u${i}` }));
    await waitFor(() => release.length === 3);
    expect(t.scheduler.queue.counts().active).toBe(7);
    while (t.binds.length < 10 || release.length) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(maxSeen).toBe(3);
    await waitFor(() => [...Array(10).keys()].every((i) => t.pod(`p${i}`)?.spec?.nodeName));
  });

  it('a deleted bound pod frees its node for a waiting pod', async () => {
    const t = setup();
    t.nodesLW.add(makeNode({ name: 'node-1', cpu: '1' }));
    t.podsLW.add(makePod({ name: 'old', cpu: '1', nodeName: 'node-1' }));
    t.podsLW.add(makePod({ name: 'new', cpu: '1' }));
    await waitFor(() => t.scheduler.queue.whereIs('default/new') === 'unschedulable');
    t.clock.advance(1000);
    t.podsLW.remove(t.pod('old')!);
    await waitFor(() => t.pod('new')?.spec?.nodeName === 'node-1');
  });

  it('stops scheduling at once when its signal aborts', async () => {
    const t = setup();
    t.nodesLW.add(makeNode({ name: 'node-1' }));
    t.podsLW.add(makePod({ name: 'a' }));
    await waitFor(() => t.pod('a')?.spec?.nodeName);
    t.abort();
    await t.running;
    t.podsLW.add(makePod({ name: 'x' }));
    await waitFor(() => t.scheduler.queue.whereIs('default/x') === 'active');
    await new Promise((r) => setTimeout(r, 20));
    expect(t.binds.map((b) => b.metadata!.name)).toEqual(['a']);
  });
});
