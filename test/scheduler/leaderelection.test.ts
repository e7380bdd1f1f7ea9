// Two scheduler processes with leader election on the kube-system/kube-scheduler Lease:
// only the holder binds pods (every Scheduled event comes from it); when it is killed,
// the other takes the lease over and binds new pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, waitFor } from '@kubesim/client';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { createNode, nodeOf, pod, startSchedulerProcess, type SchedulerProcess } from './helpers.js';

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
const schedulers: SchedulerProcess[] = [];

const LE = ['--leader-elect=true', '--leader-elect-lease-duration', '4', '--leader-elect-renew-deadline', '3', '--leader-elect-retry-period', '0.5'];

beforeAll(async () => {
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  for (const n of ['node-1', 'node-2']) await createNode(client, n);
  schedulers.push(startSchedulerProcess(api.endpoint, 'le-a', LE), startSchedulerProcess(api.endpoint, 'le-b', LE));
});

afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  client?.close();
  await api?.stop();
  await etcd?.stop();
});

async function holder(): Promise<string> {
  try {
    return (await client.get('leases', 'kube-system', 'kube-scheduler')).spec?.holderIdentity ?? '';
  } catch {
    return '';
  }
}

/** The identity a scheduler process logged when its caches synced. */
function identityOf(s: SchedulerProcess): string | undefined {
  for (const l of s.log().split('\n')) {
    if (!l.startsWith('{')) continue;
    const j = JSON.parse(l) as { msg?: string; identity?: string };
    if (j.msg === 'caches synced') return j.identity;
  }
  return undefined;
}

async function bindAll(names: string[]): Promise<void> {
  for (const n of names) await client.create(pod(n));
  await waitFor(async () => (await Promise.all(names.map((n) => nodeOf(client, n)))).every(Boolean), { timeoutMs: 30_000, intervalMs: 100, what: `${names.length} pods bound` });
}

async function schedulingInstances(names: string[]): Promise<Set<string>> {
  let found = new Set<string>();
  await waitFor(
    async () => {
      const { items } = await client.list('events', { namespace: 'default' });
      const evs = items.filter((e) => e.reason === 'Scheduled' && names.includes(e.involvedObject?.name ?? ''));
      found = new Set(evs.map((e) => e.reportingInstance ?? ''));
      return new Set(evs.map((e) => e.involvedObject?.name)).size === names.length;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: 'Scheduled events' },
  );
  return found;
}

describe('scheduler leader election', () => {
  it('only the lease holder binds, and the other takes over when it dies', async () => {
    await waitFor(async () => (await holder()) !== '', { timeoutMs: 20_000, intervalMs: 100, what: 'a leader' });
    await waitFor(() => schedulers.every((s) => identityOf(s)), { timeoutMs: 20_000, intervalMs: 100, what: 'both schedulers synced' });
    const first = await holder();
    const leader = schedulers.find((s) => identityOf(s) === first)!;
    const other = schedulers.find((s) => s !== leader)!;
    expect(leader).toBeDefined();

    const batch1 = Array.from({ length: 10 }, (_, i) => `le-${i}`);
    await bindAll(batch1);
    expect([...(await schedulingInstances(batch1))]).toEqual([first]);
    expect(other.log()).not.toMatch(/bound pod/);

    leader.process.kill('SIGKILL');
    const second = identityOf(other)!;
    await waitFor(async () => (await holder()) === second, { timeoutMs: 20_000, intervalMs: 100, what: 'the other scheduler to take the lease' });

    const batch2 = Array.from({ length: 5 }, (_, i) => `le2-${i}`);
    await bindAll(batch2);
    expect([...(await schedulingInstances(batch2))]).toEqual([second]);
  });
});
