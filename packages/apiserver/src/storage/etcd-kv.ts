// etcd's KV service (Range, Txn, Compact) as gRPC unary calls made directly on a
// node:http2 session per member. Every apiserver request is one or more of these calls;
// through etcd3/grpc-js each costs ~0.45 ms of this process's CPU (its channel, retry
// and circuit-breaker layers, proto-loader's object conversions), written here ~0.18 ms.
// Watches and leases stay with etcd3: they are few and long-lived.
//
// The messages are etcd's own rpc.proto (shipped in the etcd3 package), loaded with
// protobufjs; the interfaces below are the part of them this client reads and writes.
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** An int64 as protobufjs (Long), etcd3 (decimal string) or JSON gives it. */
export type Int64 = number | string | { toNumber(): number };

export function int64(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : v.toNumber();
}

export interface KeyValue {
  key: Buffer;
  value: Buffer;
  create_revision: Int64;
  mod_revision: Int64;
}

export interface ResponseHeader {
  revision: Int64;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  keys_only?: boolean;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader | null;
  kvs: KeyValue[];
  more: boolean;
}

export interface Compare {
  key: Buffer;
  target: 'Create' | 'Mod';
  result: 'Equal';
  create_revision?: number;
  mod_revision?: number;
}

export interface RequestOp {
  request_range?: RangeRequest;
  request_put?: { key: Buffer; value: Buffer; lease?: string };
  request_delete_range?: { key: Buffer; range_end?: Buffer };
}

export interface ResponseOp {
  response_range?: RangeResponse | null;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader | null;
  succeeded: boolean;
  responses: ResponseOp[];
}

/** A call that failed, with its gRPC status code and etcd's message. */
export class EtcdCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** True when the request never left this process: trying another member is safe. */
    readonly notSent = false,
  ) {
    super(message);
    this.name = 'EtcdCallError';
  }
}

const PROTO_DIR = join(dirname(createRequire(import.meta.url).resolve('etcd3/package.json')), 'proto');

function loadTypes() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target.replace(/^.*\//, ''));
  root.loadSync('rpc.proto', { keepCase: true });
  const t = (name: string) => root.lookupType(`etcdserverpb.${name}`);
  // etcd's proto says CREATE, MOD, EQUAL; the copy in etcd3 says Create, Mod, Equal.
  const value = (enumName: string, name: string): number => {
    const values = root.lookupEnum(`etcdserverpb.Compare.${enumName}`).values;
    const found = Object.entries(values).find(([k]) => k.toUpperCase() === name.toUpperCase());
    if (!found) throw new Error(`etcd's rpc.proto has no ${enumName} ${name}`);
    return found[1];
  };
  return {
    RangeRequest: t('RangeRequest'),
    RangeResponse: t('RangeResponse'),
    TxnRequest: t('TxnRequest'),
    TxnResponse: t('TxnResponse'),
    CompactionRequest: t('CompactionRequest'),
    CompactionResponse: t('CompactionResponse'),
    target: { Create: value('CompareTarget', 'CREATE'), Mod: value('CompareTarget', 'MOD') },
    result: { Equal: value('CompareResult', 'EQUAL') },
  };
}

let types: ReturnType<typeof loadTypes> | undefined;
const typesOnce = () => (types ??= loadTypes());

export interface EtcdKvOptions {
  /** Member URLs (http://host:port). */
  endpoints: string[];
  /** A call not answered in this long fails with DEADLINE_EXCEEDED (a paused member). */
  callTimeoutMs?: number;
  /** A member that does not accept a connection in this long is skipped. */
  connectTimeoutMs?: number;
}

interface Member {
  session: http2.ClientHttp2Session;
  ready: Promise<void>;
}

const WINDOW_BYTES = 32 * 1024 * 1024;

export class EtcdKv {
  private readonly endpoints: string[];
  private readonly members = new Map<string, Member>();
  /** The member calls go to first; moves on when it fails. */
  private preferred = 0;
  private closed = false;
  private readonly callTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(opts: EtcdKvOptions) {
    if (!opts.endpoints.length) throw new Error('no etcd endpoint given');
    this.endpoints = opts.endpoints.map((e) => new URL(e.includes('://') ? e : `http://${e}`).origin);
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    typesOnce();
  }

  async range(req: RangeRequest): Promise<RangeResponse> {
    const t = typesOnce();
    return (await this.call('/etcdserverpb.KV/Range', t.RangeRequest.encode(req).finish(), t.RangeResponse, true)) as unknown as RangeResponse;
  }

  async txn(req: TxnRequest): Promise<TxnResponse> {
    const t = typesOnce();
    const compare = req.compare.map((c) => ({ ...c, target: t.target[c.target], result: t.result[c.result] }));
    const body = t.TxnRequest.encode({ compare, success: req.success, failure: req.failure }).finish();
    return (await this.call('/etcdserverpb.KV/Txn', body, t.TxnResponse, false)) as unknown as TxnResponse;
  }

