// Watches through real gRPC: initial state, resume from a revision, selector
// transitions, bookmarks, Expired after compaction, and fan-out to many watchers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Namespace, Pod, StatusError } from '@kubesim/api';
import type { TypedWatchEvent } from '@kubesim/client';
import { EventReader, startEnv, type TestEnv } from './testing/env.js';
import { FanoutWatchers } from './testing/fanout.js';

let env: TestEnv;
beforeAll(async () => {
  // A small ring so a test can write past it; short bookmarks so a test can see them.
  env = await startEnv({ watchCacheSize: 20, bookmarkIntervalSeconds: 0.2 });
});
afterAll(async () => {
  await env?.stop();
});

let nsCounter = 0;
async function freshNamespace(): Promise<string> {
  const name = `w${++nsCounter}`;
  await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as Namespace);
  return name;
}

function cm(ns: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data };
}

const summary = (e: TypedWatchEvent<{ metadata?: { name?: string; resourceVersion?: string } }>) => `${e.type} ${e.object.metadata?.name}`;

describe('watch', () => {
  it('sends existing objects as ADDED, then changes, DELETED with the last state', async () => {
    const ns = await freshNamespace();
    await env.client.create(cm(ns, 'a'));
    await env.client.create(cm(ns, 'b'));
    const w = env.client.watch('configmaps', { namespace: ns });
    const r = new EventReader(w);
    expect(summary(await r.next())).toBe('ADDED a');
    expect(summary(await r.next())).toBe('ADDED b');
    const c = await env.client.create(cm(ns, 'c'));
    const ev = await r.next();
    expect(summary(ev)).toBe('ADDED c');
    expect(ev.object.metadata?.resourceVersion).toBe(c.metadata?.resourceVersion);
    await env.client.patch('configmaps', ns, 'a', { data: { k: 'v' } });
    const mod = await r.next();
    expect(summary(mod)).toBe('MODIFIED a');
    expect(mod.object.data).toEqual({ k: 'v' });
    await env.client.delete('configmaps', ns, 'a');
    const del = await r.next();
    expect(summary(del)).toBe('DELETED a');
    expect(del.object.data).toEqual({ k: 'v' });
    expect(Number(del.object.metadata?.resourceVersion)).toBeGreaterThan(Number(mod.object.metadata?.resourceVersion));
    w.cancel();
  });

  it('resumes from a resourceVersion with nothing lost or repeated', async () => {
    const ns = await freshNamespace();
    const list = await env.client.list('configmaps', { namespace: ns });
    const w1 = env.client.watch('configmaps', { namespace: ns, resourceVersion: list.resourceVersion });
    const r1 = new EventReader(w1);
    for (let i = 0; i < 5; i++) await env.client.create(cm(ns, `x${i}`));
    const seen: string[] = [];
    let lastRv = list.resourceVersion;
    for (let i = 0; i < 3; i++) {
      const e = await r1.next();
      seen.push(summary(e));
      lastRv = e.object.metadata!.resourceVersion!;
    }
    w1.cancel(); // "disconnect" after three events
    for (let i = 5; i < 8; i++) await env.client.create(cm(ns, `x${i}`));
    const w2 = env.client.watch('configmaps', { namespace: ns, resourceVersion: lastRv });
    const r2 = new EventReader(w2);
    for (let i = 0; i < 5; i++) seen.push(summary(await r2.next()));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `ADDED x${i}`));
    // And nothing more.
    await expect(r2.next(300)).rejects.toThrow(/no watch event/);
    w2.cancel();
  });

  it('filters by label and field selectors with transitions', async () => {
    const ns = await freshNamespace();
    const w = env.client.watch('configmaps', { namespace: ns, labelSelector: 'app=web', resourceVersion: (await env.client.list('configmaps', { namespace: ns })).resourceVersion });
    const r = new EventReader(w);
    await env.client.create(cm(ns, 'other', { app: 'db' }));
    await env.client.create(cm(ns, 'web', { app: 'web' }));
    expect(summary(await r.next())).toBe('ADDED web');
    await env.client.patch('configmaps', ns, 'other', { metadata: { labels: { app: 'web' } } });
    expect(summary(await r.next())).toBe('ADDED other'); // started matching
    await env.client.patch('configmaps', ns, 'web', { metadata: { labels: { app: 'api' } } });
    const left = await r.next();
    expect(summary(left)).toBe('DELETED web'); // stopped matching
    await env.client.patch('configmaps', ns, 'web', { data: { a: 'b' } }); // not matching: nothing
    await env.client.patch('configmaps', ns, 'other', { data: { a: 'b' } });
    expect(summary(await r.next())).toBe('MODIFIED other');
    w.cancel();

    const wf = env.client.watch('configmaps', { fieldSelector: `metadata.namespace=${ns},metadata.name=web` });
    const rf = new EventReader(wf);
    expect(summary(await rf.next())).toBe('ADDED web');
    await env.client.patch('configmaps', ns, 'other', { data: { c: 'd' } });
    await env.client.patch('configmaps', ns, 'web', { data: { c: 'd' } });
    expect(summary(await rf.next())).toBe('MODIFIED web');
    wf.cancel();
  });

  it('watches pods by spec.nodeName as a node agent does', async () => {
    const ns = await freshNamespace();
    const w = env.client.watch('pods', { fieldSelector: 'spec.nodeName=node-a' });
    const r = new EventReader(w);
    const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    await env.client.create(p);
    await env.client.bind({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', namespace: ns }, target: { kind: 'Node', name: 'node-a' } });
    const ev = await r.next();
    expect(summary(ev)).toBe('ADDED p');
    expect(ev.object.spec?.nodeName).toBe('node-a');
    w.cancel();
  });

  it('sends bookmarks with a current resourceVersion when asked', async () => {
    const ns = await freshNamespace();
    const list = await env.client.list('configmaps', { namespace: ns });
    const w = env.client.watch('configmaps', { namespace: ns, resourceVersion: list.resourceVersion, allowWatchBookmarks: true });
    const r = new EventReader(w);
    // A write elsewhere moves the store on; the bookmark must follow it.
    const other = await env.client.create(cm('default', `bm-${ns}`));
    let ev = await r.next(3000);
    while (Number(ev.object.metadata?.resourceVersion) < Number(other.metadata?.resourceVersion)) ev = await r.next(3000);
    expect(ev.type).toBe('BOOKMARK');
    expect(ev.object.kind).toBe('ConfigMap');
    expect(ev.object.metadata).toEqual({ resourceVersion: ev.object.metadata?.resourceVersion });
    w.cancel();
    // Without allowWatchBookmarks: none.
    const w2 = env.client.watch('configmaps', { namespace: ns, resourceVersion: other.metadata?.resourceVersion });
    await expect(new EventReader(w2).next(600)).rejects.toThrow(/no watch event/);
    w2.cancel();
  });

  it('serves a watch from before the in-memory window from etcd, and Expired once compacted', async () => {
    const ns = await freshNamespace();
    const start = await env.client.list('configmaps', { namespace: ns });
    for (let i = 0; i < 30; i++) await env.client.create(cm(ns, `old${i}`)); // more than the ring holds
    // Still in etcd's history: every change arrives.
    const w = env.client.watch('configmaps', { namespace: ns, resourceVersion: start.resourceVersion });
    const r = new EventReader(w);
    for (let i = 0; i < 30; i++) expect(summary(await r.next())).toBe(`ADDED old${i}`);
    await env.client.create(cm(ns, 'live'));
    expect(summary(await r.next())).toBe('ADDED live');
    w.cancel();

    const rev = Number((await env.client.list('namespaces')).resourceVersion);
    await env.raw.kv.compact({ revision: rev });
    const w2 = env.client.watch('configmaps', { namespace: ns, resourceVersion: start.resourceVersion });
    const err = (await new EventReader(w2).error()) as StatusError;
    expect(err.reason).toBe('Expired');
    expect(err.message).toBe(`too old resource version: ${start.resourceVersion} (${rev})`);
  });

  it('rejects unknown resources and bad selectors on watch', async () => {
    const err = (await new EventReader(env.client.watch('nopes' as 'pods')).error()) as StatusError;
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('the server doesn\'t have a resource type "nopes"');
  });

  it('fans every write out to 100 watchers, each stream getting each event once', async () => {
    // Latency is measured by `npm run bench`, not here: this checks delivery only.
    const ns = await freshNamespace();
    const rv = (await env.client.list('configmaps', { namespace: ns })).resourceVersion;
    const watchers = new FanoutWatchers(env.server.address, { resource: 'configmaps', namespace: ns, resourceVersion: rv }, 100);
    try {
      await env.client.create(cm(ns, 'hot'));
      await watchers.arrivals(1, 10_000);
      for (let i = 0; i < 20; i++) await env.client.patch('configmaps', ns, 'hot', { data: { i: String(i) } });
      const at = await watchers.arrivals(21, 10_000);
      expect(at).toHaveLength(100);
      expect(await watchers.counts()).toEqual(Array(100).fill(21));
    } finally {
      await watchers.stop();
    }
  });
});
