// The node agent's NodeService (gRPC): ContainerLogs streams a container's output to the
// apiserver, which proxies `kubesim logs` here as kube-apiserver proxies to the kubelet.
import * as grpc from '@grpc/grpc-js';
import { STATUS_TRAILER, StatusError, encodeStatus, nodeService, type LogChunk, type Pod, type PodLogsRequest } from '@kubesim/api';
import type { Logger } from '@kubesim/client';
import type { Runtime } from '../runtime/runtime.js';
import { findLogPod, logContainerID } from './log-target.js';

export interface NodeServerDeps {
  runtime: Runtime;
  /** The pods this agent runs (its informer's view, with the status it wrote). */
  pods: () => Iterable<Pod>;
  log: Logger;
}

function asStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const e = err as { statusCode?: number; message?: string };
  // Docker's 404: the instance was removed between the status and the read.
  if (e?.statusCode === 404) return new StatusError('NotFound', `container not found: ${e.message ?? ''}`);
  return new StatusError('InternalError', `failed to read container logs: ${e?.message ?? String(err)}`);
}

/** A StatusError as the apiserver sends it: gRPC code, message and the Status trailer. */
function toServiceError(err: StatusError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_TRAILER, encodeStatus(err.toStatus()));
  return { code: err.grpcCode, details: err.message, metadata };
}

export class NodeServer {
  private server?: grpc.Server;

  constructor(private readonly d: NodeServerDeps) {}

  /** Binds host:port (0 = any free port) and resolves with the port bound. */
  async start(host: string, port: number): Promise<number> {
    const server = new grpc.Server();
    server.addService(nodeService as unknown as grpc.ServiceDefinition, {
      ContainerLogs: ((call: grpc.ServerWritableStream<PodLogsRequest, LogChunk>) => void this.containerLogs(call)) as grpc.handleServerStreamingCall<unknown, unknown>,
    });
    const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const bound = await new Promise<number>((resolve, reject) => server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    this.server = server;
    this.d.log.info({ address: `${host}:${bound}` }, 'node service listening');
    return bound;
  }

  private async containerLogs(call: grpc.ServerWritableStream<PodLogsRequest, LogChunk>): Promise<void> {
    const req = call.request;
    let done = false;
    let stream: NodeJS.ReadableStream | undefined;
    const finish = () => {
      done = true;
      (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    };
    call.on('cancelled', finish);
    const fail = (err: unknown) => {
      if (done) return;
      const se = asStatusError(err);
      this.d.log.debug({ pod: `${req.namespace}/${req.name}`, container: req.container, reason: se.reason }, se.message);
      finish();
      call.emit('error', toServiceError(se));
    };
    try {
      const pod = findLogPod(this.d.pods(), req);
      const id = logContainerID(pod, req.container ?? '', !!req.previous);
      stream = await this.d.runtime.logs(id, {
        follow: !!req.follow,
        tailLines: req.tailLines === undefined || req.tailLines === null ? undefined : Number(req.tailLines),
        sinceSeconds: req.sinceSeconds ? Number(req.sinceSeconds) : undefined,
        timestamps: !!req.timestamps,
      });
    } catch (err) {
      fail(err);
      return;
    }
    if (done) return finish();
    const src = stream;
    src.on('data', (b: Buffer | string) => {
      if (done) return;
      const data = (Buffer.isBuffer(b) ? b : Buffer.from(b)).toString('base64');
      // Backpressure: stop reading the runtime while the apiserver is slow.
      if (!call.write({ data })) {
        src.pause();
        call.once('drain', () => src.resume());
      }
    });
    // A followed stream ends when the container stops.
    src.on('end', () => {
      if (done) return;
      done = true;
      call.end();
    });
    src.on('error', fail);
  }

  /** Stops serving; open streams are cancelled. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.forceShutdown();
  }
}
