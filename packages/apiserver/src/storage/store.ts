// The one place that talks to etcd's KV API: reads at a revision, single-transaction
// writes, compaction. Values are the objects' JSON; metadata.resourceVersion is never
// stored, it is the key's mod revision, filled in on read.
import { StatusError, type KubeObject } from '@kubesim/api';
import { status as grpcStatus } from '@grpc/grpc-js';
import { EtcdCallError, int64, type Compare, type EtcdKv, type Int64, type RequestOp, type ResponseOp } from './etcd-kv.js';
import { prefixEnd } from './keys.js';

export type { Compare, RequestOp, ResponseOp } from './etcd-kv.js';

export interface StoredObject {
  obj: KubeObject;
  modRevision: number;
  createRevision: number;
}

/** Parses a stored value and stamps the mod revision as its resourceVersion. */
export function decodeKv(kv: { value: Buffer; mod_revision: Int64; create_revision: Int64 }): StoredObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  const meta = (obj.metadata ??= {});
  const modRevision = int64(kv.mod_revision);
  meta.resourceVersion = String(modRevision);
  return { obj, modRevision, createRevision: int64(kv.create_revision) };
}

/** The JSON that goes into etcd: the object without its resourceVersion. */
export function encodeValue(obj: KubeObject): Buffer {
  const meta = obj.metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...rest } = meta;
    void _rv;
    return Buffer.from(JSON.stringify({ ...obj, metadata: rest }));
  }
  return Buffer.from(JSON.stringify(obj));
}

/** Turns an etcd client error into the StatusError a client should see. */
export function storageError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.constructor.name : '';
  const code = err instanceof EtcdCallError ? err.code : undefined;
  // etcd refuses a request over --max-request-bytes itself, and one far over it already in gRPC.
  if (/request is too large|received message larger than max/.test(msg)) return new StatusError('RequestEntityTooLarge', `etcdserver: request is too large`);
  if (/compacted/.test(msg)) return new StatusError('Expired', msg);
  const down = code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED || code === grpcStatus.CANCELLED;
  if (down || /Unavailable|ConnectFailed|Closed|DeadlineExceeded|Cancelled/.test(name) || /no leader|unavailable|ECONNREFUSED|timed out/i.test(msg)) {
    return new StatusError('ServiceUnavailable', `etcd is unavailable: ${msg}`);
  }
  return new StatusError('InternalError', `storage error: ${msg}`);
}

export interface ListPage {
  items: StoredObject[];
  /** The revision the whole page was read at. */
  revision: number;
  more: boolean;
  lastKey?: string;
}

export class Store {
  constructor(readonly kv: EtcdKv) {}

  /** The current object at `key` (undefined if absent) and the store revision. */
  async get(key: string): Promise<{ stored?: StoredObject; revision: number }> {
    try {
      const res = await this.kv.range({ key: Buffer.from(key) });
      return { stored: res.kvs[0] ? decodeKv(res.kvs[0]) : undefined, revision: int64(res.header?.revision) };
    } catch (err) {
      throw storageError(err);
    }
  }

  /** Keys in [start, end of prefix) at one revision (0 = now), at most `limit` (0 = all). */
  async range(prefix: string, opts: { revision?: number; startKey?: string; limit?: number } = {}): Promise<ListPage> {
    try {
      const res = await this.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        revision: opts.revision || undefined,
        limit: opts.limit || undefined,
      });
      const items = res.kvs.map(decodeKv);
      return { items, revision: int64(res.header?.revision), more: res.more, lastKey: res.kvs.at(-1)?.key.toString() };
    } catch (err) {
      throw storageError(err);
    }
  }

  /** The current revision of the store. */
  async revision(): Promise<number> {
    try {
      // A range over a key that never exists is the cheapest read with a header.
      const res = await this.kv.range({ key: Buffer.from('/kubesim-revision-probe'), count_only: true });
      return int64(res.header?.revision);
    } catch (err) {
      throw storageError(err);
    }
  }

  /** The keys under `prefix`, without their values. */
  async keys(prefix: string): Promise<string[]> {
    try {
      const res = await this.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), keys_only: true });
      return res.kvs.map((kv) => kv.key.toString());
    } catch (err) {
      throw storageError(err);
    }
  }

  async txn(compare: Compare[], success: RequestOp[], failure: RequestOp[] = []): Promise<{ succeeded: boolean; revision: number; responses: ResponseOp[] }> {
    try {
      const res = await this.kv.txn({ compare, success, failure });
      return { succeeded: res.succeeded, revision: int64(res.header?.revision), responses: res.responses };
    } catch (err) {
      throw storageError(err);
    }
  }

  async compact(revision: number): Promise<void> {
    await this.kv.compact(revision);
  }
}

// Small builders for transaction parts, so callers read like the intent.
export const cmp = {
  absent: (key: string): Compare => ({ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }),
  modRevision: (key: string, rev: number): Compare => ({ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: rev }),
};

export const op = {
  put: (key: string, value: Buffer, lease?: string): RequestOp => ({ request_put: { key: Buffer.from(key), value, lease: lease || undefined } }),
  del: (key: string): RequestOp => ({ request_delete_range: { key: Buffer.from(key) } }),
  get: (key: string): RequestOp => ({ request_range: { key: Buffer.from(key) } }),
};

/** The object a `get` op inside a transaction found, if any. */
export function rangeResult(r: ResponseOp | undefined): StoredObject | undefined {
  const kv = r?.response_range?.kvs?.[0];
  return kv ? decodeKv(kv) : undefined;
}
