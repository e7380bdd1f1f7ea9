// The scheduler as its own process against a real etcd and apiserver, with Node objects
// standing in for node agents: pods get bound and spread; a pod too big for every node
// stays Pending with FailedScheduling and PodScheduled=False until a big enough node
// appears; nodeSelector and taints are respected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, waitFor } from '@kubesim/client';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { createNode, eventsFor, nodeOf, pod, startSchedulerProcess, type SchedulerProcess } from './helpers.js';

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let scheduler: SchedulerProcess;

beforeAll(async () => {
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  for (const n of ['node-1', 'node-2', 'node-3']) await createNode(client, n, { cpu: '2', labels: { disk: n === 'node-3' ? 'ssd' : 'hdd' } });
  scheduler = startSchedulerProcess(api.endpoint, 'single', ['--leader-elect=false']);
});

afterAll(async () => {
  await scheduler?.stop();
  client?.close();
  await api?.stop();
  await etcd?.stop();
});

describe('kubesim scheduler', () => {
  it('binds pods and spreads them over the nodes, with Scheduled events', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `spread-${i}`);
    for (const n of names) await client.create(pod(n));
    await waitFor(async () => (await Promise.all(names.map((n) => nodeOf(client, n)))).every(Boolean), { timeoutMs: 20_000, intervalMs: 100, what: 'all pods bound' });
    const perNode: Record<string, number> = {};
    for (const n of names) {
      const p = await client.get('pods', 'default', n);
      perNode[p.spec!.nodeName!] = (perNode[p.spec!.nodeName!] ?? 0) + 1;
      expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    }
    expect(perNode).toEqual({ 'node-1': 3, 'node-2': 3, 'node-3': 3 });
    const node0 = await nodeOf(client, 'spread-0');
    await waitFor(async () => (await eventsFor(client, 'spread-0', 'Scheduled')).length === 1, { timeoutMs: 10_000, intervalMs: 100, what: 'Scheduled event' });
    const [ev] = await eventsFor(client, 'spread-0', 'Scheduled');
    expect(ev).toMatchObject({ type: 'Normal', message: `Successfully assigned default/spread-0 to ${node0}`, source: { component: 'default-scheduler' } });
  });

  it('keeps a pod too big for every node Pending until a big enough node appears', async () => {
    await client.create(pod('huge', { cpu: '16' }));
    const message = '0/3 nodes are available: 3 Insufficient cpu.';
    await waitFor(async () => (await eventsFor(client, 'huge', 'FailedScheduling')).length > 0, { timeoutMs: 10_000, intervalMs: 100, what: 'FailedScheduling event' });
    const [ev] = await eventsFor(client, 'huge', 'FailedScheduling');
    expect(ev).toMatchObject({ type: 'Warning', message });
    await waitFor(async () => (await client.get('pods', 'default', 'huge')).status?.conditions?.some((c) => c.type === 'PodScheduled'), { timeoutMs: 10_000, intervalMs: 100, what: 'PodScheduled condition' });
    const p = await client.get('pods', 'default', 'huge');
    expect(p.spec?.nodeName ?? '').toBe('');
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message });

    await createNode(client, 'node-big', { cpu: '32', labels: { disk: 'hdd' } });
    await waitFor(async () => (await nodeOf(client, 'huge')) === 'node-big', { timeoutMs: 20_000, intervalMs: 100, what: 'huge bound to node-big' });
    expect((await client.get('pods', 'default', 'huge')).status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
  });

  it('respects nodeSelector', async () => {
    const names = ['ssd-0', 'ssd-1', 'ssd-2'];
    for (const n of names) await client.create(pod(n, { spec: { containers: [{ name: 'c', image: 'busybox' }], nodeSelector: { disk: 'ssd' } } }));
    await waitFor(async () => (await Promise.all(names.map((n) => nodeOf(client, n)))).every(Boolean), { timeoutMs: 20_000, intervalMs: 100, what: 'ssd pods bound' });
    for (const n of names) expect(await nodeOf(client, n)).toBe('node-3');

    await client.create(pod('nowhere', { spec: { containers: [{ name: 'c', image: 'busybox' }], nodeSelector: { disk: 'tape' } } }));
    await waitFor(async () => (await eventsFor(client, 'nowhere', 'FailedScheduling')).length > 0, { timeoutMs: 10_000, intervalMs: 100, what: 'FailedScheduling event' });
    expect((await eventsFor(client, 'nowhere', 'FailedScheduling'))[0].message).toBe("0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.");
    await client.delete('pods', 'default', 'nowhere');
  });

  it('respects taints and tolerations', async () => {
    // Cordon every node but a tainted one: only a tolerating pod may go there.
    const tainted = 'node-gpu';
    await createNode(client, tainted, { cpu: '4', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    for (const n of ['node-1', 'node-2', 'node-3', 'node-big']) await client.patch('nodes', '', n, { spec: { unschedulable: true } });
    await client.create(pod('plain'));
    await client.create(pod('tolerant', { spec: { containers: [{ name: 'c', image: 'busybox' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }));
    await waitFor(async () => (await nodeOf(client, 'tolerant')) === tainted, { timeoutMs: 20_000, intervalMs: 100, what: 'tolerant pod on the tainted node' });
    await waitFor(async () => (await eventsFor(client, 'plain', 'FailedScheduling')).length > 0, { timeoutMs: 10_000, intervalMs: 100, what: 'FailedScheduling of plain' });
    expect((await eventsFor(client, 'plain', 'FailedScheduling'))[0].message).toBe('0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 4 node(s) were unschedulable.');
    expect(await nodeOf(client, 'plain')).toBeUndefined();

    // Uncordoning a node is a change that may help: the waiting pod goes there.
    await client.patch('nodes', '', 'node-2', { spec: { unschedulable: false } });
    await waitFor(async () => (await nodeOf(client, 'plain')) === 'node-2', { timeoutMs: 20_000, intervalMs: 100, what: 'plain on the uncordoned node' });
  });

  it('logs each binding with pod and node', () => {
    const lines = scheduler.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.pod === 'default/huge' && l.node === 'node-big' && /bound pod/.test(String(l.msg)))).toBe(true);
  });
});