  async compact(revision: number): Promise<void> {
    const t = typesOnce();
    await this.call('/etcdserverpb.KV/Compact', t.CompactionRequest.encode({ revision, physical: false }).finish(), t.CompactionResponse, true);
  }

  close(): void {
    this.closed = true;
    for (const m of this.members.values()) m.session.close();
    this.members.clear();
  }

  /**
   * Tries the members in turn, starting with the preferred one. A request moves on to the
   * next member when it was never sent, or when it is a read and the member is unavailable;
   * a write whose fate is unknown fails (its transaction's compares make a retry by the
   * caller safe).
   */
  private async call(path: string, body: Uint8Array, resType: protobuf.Type, idempotent: boolean): Promise<protobuf.Message> {
    let last: EtcdCallError | undefined;
    const first = this.preferred;
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const i = (first + attempt) % this.endpoints.length;
      try {
        return await this.once(this.endpoints[i], path, body, resType);
      } catch (err) {
        const e = err instanceof EtcdCallError ? err : new EtcdCallError(grpcStatus.UNAVAILABLE, String(err));
        last = e;
        const memberDown = e.notSent || e.code === grpcStatus.UNAVAILABLE || e.code === grpcStatus.DEADLINE_EXCEEDED;
        if (memberDown && this.preferred === i) this.preferred = (i + 1) % this.endpoints.length;
        if (this.closed || !(e.notSent || (idempotent && memberDown))) throw e;
      }
    }
    throw last ?? new EtcdCallError(grpcStatus.UNAVAILABLE, 'no etcd endpoint');
  }

  private member(endpoint: string): Member {
    const existing = this.members.get(endpoint);
    if (existing && !existing.session.closed && !existing.session.destroyed) return existing;
    const session = http2.connect(endpoint, { settings: { enablePush: false, initialWindowSize: WINDOW_BYTES }, maxSessionMemory: 64 });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: no connection within ${this.connectTimeoutMs} ms`, true));
        session.destroy();
      }, this.connectTimeoutMs);
      session.once('connect', () => {
        clearTimeout(timer);
        // Large ranges (lists) arrive at full speed rather than 64 KiB per round trip.
        session.setLocalWindowSize(WINDOW_BYTES);
        resolve();
      });
      session.once('close', () => {
        clearTimeout(timer);
        reject(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: connection closed`, true));
      });
    });
    ready.catch(() => undefined);
    // Errors reach the calls through their streams; a session error only ends the session.
    session.on('error', () => session.destroy());
    session.once('goaway', () => this.forget(endpoint, session));
    session.once('close', () => this.forget(endpoint, session));
    // An idle connection does not hold the process open.
    session.unref();
    const m = { session, ready };
    this.members.set(endpoint, m);
    return m;
  }

  private forget(endpoint: string, session: http2.ClientHttp2Session): void {
    if (this.members.get(endpoint)?.session === session) this.members.delete(endpoint);
  }

  private async once(endpoint: string, path: string, body: Uint8Array, resType: protobuf.Type): Promise<protobuf.Message> {
    if (this.closed) throw new EtcdCallError(grpcStatus.CANCELLED, 'etcd client closed', true);
    const m = this.member(endpoint);
    await m.ready;
    const frame = Buffer.allocUnsafe(5 + body.length);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    frame.set(body, 5);
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = m.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      } catch (err) {
        // The session went away between the check and the request.
        this.forget(endpoint, m.session);
        reject(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: ${(err as Error).message}`, true));
        return;
      }
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      let done = false;
      const finish = (err: EtcdCallError | undefined, res?: protobuf.Message) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res!);
      };
      const timer = setTimeout(() => {
        finish(new EtcdCallError(grpcStatus.DEADLINE_EXCEEDED, `etcd ${endpoint}: no answer within ${this.callTimeoutMs} ms`));
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }, this.callTimeoutMs);
      const takeStatus = (h: http2.IncomingHttpHeaders) => {
        const s = h['grpc-status'];
        if (s === undefined) return;
        status = String(s);
        const raw = h['grpc-message'];
        if (raw !== undefined) {
          try {
            message = decodeURIComponent(String(raw));
          } catch {
            message = String(raw);
          }
        }
      };
      // A failed call is usually trailers-only: its status comes with the headers.
      stream.on('response', takeStatus);
      stream.on('trailers', takeStatus);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => finish(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: ${err.message}`)));
      stream.on('close', () => {
        if (status === undefined) return finish(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: the call ended without a status (stream code ${stream.rstCode})`));
        if (status !== '0') return finish(new EtcdCallError(Number(status), message || `etcd call failed with gRPC status ${status}`));
        const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (data.length < 5 || data[0] !== 0) return finish(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: unreadable answer`));
        try {
          finish(undefined, resType.decode(data.subarray(5, 5 + data.readUInt32BE(1))));
        } catch (err) {
          finish(new EtcdCallError(grpcStatus.UNAVAILABLE, `etcd ${endpoint}: unreadable answer: ${(err as Error).message}`));
        }
      });
      stream.end(frame);
    });
  }
}
