// The typed gRPC client of the ResourceService: the client-go "clientset" of kubesim.
// It takes a list of apiserver endpoints and fails over between them when one is gone.
import * as grpc from '@grpc/grpc-js';
import { RequestStream } from './request-stream.js';
import {
  STATUS_TRAILER,
  StatusError,
  decodeStatus,
  resourceService,
  GrpcCode,
  type DeleteRequest,
  type DeleteResponse,
  type KubeObject,
  type ListResponse,
  type ResourceKinds,
  type ResourceName,
  type StatusReason,
  type VersionInfo,
  type WatchEvent,
  type Binding,
  type LogChunk,
  type KindMap,
  type FramedMethod,
  type Status,
} from '@kubesim/api';

export interface ClientOptions {
  /** host:port of one or more apiservers; calls fail over in order. */
  endpoints: string[];
  /** Per-call deadline for unary calls, ms (default 30 s). */
  timeoutMs?: number;
  /** Sent as the user-agent and shown in apiserver logs. */
  userAgent?: string;
  /** Bearer token, sent as `authorization` metadata. */
  token?: string;
  /**
   * How requests travel: as frames on one stream per apiserver (default; a tenth of the
   * CPU of a unary call in grpc-js), or as a unary call each.
   */
  transport?: 'stream' | 'unary';
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface WatchOptions extends ListOptions {
  /** "" sends existing objects as ADDED first; a revision resumes after it. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: DeleteRequest['preconditions'];
  dryRun?: boolean;
}

export interface TypedList<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface TypedWatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/** A running watch: iterate its events; `cancel()` ends it (the iterator then returns). */
export interface Watch<T> extends AsyncIterable<TypedWatchEvent<T>> {
  cancel(): void;
  /** The apiserver endpoint serving it. */
  readonly endpoint: string;
}

type Obj<R extends ResourceName> = ResourceKinds[R];

/** The full interface of an object's kind: what the apiserver answers with, whatever literal was sent. */
export type KindOf<T> = T extends { kind?: infer K } ? (K extends keyof KindMap ? KindMap[K] : T) : T;

export interface PodLogsOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
}

/** A log stream: chunks of bytes as the container wrote them. */
export interface LogStream extends AsyncIterable<Buffer> {
  cancel(): void;
}

const GRPC_TO_REASON: Record<number, StatusReason> = {
  [GrpcCode.INVALID_ARGUMENT]: 'BadRequest',
  [GrpcCode.NOT_FOUND]: 'NotFound',
  [GrpcCode.ALREADY_EXISTS]: 'AlreadyExists',
  [GrpcCode.ABORTED]: 'Conflict',
  [GrpcCode.OUT_OF_RANGE]: 'Expired',
  [GrpcCode.PERMISSION_DENIED]: 'Forbidden',
  [GrpcCode.UNAUTHENTICATED]: 'Unauthorized',
  [GrpcCode.RESOURCE_EXHAUSTED]: 'RequestEntityTooLarge',
  [GrpcCode.UNAVAILABLE]: 'ServiceUnavailable',
  [GrpcCode.DEADLINE_EXCEEDED]: 'Timeout',
  [GrpcCode.UNIMPLEMENTED]: 'MethodNotAllowed',
};

/** Turns a gRPC error into the StatusError the apiserver meant (or the closest one). */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const e = err as grpc.ServiceError;
  const raw = e?.metadata?.get?.(STATUS_TRAILER)?.[0];
  if (raw instanceof Buffer) {
    try {
      return StatusError.fromStatus(decodeStatus(raw));
    } catch {
      // fall through to the gRPC code
    }
  }
  const reason = GRPC_TO_REASON[e?.code ?? -1] ?? 'InternalError';
  const detail = e?.details || e?.message || String(err);
  const msg = reason === 'ServiceUnavailable' ? `the apiserver is unavailable: ${detail}` : detail;
  return new StatusError(reason, msg);
}

const MAX_MESSAGE = 16 * 1024 * 1024;

