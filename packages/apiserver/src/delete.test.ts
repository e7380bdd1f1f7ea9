// Deletion through real gRPC: graceful pod deletion, finalizers, propagation,
// preconditions, namespaces (terminating, emptied, removed), validation errors, and
// concurrent writers with no lost update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Namespace, Pod, StatusError } from '@kubesim/api';
import { Client, type TypedWatchEvent } from '@kubesim/client';
import { EventReader, startEnv, waitFor, type TestEnv } from './testing/env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

function pod(name: string, ns = 'default', extra: Partial<Pod['spec']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...extra } };
}

function cm(name: string, ns = 'default', finalizers?: string[]): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, finalizers }, data: { a: 'b' } };
}

async function failure(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    return err as StatusError;
  }
  throw new Error('expected the call to fail');
}

async function gone(resource: 'pods' | 'configmaps' | 'namespaces', ns: string, name: string): Promise<boolean> {
  try {
    await env.client.get(resource, ns, name);
    return false;
  } catch (err) {
    if ((err as StatusError).reason === 'NotFound') return true;
    throw err;
  }
}

describe('delete', () => {
  it('removes plain objects at once', async () => {
    await env.client.create(cm('plain'));
    const res = await env.client.delete('configmaps', 'default', 'plain');
    expect(res.removed).toBe(true);
    expect(res.object?.metadata?.name).toBe('plain');
    expect(await gone('configmaps', 'default', 'plain')).toBe(true);
    const err = await failure(env.client.delete('configmaps', 'default', 'plain'));
    expect(err.reason).toBe('NotFound');
  });

  it('removes an unbound pod at once, keeps a bound one Terminating until grace 0', async () => {
    await env.client.create(pod('unbound'));
    expect((await env.client.delete('pods', 'default', 'unbound')).removed).toBe(true);

    await env.client.create(pod('bound', 'default', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }));
    const before = Date.now();
    const first = await env.client.delete('pods', 'default', 'bound');
    expect(first.removed).toBe(false);
    const m = first.object!.metadata!;
    expect(m.deletionGracePeriodSeconds).toBe(30);
    const dt = Date.parse(m.deletionTimestamp!);
    expect(dt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 29_000);
    expect(m.generation).toBe(2);

    // A second delete may shorten the grace period, never lengthen it.
    const longer = await env.client.delete('pods', 'default', 'bound', { gracePeriodSeconds: 60 });
    expect(longer.removed).toBe(false);
    expect(longer.object?.metadata?.deletionGracePeriodSeconds).toBe(30);
    const shorter = await env.client.delete('pods', 'default', 'bound', { gracePeriodSeconds: 10 });
    expect(shorter.object?.metadata?.deletionGracePeriodSeconds).toBe(10);
    expect(Date.parse(shorter.object!.metadata!.deletionTimestamp!)).toBe(dt - 20_000);

    // The node agent confirms with grace 0: now it is gone.
    const last = await env.client.delete('pods', 'default', 'bound', { gracePeriodSeconds: 0 });
    expect(last.removed).toBe(true);
    expect(await gone('pods', 'default', 'bound')).toBe(true);
  });

  it('deletes terminal pods at once', async () => {
    const p = await env.client.create(pod('done', 'default', { nodeName: 'node-1' }));
    await env.client.updateStatus({ ...p, status: { phase: 'Succeeded' } });
    expect((await env.client.delete('pods', 'default', 'done')).removed).toBe(true);
  });

  it('holds objects with finalizers until an update removes the last one', async () => {
    await env.client.create(cm('held', 'default', ['example.com/hold']));
    const res = await env.client.delete('configmaps', 'default', 'held');
    expect(res.removed).toBe(false);
    expect(res.object?.metadata?.deletionTimestamp).toBeDefined();
    expect(res.object?.metadata?.deletionGracePeriodSeconds).toBe(0);

    const cur = await env.client.get('configmaps', 'default', 'held');
    // No new finalizers on an object being deleted.
    const err = await failure(env.client.update({ ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/hold', 'example.com/more'] } }));
    expect(err.reason).toBe('Invalid');
    expect(err.message).toContain('no new finalizers can be added if the object is being deleted');
    // deletionTimestamp cannot be taken back by an update.
    const kept = await env.client.update({ ...cur, metadata: { ...cur.metadata, deletionTimestamp: undefined }, data: { a: 'c' } });
    expect(kept.metadata?.deletionTimestamp).toBe(cur.metadata?.deletionTimestamp);

    await env.client.update({ ...kept, metadata: { ...kept.metadata, finalizers: [] } });
    expect(await gone('configmaps', 'default', 'held')).toBe(true);
  });

  it('keeps a bound pod with finalizers after its node agent lets go', async () => {
    await env.client.create({ ...pod('finpod', 'default', { nodeName: 'n1' }), metadata: { name: 'finpod', namespace: 'default', finalizers: ['example.com/x'] } });
    await env.client.delete('pods', 'default', 'finpod');
    const res = await env.client.delete('pods', 'default', 'finpod', { gracePeriodSeconds: 0 });
    expect(res.removed).toBe(false);
    expect(res.object?.metadata?.deletionGracePeriodSeconds).toBe(0);
    const cur = await env.client.get('pods', 'default', 'finpod');
    await env.client.update({ ...cur, metadata: { ...cur.metadata, finalizers: undefined } });
    expect(await gone('pods', 'default', 'finpod')).toBe(true);
  });

  it('marks Foreground and Orphan deletions with their finalizers for the garbage collector', async () => {
    await env.client.create(cm('fg'));
    const fg = await env.client.delete('configmaps', 'default', 'fg', { propagationPolicy: 'Foreground' });
    expect(fg.removed).toBe(false);
    expect(fg.object?.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await env.client.create(cm('or'));
    const or = await env.client.delete('configmaps', 'default', 'or', { propagationPolicy: 'Orphan' });
    expect(or.object?.metadata?.finalizers).toEqual(['orphan']);
  });

  it('checks preconditions', async () => {
    const c = await env.client.create(cm('pre'));
    const err = await failure(env.client.delete('configmaps', 'default', 'pre', { preconditions: { uid: 'other' } }));
    expect(err.reason).toBe('Conflict');
    expect(err.message).toContain(`the UID in the precondition (other) does not match the UID in record (${c.metadata?.uid})`);
    const err2 = await failure(env.client.delete('configmaps', 'default', 'pre', { preconditions: { resourceVersion: '1' } }));
    expect(err2.reason).toBe('Conflict');
    const ok = await env.client.delete('configmaps', 'default', 'pre', { preconditions: { uid: c.metadata?.uid, resourceVersion: c.metadata?.resourceVersion } });
    expect(ok.removed).toBe(true);
  });
});

describe('namespaces', () => {
  it('deleting a namespace empties it, refuses new content meanwhile, then removes it', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } as Namespace);
    await env.client.create(cm('c1', 'doomed'));
    await env.client.create(pod('plain', 'doomed'));
    await env.client.create(pod('running', 'doomed', { nodeName: 'node-1' }));
    const nsWatch = env.client.watch('namespaces', { fieldSelector: 'metadata.name=doomed' });
    const r = new EventReader(nsWatch);
    expect((await r.next()).type).toBe('ADDED');

    const res = await env.client.delete('namespaces', '', 'doomed');
    expect(res.removed).toBe(false);
    const ns = (await env.client.get('namespaces', '', 'doomed')) as Namespace;
    expect(ns.status?.phase).toBe('Terminating');
    expect(ns.metadata?.deletionTimestamp).toBeDefined();

    const err = await failure(env.client.create(cm('late', 'doomed')));
    expect(err.reason).toBe('Forbidden');
    expect(err.message).toContain('unable to create new content in namespace doomed because it is being terminated');

    // Everything but the running pod goes; that one waits for its node agent.
    await waitFor('namespace content deleted', async () => (await gone('configmaps', 'doomed', 'c1')) && (await gone('pods', 'doomed', 'plain')));
    const running = await waitFor('running pod terminating', async () => {
      const p = await env.client.get('pods', 'doomed', 'running');
      return p.metadata?.deletionTimestamp ? p : undefined;
    });
    expect(running.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect(await gone('namespaces', '', 'doomed')).toBe(false);

    await env.client.delete('pods', 'doomed', 'running', { gracePeriodSeconds: 0 });
    await waitFor('namespace removed', () => gone('namespaces', '', 'doomed'));
    let ev: TypedWatchEvent<Namespace>;
    do ev = await r.next();
    while (ev.type !== 'DELETED');
    expect(ev.object.metadata?.name).toBe('doomed');
    nsWatch.cancel();
  });
});

describe('validation', () => {
  it('surfaces field errors as Invalid with the Kubernetes message', async () => {
    const err = await failure(env.client.create(pod('Bad_Name')));
    expect(err.reason).toBe('Invalid');
    expect(err.message).toMatch(/^Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(err.details?.causes?.[0]?.field).toBe('metadata.name');
  });
});

describe('concurrent writers', () => {
  it('loses no update: N clients increment one counter with get+update+retry on Conflict', async () => {
    await env.client.create({ ...cm('counter'), metadata: { name: 'counter', namespace: 'default', annotations: { count: '0' } } });
    const writers = 6;
    const perWriter = 10;
    let conflicts = 0;
    const clients = Array.from({ length: writers }, () => new Client({ endpoints: [env.server.address] }));
    try {
      await Promise.all(
        clients.map(async (c) => {
          for (let i = 0; i < perWriter; i++) {
            for (;;) {
              const cur = await c.get('configmaps', 'default', 'counter');
              const n = Number(cur.metadata?.annotations?.count ?? '0');
              try {
                await c.update({ ...cur, metadata: { ...cur.metadata, annotations: { count: String(n + 1) } } });
                break;
              } catch (err) {
                if ((err as StatusError).reason !== 'Conflict') throw err;
                conflicts++;
              }
            }
          }
        }),
      );
    } finally {
      for (const c of clients) c.close();
    }
    const final = await env.client.get('configmaps', 'default', 'counter');
    expect(final.metadata?.annotations?.count).toBe(String(writers * perWriter));
    expect(conflicts).toBeGreaterThan(0); // they really raced
  });
});
