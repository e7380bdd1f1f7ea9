// Several apiservers on one etcd: idempotent start, one sees the other's writes,
// compaction runs, and a restarted apiserver finishes a namespace deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespace, Pod, StatusError } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { Etcd3 } from 'etcd3';
import { pino } from 'pino';
import { startEtcd, type TestEtcd } from '../../../test/support/etcd.js';
import { startApiServer, type RunningApiServer } from './server.js';
import { EventReader, waitFor } from './testing/env.js';

let etcd: TestEtcd;
let raw: Etcd3;
const servers: RunningApiServer[] = [];
const clients: Client[] = [];

async function apiserver(extra: { compactionIntervalSeconds?: number; eventTtlSeconds?: number } = {}): Promise<{ server: RunningApiServer; client: Client }> {
  const server = await startApiServer({ etcdServers: [etcd.endpoint], listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), compactionIntervalSeconds: 0, ...extra });
  servers.push(server);
  const client = new Client({ endpoints: [server.address] });
  clients.push(client);
  return { server, client };
}

beforeAll(async () => {
  etcd = await startEtcd();
  raw = new Etcd3({ hosts: [etcd.endpoint] });
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.stop();
  raw?.close();
  await etcd?.stop();
});

describe('several apiservers', () => {
  it('start together, share the system namespaces and see each other\'s writes', async () => {
    const [a, b] = await Promise.all([apiserver(), apiserver()]);
    const fromA = await a.client.get('namespaces', '', 'kube-system');
    const fromB = await b.client.get('namespaces', '', 'kube-system');
    expect(fromA.metadata?.uid).toBe(fromB.metadata?.uid);

    const rv = (await b.client.list('configmaps', { namespace: 'default' })).resourceVersion;
    const r = new EventReader(b.client.watch('configmaps', { namespace: 'default', resourceVersion: rv }));
    await a.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: 'default' } });
    const ev = await r.next();
    expect(`${ev.type} ${ev.object.metadata?.name}`).toBe('ADDED shared');
  });

  it('compacts etcd periodically', async () => {
    const { client } = await apiserver({ compactionIntervalSeconds: 0.3 });
    const first = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c0', namespace: 'default' } });
    await client.patch('configmaps', 'default', 'c0', { data: { a: 'b' } });
    const old = Number(first.metadata?.resourceVersion);
    await waitFor('etcd compacted past the first write', async () => {
      try {
        await raw.kv.range({ key: Buffer.from('/registry/configmaps/default/c0'), revision: old });
        return false;
      } catch (err) {
        return /compacted/.test((err as Error).message);
      }
    });
  });

  it('lets events expire after the event TTL', async () => {
    const { client } = await apiserver({ eventTtlSeconds: 1 });
    await client.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'short', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'bye', type: 'Normal' });
    await waitFor('event expired', async () => {
      try {
        await client.get('events', 'default', 'short');
        return false;
      } catch (err) {
        return (err as StatusError).reason === 'NotFound';
      }
    });
  });

  it('a restarted apiserver finishes deleting a Terminating namespace', async () => {
    const first = await apiserver();
    await first.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'resume' } } as Namespace);
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'resume' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] } };
    await first.client.create(pod);
    await first.client.delete('namespaces', '', 'resume');
    await waitFor('pod terminating', async () => !!(await first.client.get('pods', 'resume', 'p')).metadata?.deletionTimestamp);
    // Every apiserver goes away; a new one comes.
    for (const s of servers.splice(0)) await s.stop();
    const next = await apiserver();
    await next.client.delete('pods', 'resume', 'p', { gracePeriodSeconds: 0 });
    await waitFor('namespace removed', async () => {
      try {
        await next.client.get('namespaces', '', 'resume');
        return false;
      } catch (err) {
        return (err as StatusError).reason === 'NotFound';
      }
    });
  });
});