const ServiceClient = grpc.makeGenericClientConstructor(
  resourceService as unknown as grpc.ServiceDefinition,
  'ResourceService',
);

type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;
type Stream = (req: unknown, md: grpc.Metadata, opts?: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

export class Client {
  private readonly conns: grpc.Client[];
  private readonly streams: RequestStream[];
  private current = 0;
  private readonly timeoutMs: number;
  private readonly metadata: grpc.Metadata;
  readonly endpoints: string[];

  constructor(opts: ClientOptions) {
    if (!opts.endpoints.length) throw new Error('no apiserver endpoint given');
    this.endpoints = opts.endpoints;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const chanOpts: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
      'grpc.primary_user_agent': opts.userAgent ?? 'kubesim',
      // grpc-js shares one connection per address among all clients of a process; after an
      // apiserver restart they would all fail fast during that connection's reconnect
      // backoff, even a brand-new client. A client of its own connects on its own.
      'grpc.use_local_subchannel_pool': 1,
      // Per-call bookkeeping nobody reads: channelz counters, and the retry machinery
      // (failover between apiservers is done here, per call, not by gRPC retries).
      'grpc.enable_channelz': 0,
      'grpc.enable_retries': 0,
    };
    this.conns = opts.endpoints.map((ep) => new ServiceClient(ep, grpc.credentials.createInsecure(), chanOpts));
    this.metadata = new grpc.Metadata();
    if (opts.token) this.metadata.set('authorization', `Bearer ${opts.token}`);
    if (opts.userAgent) this.metadata.set('x-kubesim-client', opts.userAgent);
    this.streams = (opts.transport ?? 'stream') === 'stream' ? this.conns.map((c) => new RequestStream(c, this.metadata, MAX_MESSAGE)) : [];
  }

  /** The endpoint calls go to now. */
  get endpoint(): string {
    return this.endpoints[this.current];
  }

  close(): void {
    for (const s of this.streams) s.close();
    for (const c of this.conns) c.close();
  }

  private async unary<Res>(method: FramedMethod, req: unknown): Promise<Res> {
    let lastErr: StatusError | undefined;
    // Try each endpoint at most once, starting with the one that worked last.
    for (let attempt = 0; attempt < this.conns.length; attempt++) {
      const idx = (this.current + attempt) % this.conns.length;
      try {
        const res = await this.call<Res>(idx, method, req);
        this.current = idx;
        return res;
      } catch (err) {
        lastErr = toStatusError(err);
        // Only a server we could not reach (or one that cannot serve now) is worth trying
        // another one for; any other answer from a server is the answer.
        if (lastErr.grpcCode !== grpc.status.UNAVAILABLE) throw lastErr;
      }
    }
    throw lastErr ?? new StatusError('ServiceUnavailable', 'no apiserver reachable');
  }

  /** One request to one endpoint: a frame on its request stream, or a unary call where that is not served. */
  private call<Res>(idx: number, method: FramedMethod, req: unknown): Promise<Res> {
    const stream = this.streams[idx];
    if (stream && !stream.unsupported) {
      return stream.request<Res>(method, req, this.timeoutMs).catch((err: unknown) => {
        // An apiserver without the Requests method: this request, and the next ones, go unary.
        if (stream.unsupported && (err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return this.unaryCall<Res>(idx, method, req);
        throw err;
      });
    }
    return this.unaryCall<Res>(idx, method, req);
  }

  private unaryCall<Res>(idx: number, method: FramedMethod, req: unknown): Promise<Res> {
    const conn = this.conns[idx] as unknown as Record<string, Unary>;
    return new Promise<Res>((resolve, reject) => {
      conn[method].call(conn, req, this.metadata, { deadline: Date.now() + this.timeoutMs }, (err, r) => (err ? reject(err) : resolve(r as Res)));
    });
  }

  create<T extends KubeObject>(obj: T, opts: { dryRun?: boolean } = {}): Promise<KindOf<T>> {
    return this.unary<KindOf<T>>('Create', { object: obj, dryRun: opts.dryRun });
  }

  get<R extends ResourceName>(resource: R, namespace: string, name: string): Promise<Obj<R>> {
    return this.unary<Obj<R>>('Get', { resource, namespace, name });
  }

  async list<R extends ResourceName>(resource: R, opts: ListOptions = {}): Promise<TypedList<Obj<R>>> {
    const res = await this.unary<ListResponse>('List', { resource, ...opts });
    return { items: (res.items ?? []) as Obj<R>[], resourceVersion: res.resourceVersion ?? '', continue: res.continue };
  }

  update<T extends KubeObject>(obj: T, opts: { dryRun?: boolean } = {}): Promise<KindOf<T>> {
    return this.unary<KindOf<T>>('Update', { object: obj, dryRun: opts.dryRun });
  }

  updateStatus<T extends KubeObject>(obj: T): Promise<KindOf<T>> {
    return this.unary<KindOf<T>>('UpdateStatus', { object: obj });
  }

  /** JSON merge patch (RFC 7386); `subresource: "status"` patches only the status. */
  patch<R extends ResourceName>(resource: R, namespace: string, name: string, patch: unknown, opts: { subresource?: 'status'; dryRun?: boolean } = {}): Promise<Obj<R>> {
    return this.unary<Obj<R>>('Patch', { resource, namespace, name, patchType: 'merge', patch: JSON.stringify(patch), subresource: opts.subresource ?? '', dryRun: opts.dryRun });
  }

  delete(resource: ResourceName, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResponse> {
    return this.unary<DeleteResponse>('Delete', { resource, namespace, name, ...opts });
  }

  /** The pods/binding subresource: binds a pod to a node. Answers a Status, as Kubernetes does (read the pod for its new state). */
  bind(binding: Binding): Promise<Status> {
    return this.unary<Status>('Bind', { binding });
  }

  version(): Promise<VersionInfo> {
    return this.unary<VersionInfo>('Version', {});
  }

  /**
   * Streams a container's logs (the pods/log subresource, proxied by the apiserver from
   * the pod's node agent). Iterate the chunks; `cancel()` ends a followed stream.
   */
  podLogs(namespace: string, name: string, opts: PodLogsOptions = {}): LogStream {
    const conn = this.conns[this.current] as unknown as Record<string, Stream>;
    const call = conn['PodLogs'].call(conn, { namespace, name, ...opts }, this.metadata);
    let cancelled = false;
    return {
      cancel() {
        cancelled = true;
        call.cancel();
      },
      async *[Symbol.asyncIterator]() {
        try {
          for await (const chunk of call as AsyncIterable<LogChunk>) yield Buffer.from(chunk.data ?? '', 'base64');
        } catch (err) {
          if (cancelled && (err as grpc.ServiceError).code === grpc.status.CANCELLED) return;
          throw toStatusError(err);
        }
      },
    };
  }

  /**
   * Opens a watch. Errors (StatusError; "Expired" when the resourceVersion is too old)
   * surface from the iterator. It does not reconnect: the Reflector does that.
   */
  watch<R extends ResourceName>(resource: R, opts: WatchOptions = {}): Watch<Obj<R>> {
    const idx = this.current;
    const conn = this.conns[idx] as unknown as Record<string, Stream>;
    const call = conn['Watch'].call(conn, { resource, ...opts }, this.metadata);
    let cancelled = false;
    const self = this;
    return {
      endpoint: this.endpoints[idx],
      cancel() {
        cancelled = true;
        call.cancel();
      },
      async *[Symbol.asyncIterator]() {
        try {
          for await (const ev of call as AsyncIterable<WatchEvent>) {
            yield ev as TypedWatchEvent<Obj<R>>;
          }
        } catch (err) {
          if (cancelled && (err as grpc.ServiceError).code === grpc.status.CANCELLED) return;
          // A watch that could not reach its server moves the client to the next one.
          if ((err as grpc.ServiceError).code === grpc.status.UNAVAILABLE && self.conns.length > 1 && self.current === idx) {
            self.current = (idx + 1) % self.conns.length;
          }
          throw toStatusError(err);
        }
      },
    };
  }
}

