// The informer against the real apiserver (a separate process) on a real etcd: the cache
// follows creates, updates and deletes; it survives an apiserver restart by resuming its
// watch; and after etcd compacted the history it missed, it relists and reports the
// right deltas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatusError, type ConfigMap } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { deletedObject, isTombstone, SharedIndexInformer, listerWatcherFor, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { compactEtcd, startApiServer, type ApiServerProcess } from '../support/apiserver.js';

let etcd: TestEtcd;
let api: ApiServerProcess;
let api2: ApiServerProcess | undefined;
const clients: Client[] = [];
const informers: SharedIndexInformer<ConfigMap>[] = [];

function client(endpoint: string): Client {
  const c = new Client({ endpoints: [endpoint], timeoutMs: 5000, userAgent: 'informer-test' });
  clients.push(c);
  return c;
}

function cm(name: string, ns: string, data: Record<string, string> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

function watchConfigMaps(c: Client, ns: string) {
  const informer = new SharedIndexInformer<ConfigMap>(listerWatcherFor(c, 'configmaps', { namespace: ns }));
  informers.push(informer);
  const deltas: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => deltas.push(`add ${o.metadata?.name}`),
    onUpdate: (_a, b) => deltas.push(`update ${b.metadata?.name} ${JSON.stringify(b.data ?? {})}`),
    onDelete: (o) => deltas.push(`delete ${deletedObject(o).metadata?.name}${isTombstone(o) ? ' (tombstone)' : ''}`),
  });
  informer.start();
  return { informer, deltas };
}

async function createNamespace(c: Client, name: string): Promise<void> {
  await c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** The cache equals what the apiserver lists now (names and resourceVersions). */
async function cacheMatchesServer(c: Client, informer: SharedIndexInformer<ConfigMap>, ns: string): Promise<boolean> {
  const listed = await c.list('configmaps', { namespace: ns });
  const want = listed.items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
  const have = informer.indexer.list().map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
  return JSON.stringify(want) === JSON.stringify(have);
}

/**
 * Right after an apiserver (re)start, gRPC channels to it may still be in their
 * reconnect backoff and fail fast with ServiceUnavailable: retry until it answers.
 */
async function writeEventually(write: () => Promise<unknown>): Promise<void> {
  await waitFor(
    async () => {
      try {
        await write();
        return true;
      } catch (err) {
        if (isStatusError(err, 'ServiceUnavailable')) return false;
        throw err;
      }
    },
    { what: 'the apiserver to accept a write', timeoutMs: 15_000, intervalMs: 100 },
  );
}

beforeAll(async () => {
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
});

afterAll(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  for (const c of clients) c.close();
  await api2?.stop();
  await api?.stop();
  await etcd?.stop();
});

describe('informer against the real apiserver', () => {
  it('follows creates, updates and deletes', async () => {
    const c = client(api.endpoint);
    await createNamespace(c, 'inf-crud');
    await c.create(cm('before', 'inf-crud'));
    const { informer, deltas } = watchConfigMaps(c, 'inf-crud');
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.indexer.listKeys()).toEqual(['inf-crud/before']);

    const a = await c.create(cm('a', 'inf-crud', { v: '1' }));
    await c.create(cm('b', 'inf-crud'));
    await c.update({ ...a, data: { v: '2' } });
    await c.delete('configmaps', 'inf-crud', 'before');
    // Another namespace must not leak into this informer.
    await createNamespace(c, 'inf-other');
    await c.create(cm('elsewhere', 'inf-other'));

    await waitFor(() => cacheMatchesServer(c, informer, 'inf-crud'), { what: 'the cache to match the apiserver', timeoutMs: 10_000, intervalMs: 50 });
    expect(informer.indexer.listKeys().sort()).toEqual(['inf-crud/a', 'inf-crud/b']);
    expect(informer.indexer.get('inf-crud/a')?.data).toEqual({ v: '2' });
    expect(deltas).toEqual(['add before', 'add a', 'add b', 'update a {"v":"2"}', 'delete before']);
    expect(Number(informer.lastSyncResourceVersion)).toBeGreaterThan(0);
  });

  it('resumes after the apiserver is killed and restarted, then relists after compaction', async () => {
    const c = client(api.endpoint);
    await createNamespace(c, 'inf-restart');
    await c.create(cm('keep', 'inf-restart'));
    const change = await c.create(cm('change', 'inf-restart', { v: '1' }));
    await c.create(cm('vanish', 'inf-restart'));
    const { informer, deltas } = watchConfigMaps(c, 'inf-restart');
    await informer.waitForSync();
    deltas.length = 0;

    // 1. Kill the apiserver; restart it on the same port; the watch resumes from its RV.
    await api.kill();
    api = await startApiServer(etcd.endpoint, api.port);
    await writeEventually(() => c.create(cm('after-restart', 'inf-restart')));
    await waitFor(() => informer.indexer.has('inf-restart/after-restart'), { what: 'the event after the restart', timeoutMs: 20_000, intervalMs: 50 });
    expect(deltas).toEqual(['add after-restart']);
    deltas.length = 0;

    // 2. Kill it again; while it is down, change things through a second apiserver and
    // compact etcd past the informer's revision: the informer must relist.
    await api.kill();
    api2 = await startApiServer(etcd.endpoint);
    const c2 = client(api2.endpoint);
    await writeEventually(() => c2.update({ ...change, data: { v: '2' } }));
    await c2.delete('configmaps', 'inf-restart', 'vanish');
    await c2.create(cm('new', 'inf-restart'));
    await compactEtcd(etcd.endpoint);
    api = await startApiServer(etcd.endpoint, api.port);

    await waitFor(() => informer.indexer.has('inf-restart/new') && !informer.indexer.has('inf-restart/vanish'), { what: 'the relist', timeoutMs: 20_000, intervalMs: 50 });
    await waitFor(() => cacheMatchesServer(c2, informer, 'inf-restart'), { what: 'the cache to match the apiserver', timeoutMs: 10_000, intervalMs: 50 });
    expect(deltas.sort()).toEqual(['add new', 'delete vanish (tombstone)', 'update change {"v":"2"}']);
  });
});
