// The lean KV client against a real etcd: transaction compares both ways, ranges, leases,
// etcd's own errors as the store maps them, and a member that is down, refuses, or hangs.
import http2 from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../../../../test/support/etcd.js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { EtcdCallError, EtcdKv, int64 } from './etcd-kv.js';
import { Store, cmp, op, rangeResult, storageError } from './store.js';

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The `n` of a test value (the store's values are objects' JSON; these are not objects of a kind). */
const value = (i: { obj: unknown }) => (i.obj as { n?: string }).n;

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('EtcdKv', () => {
  let etcd: TestEtcd;
  let kv: EtcdKv;
  let store: Store;

  beforeAll(async () => {
    etcd = await startEtcd();
    kv = new EtcdKv({ endpoints: [etcd.endpoint] });
    store = new Store(kv);
  });
  afterAll(async () => {
    kv.close();
    await etcd.stop();
  });

  it('creates only what is absent, and updates only at the revision read', async () => {
    const first = await store.txn([cmp.absent('/t/a')], [op.put('/t/a', Buffer.from('{"metadata":{"name":"a"}}'))]);
    expect(first.succeeded).toBe(true);
    // The same create again loses its compare; the failure branch reads what is there.
    const again = await store.txn([cmp.absent('/t/a')], [op.put('/t/a', Buffer.from('{}'))], [op.get('/t/a')]);
    expect(again.succeeded).toBe(false);
    const existing = rangeResult(again.responses[0]);
    expect(existing?.modRevision).toBe(first.revision);
    expect(existing?.createRevision).toBe(first.revision);
    expect(existing?.obj.metadata).toEqual({ name: 'a', resourceVersion: String(first.revision) });

    const stale = await store.txn([cmp.modRevision('/t/a', first.revision - 1)], [op.put('/t/a', Buffer.from('{"v":2}'))]);
    expect(stale.succeeded).toBe(false);
    const fresh = await store.txn([cmp.modRevision('/t/a', first.revision)], [op.put('/t/a', Buffer.from('{"v":2}'))]);
    expect(fresh.succeeded).toBe(true);
    expect(fresh.revision).toBe(first.revision + 1);
    const { stored, revision } = await store.get('/t/a');
    expect(stored?.obj).toEqual({ v: 2, metadata: { resourceVersion: String(fresh.revision) } });
    expect(revision).toBe(fresh.revision);
    expect((await store.get('/t/missing')).stored).toBeUndefined();

    const del = await store.txn([cmp.modRevision('/t/a', fresh.revision)], [op.del('/t/a')]);
    expect(del.succeeded).toBe(true);
    expect((await store.get('/t/a')).stored).toBeUndefined();
  });

  it('ranges by prefix in pages, at a past revision, and as keys only', async () => {
    for (const n of ['p1', 'p2', 'p3']) await store.txn([], [op.put(`/r/${n}`, Buffer.from(`{"n":"${n}"}`))]);
    const before = await store.revision();
    await store.txn([], [op.put('/r/p4', Buffer.from('{"n":"p4"}'))]);

    const page = await store.range('/r/', { limit: 2 });
    expect(page.items.map(value)).toEqual(['p1', 'p2']);
    expect(page.more).toBe(true);
    expect(page.lastKey).toBe('/r/p2');
    const rest = await store.range('/r/', { startKey: '/r/p2\0', revision: page.revision });
    expect(rest.items.map(value)).toEqual(['p3', 'p4']);
    expect(rest.more).toBe(false);

    const past = await store.range('/r/', { revision: before });
    expect(past.items.map(value)).toEqual(['p1', 'p2', 'p3']);
    expect(await store.keys('/r/')).toEqual(['/r/p1', '/r/p2', '/r/p3', '/r/p4']);
    expect(await store.revision()).toBe(before + 1);
  });

  it('puts with a lease, and says so when the lease is gone', async () => {
    const raw = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      const grant = await raw.leaseClient.leaseGrant({ TTL: 60 });
      await store.txn([], [op.put('/l/x', Buffer.from('{}'), grant.ID)]);
      const kvs = (await kv.range({ key: Buffer.from('/l/x') })).kvs;
      expect(kvs).toHaveLength(1);
      await raw.leaseClient.leaseRevoke({ ID: grant.ID });
      expect((await store.get('/l/x')).stored).toBeUndefined();
      const err = await failure(store.txn([], [op.put('/l/y', Buffer.from('{}'), grant.ID)]));
      expect((err as Error).message).toMatch(/lease not found/);
    } finally {
      raw.close();
    }
  });

  it("maps etcd's refusals: a compacted revision is Expired, an oversized write RequestEntityTooLarge", async () => {
    await store.txn([], [op.put('/c/a', Buffer.from('{}'))]);
    const old = await store.revision();
    await store.txn([], [op.put('/c/a', Buffer.from('{"v":1}'))]);
    await store.compact(old + 1);
    const expired = await failure(store.range('/c/', { revision: old }));
    expect(expired).toMatchObject({ reason: 'Expired' });
    expect((expired as Error).message).toMatch(/compacted/);

    // Over etcd's 1.5 MiB request limit, and over the gRPC message limit it sets above that.
    for (const mib of [1.6, 2.5]) {
      const tooLarge = await failure(store.txn([], [op.put('/c/big', Buffer.alloc(mib * 1024 * 1024, 'x'))]));
      expect(tooLarge, `${mib} MiB`).toMatchObject({ reason: 'RequestEntityTooLarge', message: 'etcdserver: request is too large' });
    }
    expect((await store.get('/c/big')).stored).toBeUndefined();
  });

  it('skips a member that refuses connections, for reads and for writes', async () => {
    const c = new EtcdKv({ endpoints: [`http://127.0.0.1:${await deadPort()}`, etcd.endpoint] });
    try {
      const s = new Store(c);
      expect((await s.txn([cmp.absent('/f/a')], [op.put('/f/a', Buffer.from('{}'))])).succeeded).toBe(true);
      expect((await s.get('/f/a')).stored).toBeDefined();
    } finally {
      c.close();
    }
  });

  it('fails a call no member answers in time with DEADLINE_EXCEEDED; a read then moves on to the next member', async () => {
    // A member that accepts the call and never answers, as a paused (SIGSTOP) etcd would.
    const held: http2.ServerHttp2Stream[] = [];
    const silent = http2.createServer();
    silent.on('stream', (s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const alone = new EtcdKv({ endpoints: [silentUrl], callTimeoutMs: 300 });
    const both = new EtcdKv({ endpoints: [silentUrl, etcd.endpoint], callTimeoutMs: 300 });
    try {
      const err = await failure(alone.range({ key: Buffer.from('/x') }));
      expect(err).toBeInstanceOf(EtcdCallError);
      expect((err as EtcdCallError).code).toBe(grpcStatus.DEADLINE_EXCEEDED);
      expect(storageError(err)).toMatchObject({ reason: 'ServiceUnavailable' });

      // A write whose fate is unknown is not sent again elsewhere; the next call starts at the next member.
      const write = await failure(both.txn({ compare: [], success: [op.put('/d/a', Buffer.from('{}'))], failure: [] }));
      expect((write as EtcdCallError).code).toBe(grpcStatus.DEADLINE_EXCEEDED);
      const read = await both.range({ key: Buffer.from('/d/a') });
      expect(read.kvs).toHaveLength(0);
      expect(int64(read.header?.revision)).toBeGreaterThan(0);
    } finally {
      alone.close();
      both.close();
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('fails calls to a member that went away as unavailable, and serves again from another', async () => {
    const other = await startEtcd();
    const c = new EtcdKv({ endpoints: [other.endpoint, etcd.endpoint] });
    try {
      // The first call connects to the first member.
      await c.txn({ compare: [], success: [op.put('/g/on-other', Buffer.from('{}'))], failure: [] });
      await other.stop();
      // Refused from now on: never sent, so even a write goes to the next member.
      const res = await c.txn({ compare: [], success: [op.put('/g/after', Buffer.from('{}'))], failure: [] });
      expect(int64(res.header?.revision)).toBeGreaterThan(0);
      expect((await c.range({ key: Buffer.from('/g/after') })).kvs).toHaveLength(1);
      expect((await c.range({ key: Buffer.from('/g/on-other') })).kvs).toHaveLength(0);
    } finally {
      c.close();
    }
    const gone = new EtcdKv({ endpoints: [other.endpoint] });
    try {
      const err = await failure(gone.range({ key: Buffer.from('/x') }));
      expect((err as EtcdCallError).code).toBe(grpcStatus.UNAVAILABLE);
      expect(storageError(err)).toMatchObject({ reason: 'ServiceUnavailable' });
    } finally {
      gone.close();
    }
  });
});
