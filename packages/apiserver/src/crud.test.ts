// Create/get/list/update/status/patch through real gRPC against a real etcd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Deployment, Event, Namespace, Pod, Secret, StatusError } from '@kubesim/api';
import { startEnv, type TestEnv } from './testing/env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

function pod(name: string, labels: Record<string, string> = {}, ns = 'default'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'app', image: 'nginx' }] },
  };
}

async function failure(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    return err as StatusError;
  }
  throw new Error('expected the call to fail');
}

describe('system namespaces', () => {
  it('exist at start', async () => {
    const list = await env.client.list('namespaces');
    expect(list.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    const ns = await env.client.get('namespaces', '', 'default');
    expect(ns.status?.phase).toBe('Active');
  });

  it('default and kube-system cannot be deleted', async () => {
    const err = await failure(env.client.delete('namespaces', '', 'kube-system'));
    expect(err.reason).toBe('Forbidden');
    expect(err.message).toBe('namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });
});

describe('create and get', () => {
  it('stores a pod with server-set metadata, readable as JSON in etcd', async () => {
    const created = await env.client.create(pod('web-1', { app: 'web' }));
    const m = created.metadata!;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.generation).toBe(1);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(created.status?.phase).toBe('Pending');

    const got = await env.client.get('pods', 'default', 'web-1');
    expect(got.metadata?.uid).toBe(m.uid);
    expect(got.metadata?.resourceVersion).toBe(m.resourceVersion);

    const raw = await env.raw.get('/registry/pods/default/web-1').string();
    const stored = JSON.parse(raw!);
    expect(stored.kind).toBe('Pod');
    expect(stored.metadata.name).toBe('web-1');
    expect(stored.metadata.resourceVersion).toBeUndefined();
  });

  it('defaults the namespace and resolves resource aliases', async () => {
    const p = pod('web-nons');
    delete p.metadata!.namespace;
    const created = await env.client.create(p);
    expect(created.metadata?.namespace).toBe('default');
    const got = await env.client.get('po' as 'pods', '', 'web-nons');
    expect(got.metadata?.name).toBe('web-nons');
  });

  it('refuses a second object with the same name', async () => {
    await env.client.create(pod('dup'));
    const err = await failure(env.client.create(pod('dup')));
    expect(err.reason).toBe('AlreadyExists');
    expect(err.message).toBe('pods "dup" already exists');
  });

  it('names NotFound and unknown resources as kubectl does', async () => {
    const err = await failure(env.client.get('pods', 'default', 'nope'));
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('pods "nope" not found');
    const err2 = await failure(env.client.get('foos' as 'pods', 'default', 'x'));
    expect(err2.reason).toBe('NotFound');
    expect(err2.message).toBe('the server doesn\'t have a resource type "foos"');
  });

  it('generates names from generateName', async () => {
    const p = pod('');
    p.metadata = { generateName: 'gen-', namespace: 'default' };
    const a = await env.client.create(p);
    const b = await env.client.create(p);
    expect(a.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(b.metadata?.name).not.toBe(a.metadata?.name);
  });

  it('refuses objects into a namespace that does not exist', async () => {
    const err = await failure(env.client.create(pod('x', {}, 'missing-ns')));
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('namespaces "missing-ns" not found');
  });

  it('folds Secret.stringData into data and never stores it', async () => {
    const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' }, stringData: { user: 'admin' }, data: { pw: Buffer.from('x').toString('base64') } };
    const created = await env.client.create(s);
    expect(created.stringData).toBeUndefined();
    expect(created.data).toEqual({ pw: 'eA==', user: Buffer.from('admin').toString('base64') });
    const raw = JSON.parse((await env.raw.get('/registry/secrets/default/s1').string())!);
    expect(raw.stringData).toBeUndefined();
  });

  it('refuses objects larger than the limit before etcd sees them', async () => {
    // Valid (no field limit on container args) but too big to store.
    const big = pod('big');
    big.spec!.containers![0].args = ['x'.repeat(2 * 1024 * 1024)];
    const err = await failure(env.client.create(big));
    expect(err.reason).toBe('RequestEntityTooLarge');
    expect(err.message).toMatch(/^pods "big" is too large: \d+ bytes, the limit is 1572864 bytes$/);
    expect(await env.raw.get('/registry/pods/default/big').string()).toBeNull();
  });

  it('gives events a lease so they expire', async () => {
    const ev: Event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, reason: 'Test', message: 'hello', type: 'Normal' };
    await env.client.create(ev);
    const res = await env.raw.kv.range({ key: Buffer.from('/registry/events/default/ev1') });
    expect(Number(res.kvs[0].lease)).not.toBe(0);
  });
});

describe('list', () => {
  it('lists at one revision with label and field selectors', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lst' } } as Namespace);
    await env.client.create(pod('a', { tier: 'front' }, 'lst'));
    await env.client.create(pod('b', { tier: 'back' }, 'lst'));
    await env.client.create(pod('c', { tier: 'front', canary: 'yes' }, 'lst'));
    const all = await env.client.list('pods', { namespace: 'lst' });
    expect(all.items.map((p) => p.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(Number(all.resourceVersion)).toBeGreaterThanOrEqual(Math.max(...all.items.map((p) => Number(p.metadata?.resourceVersion))));
    const front = await env.client.list('pods', { namespace: 'lst', labelSelector: 'tier=front,!canary' });
    expect(front.items.map((p) => p.metadata?.name)).toEqual(['a']);
    const byName = await env.client.list('pods', { fieldSelector: 'metadata.name=b,metadata.namespace=lst' });
    expect(byName.items.map((p) => p.metadata?.name)).toEqual(['b']);
    const across = await env.client.list('pods', { labelSelector: 'tier' });
    expect(across.items.length).toBe(3);
  });

  it('pages with limit and continue at one revision', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } } as Namespace);
    for (let i = 0; i < 7; i++) await env.client.create(pod(`p${i}`, { n: String(i % 2) }, 'pages'));
    const names: string[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    let pagesSeen = 0;
    do {
      const page = await env.client.list('pods', { namespace: 'pages', limit: 3, continue: cont });
      names.push(...page.items.map((p) => p.metadata!.name!));
      rv ??= page.resourceVersion;
      expect(page.resourceVersion).toBe(rv);
      cont = page.continue;
      if (pagesSeen === 0) await env.client.create(pod('late', {}, 'pages')); // not in this list
      pagesSeen++;
    } while (cont);
    expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(pagesSeen).toBe(3);
    const odd = await env.client.list('pods', { namespace: 'pages', labelSelector: 'n=1', limit: 2 });
    expect(odd.items.map((p) => p.metadata?.name)).toEqual(['p1', 'p3']);
    const rest = await env.client.list('pods', { namespace: 'pages', labelSelector: 'n=1', limit: 2, continue: odd.continue });
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(['p5']);
  });

  it('rejects malformed selectors as BadRequest', async () => {
    const err = await failure(env.client.list('pods', { labelSelector: 'a in (' }));
    expect(err.reason).toBe('BadRequest');
  });
});

describe('update', () => {
  it('updates with the current resourceVersion and conflicts on a stale one', async () => {
    const created = await env.client.create(pod('upd', { v: '1' }));
    const next = structuredClone(created);
    next.metadata!.labels = { v: '2' };
    const updated = await env.client.update(next);
    expect(updated.metadata?.labels).toEqual({ v: '2' });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = structuredClone(created);
    stale.metadata!.labels = { v: '3' };
    const err = await failure(env.client.update(stale));
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Operation cannot be fulfilled on pods "upd": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('without a resourceVersion updates unconditionally', async () => {
    const created = await env.client.create(pod('uncond'));
    await env.client.update({ ...created, metadata: { ...created.metadata, labels: { x: '1' } } });
    const blind = structuredClone(created);
    delete blind.metadata!.resourceVersion;
    blind.metadata!.labels = { x: '2' };
    const res = await env.client.update(blind);
    expect(res.metadata?.labels).toEqual({ x: '2' });
  });

  it('keeps system fields and status; bumps generation only when spec changes', async () => {
    const dep: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd1', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const created = await env.client.create(dep);
    expect(created.status).toBeUndefined();
    const withStatus = await env.client.updateStatus({ ...created, status: { replicas: 1, readyReplicas: 1 } });
    expect(withStatus.status?.readyReplicas).toBe(1);
    expect(withStatus.metadata?.generation).toBe(1);

    // A label change: no generation bump; status and system fields survive an update that omits/changes them.
    const relabel = structuredClone(withStatus);
    relabel.metadata!.labels = { team: 'x' };
    relabel.metadata!.creationTimestamp = '2000-01-01T00:00:00Z';
    relabel.metadata!.generation = 42;
    delete relabel.status;
    const r1 = await env.client.update(relabel);
    expect(r1.metadata?.generation).toBe(1);
    expect(r1.metadata?.creationTimestamp).toBe(created.metadata?.creationTimestamp);
    expect(r1.status?.readyReplicas).toBe(1);

    const scaled = structuredClone(r1);
    scaled.spec!.replicas = 3;
    const r2 = await env.client.update(scaled);
    expect(r2.metadata?.generation).toBe(2);

    // A status update takes nothing but the status.
    const sneaky = structuredClone(r2);
    sneaky.spec!.replicas = 9;
    sneaky.status = { replicas: 3 };
    const r3 = await env.client.updateStatus(sneaky);
    expect(r3.spec?.replicas).toBe(3);
    expect(r3.status?.replicas).toBe(3);
    expect(r3.metadata?.generation).toBe(2);

    const uidChange = structuredClone(r3);
    uidChange.metadata!.uid = '00000000-0000-0000-0000-000000000000';
    const err = await failure(env.client.update(uidChange));
    expect(err.reason).toBe('Invalid');
    expect(err.message).toContain('metadata.uid: Invalid value: "00000000-0000-0000-0000-000000000000": field is immutable');
  });

  it('does not write an update that changes nothing', async () => {
    const created = await env.client.create(pod('noop'));
    const again = await env.client.update(created);
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('returns NotFound for updates of missing objects', async () => {
    const err = await failure(env.client.update(pod('ghost')));
    expect(err.reason).toBe('NotFound');
  });
});

describe('patch', () => {
  it('merge-patches labels, removes with null, and patches status separately', async () => {
    await env.client.create(pod('pt', { a: '1', b: '2' }));
    const p1 = await env.client.patch('pods', 'default', 'pt', { metadata: { labels: { a: null, c: '3' } } });
    expect(p1.metadata?.labels).toEqual({ b: '2', c: '3' });
    const p2 = await env.client.patch('pods', 'default', 'pt', { status: { phase: 'Running' } }, { subresource: 'status' });
    expect(p2.status?.phase).toBe('Running');
    const p3 = await env.client.patch('pods', 'default', 'pt', { status: { phase: 'Failed' } });
    expect(p3.status?.phase).toBe('Running');
  });

  it('conflicts when the patch names a stale resourceVersion', async () => {
    const c = await env.client.create(pod('pt2'));
    await env.client.patch('pods', 'default', 'pt2', { metadata: { labels: { x: 'y' } } });
    const err = await failure(env.client.patch('pods', 'default', 'pt2', { metadata: { resourceVersion: c.metadata?.resourceVersion, labels: { x: 'z' } } }));
    expect(err.reason).toBe('Conflict');
  });

  it('rejects patches that break the schema or rename the object', async () => {
    await env.client.create(pod('pt3'));
    const err = await failure(env.client.patch('pods', 'default', 'pt3', { spec: { bogus: 1 } }));
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toContain('bogus');
    const err2 = await failure(env.client.patch('pods', 'default', 'pt3', { metadata: { name: 'other' } }));
    expect(err2.reason).toBe('BadRequest');
  });
});

describe('bind', () => {
  it('binds an unbound pod once and sets PodScheduled', async () => {
    await env.client.create(pod('tobind'));
    const answer = await env.client.bind({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind', namespace: 'default' }, target: { kind: 'Node', name: 'node-1' } });
    expect(answer).toMatchObject({ status: 'Success', code: 201 });
    const bound = await env.client.get('pods', 'default', 'tobind');
    expect(bound.spec?.nodeName).toBe('node-1');
    expect(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const err = await failure(env.client.bind({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind', namespace: 'default' }, target: { kind: 'Node', name: 'node-2' } }));
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Operation cannot be fulfilled on pods/binding "tobind": pod tobind is already assigned to node "node-1"');
  });

  it('binds through Create of a Binding too', async () => {
    await env.client.create(pod('tobind2'));
    await env.client.create({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind2', namespace: 'default' }, target: { kind: 'Node', name: 'node-3' } });
    expect((await env.client.get('pods', 'default', 'tobind2')).spec?.nodeName).toBe('node-3');
  });
});

describe('version', () => {
  it('reports a Kubernetes-style version and the etcd version', async () => {
    const v = await env.client.version();
    expect(v.gitVersion).toBe('v1.32.0-kubesim');
    expect(v.etcdVersion).toMatch(/^3\.4\./);
  });
});
