// The gRPC face of the registry and the watch cache. Every failure leaves as a
// StatusError: the gRPC code of its reason, its message as details, and the encoded
// Status in the trailer the client decodes.
import * as grpc from '@grpc/grpc-js';
import {
  DecodeError,
  STATUS_TRAILER,
  StatusError,
  encodeStatus,
  resourceService,
  type BindRequest,
  type CreateRequest,
  type DeleteRequest,
  type DeleteResponse,
  type GetRequest,
  type KubeObject,
  type ListRequest,
  type ListResponse,
  type PatchRequest,
  type UpdateRequest,
  type VersionInfo,
  type WatchRequest,
  type LogChunk,
  type PodLogsRequest,
  type FramedMethod,
  type Status,
} from '@kubesim/api';
import { RequestStreams, type FrameHandlers } from './request-frames.js';
import type { LogsProxy } from './logs-proxy.js';
import type { Logger } from 'pino';
import type { Registry } from './registry/registry.js';
import type { ClientWatch, WatchSink } from './watch/client-watch.js';
import { startWatch, type WatchDeps } from './watch/serve.js';

export function asStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof DecodeError) return new StatusError('BadRequest', err.message);
  return new StatusError('InternalError', err instanceof Error ? err.message : String(err));
}

export function toServiceError(err: StatusError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_TRAILER, encodeStatus(err.toStatus()));
  return { code: err.grpcCode, details: err.message, metadata };
}

/**
 * The service definition, except that watch events may be handed over pre-encoded, and
 * request frames are decoded and encoded by the Requests handler, one by one.
 */
export function serviceDefinition(): grpc.ServiceDefinition {
  const watch = resourceService.Watch;
  const raw = (v: Buffer) => v;
  return {
    ...resourceService,
    Watch: { ...watch, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : watch.responseSerialize(v as never)) },
    Requests: { ...resourceService.Requests, requestDeserialize: raw, responseSerialize: raw },
  } as unknown as grpc.ServiceDefinition;
}

/** The verb each method is logged as. */
const VERBS: Record<FramedMethod, string> = {
  Create: 'create',
  Get: 'get',
  List: 'list',
  Update: 'update',
  UpdateStatus: 'update-status',
  Patch: 'patch',
  Delete: 'delete',
  Bind: 'bind',
  Version: 'version',
};

const QUIET: ReadonlySet<string> = new Set(['NotFound', 'AlreadyExists', 'Conflict', 'Expired', 'Gone']);

export interface ServiceHandlers {
  handlers: grpc.UntypedServiceImplementation;
  /** The open Requests streams, drained before the server shuts down. */
  requestStreams: RequestStreams;
}

export function serviceHandlers(registry: Registry, watchDeps: WatchDeps, version: () => VersionInfo, log: Logger, logs: LogsProxy, maxMessageBytes: number): ServiceHandlers {
  /** Logs a failed call by how much it matters and returns the StatusError to send. */
  function failure(verb: string, req: unknown, err: unknown): StatusError {
    const se = asStatusError(err);
    const r = (req ?? {}) as { resource?: string; namespace?: string; name?: string; object?: KubeObject };
    const ctx = {
      verb,
      resource: r.resource ?? r.object?.kind,
      namespace: r.namespace ?? r.object?.metadata?.namespace,
      name: r.name ?? r.object?.metadata?.name,
      reason: se.reason,
    };
    if (se.reason === 'InternalError') log.error({ ...ctx, err }, se.message);
    else if (QUIET.has(se.reason)) log.debug(ctx, se.message);
    else log.info(ctx, se.message);
    return se;
  }

  function fail(verb: string, req: unknown, err: unknown): Partial<grpc.StatusObject> {
    return toServiceError(failure(verb, req, err));
  }

  // The work of each unary method, shared by its own call and by request frames.
  const work: FrameHandlers = {
    Create: (r: CreateRequest) => registry.create(r.object, !!r.dryRun),
    Get: (r: GetRequest) => registry.get(r.resource, r.namespace, r.name),
    List: (r: ListRequest) => registry.list(r),
    Update: (r: UpdateRequest) => registry.update(r.object, 'update', !!r.dryRun),
    UpdateStatus: (r: UpdateRequest) => registry.update(r.object, 'status', !!r.dryRun),
    Patch: (r: PatchRequest) => registry.patch(r),
    Delete: (r: DeleteRequest) => registry.delete(r),
    Bind: async (r: BindRequest): Promise<Status> => {
      await registry.bind(r.binding);
      return { status: 'Success', code: 201 };
    },
    Version: async () => version(),
  };

  function unary<Req, Res>(method: FramedMethod): grpc.handleUnaryCall<Req, Res> {
    const verb = VERBS[method];
    const fn = work[method] as (req: Req) => Promise<Res>;
    return (call, callback) => {
      let p: Promise<Res>;
      try {
        p = fn(call.request);
      } catch (err) {
        callback(fail(verb, call.request, err));
        return;
      }
      p.then(
        (res) => callback(null, res),
        (err) => callback(fail(verb, call.request, err)),
      );
    };
  }

  const watch: grpc.handleServerStreamingCall<WatchRequest, Buffer> = (call) => {
    let cancelled = false;
    let w: ClientWatch | undefined;
    const sink: WatchSink = {
      write: (bytes) => (cancelled ? true : call.write(bytes)),
      onDrain: (fn) => call.once('drain', fn),
      fail: (err) => {
        if (!cancelled) call.emit('error', toServiceError(err));
      },
    };
    call.on('cancelled', () => {
      cancelled = true;
      w?.close();
    });
    startWatch(call.request, sink, watchDeps).then(
      (started) => {
        w = started;
        if (cancelled) started.close();
        log.debug({ verb: 'watch', resource: call.request.resource, namespace: call.request.namespace || undefined, rv: call.request.resourceVersion }, 'watch started');
      },
      (err) => {
        if (!cancelled) call.emit('error', fail('watch', call.request, err));
      },
    );
  };

  const podLogs: grpc.handleServerStreamingCall<PodLogsRequest, LogChunk> = (call) => {
    let upstream: grpc.ClientReadableStream<LogChunk> | undefined;
    let done = false;
    call.on('cancelled', () => {
      done = true;
      upstream?.cancel();
    });
    logs.open(call.request).then(
      (up) => {
        upstream = up;
        if (done) return up.cancel();
        up.on('data', (chunk: LogChunk) => {
          // Backpressure: pause the node agent's stream while the client is slow.
          if (!call.write(chunk)) {
            up.pause();
            call.once('drain', () => up.resume());
          }
        });
        up.on('end', () => {
          if (!done) call.end();
          done = true;
        });
        up.on('error', (err: grpc.ServiceError) => {
          if (done) return;
          done = true;
          // The node agent's own StatusError (trailer included) goes to the client as is.
          if (err.metadata?.get(STATUS_TRAILER).length) call.emit('error', { code: err.code, details: err.details, metadata: err.metadata });
          else call.emit('error', toServiceError(new StatusError(err.code === grpc.status.UNAVAILABLE ? 'ServiceUnavailable' : 'InternalError', `error talking to the node agent: ${err.details || err.message}`)));
        });
      },
      (err) => {
        done = true;
        call.emit('error', fail('logs', call.request, err));
      },
    );
  };

  const requestStreams = new RequestStreams(work, (method, req, err) => failure(VERBS[method], req, err), maxMessageBytes);
  const handlers = {
    PodLogs: podLogs as grpc.handleServerStreamingCall<unknown, unknown>,
    Create: unary<CreateRequest, KubeObject>('Create'),
    Get: unary<GetRequest, KubeObject>('Get'),
    List: unary<ListRequest, ListResponse>('List'),
    Update: unary<UpdateRequest, KubeObject>('Update'),
    UpdateStatus: unary<UpdateRequest, KubeObject>('UpdateStatus'),
    Patch: unary<PatchRequest, KubeObject>('Patch'),
    Delete: unary<DeleteRequest, DeleteResponse>('Delete'),
    Bind: unary<BindRequest, Status>('Bind'),
    Version: unary<Record<string, never>, VersionInfo>('Version'),
    Watch: watch as grpc.handleServerStreamingCall<unknown, unknown>,
    Requests: requestStreams.handler as grpc.handleBidiStreamingCall<unknown, unknown>,
  } as grpc.UntypedServiceImplementation;
  return { handlers, requestStreams };
}
