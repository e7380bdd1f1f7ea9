// One apiserver connection's Requests stream: unary requests sent as frames on a single
// long-lived gRPC stream and matched to their answers by id. A request fails alone (its
// encoding, its answer, its deadline); the stream failing fails the requests in flight
// with the stream's gRPC status, as their unary calls would have failed with the
// connection's, and the next request opens a new stream.
import * as grpc from '@grpc/grpc-js';
import {
  FRAME_FIELDS,
  FRAME_RESPONSE_FIELDS,
  StatusError,
  decodeMessage,
  encodeMessage,
  frameId,
  resourceService,
  type FramedMethod,
  type ResponseFrame,
} from '@kubesim/api';

interface Pending {
  method: FramedMethod;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

/** A transport failure shaped as grpc-js reports one, so callers treat both alike. */
export function transportError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata: new grpc.Metadata() });
}

const raw = (b: Buffer) => b;
const PATH = resourceService.Requests.path;
/**
 * An open stream keeps its process alive (grpc-js holds the connection while a call is
 * active), so one with nothing in flight is ended after this long; busy callers keep it.
 */
const IDLE_MS = 1000;

export class RequestStream {
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The server does not serve Requests (an older apiserver): use unary calls. */
  unsupported = false;

  constructor(
    private readonly conn: grpc.Client,
    private readonly metadata: grpc.Metadata,
    /** The channel's max_send_message_length: a bigger frame would fail the whole stream. */
    private readonly maxMessageBytes: number,
  ) {}

  /** Sends one request; resolves with its answer or rejects with a StatusError or a gRPC ServiceError. */
  request<Res>(method: FramedMethod, req: unknown, timeoutMs: number): Promise<Res> {
    let id = (this.nextId = (this.nextId + 1) >>> 0);
    while (this.pending.has(id)) id = this.nextId = (this.nextId + 1) >>> 0;
    let bytes: Buffer;
    try {
      bytes = Buffer.from(encodeMessage('RequestFrame', { id, [FRAME_FIELDS[method]]: req }));
    } catch (err) {
      // What grpc-js answers a unary call whose request cannot be serialized.
      return Promise.reject(transportError(grpc.status.INTERNAL, `Request message serialization failure: ${(err as Error).message}`));
    }
    // Refused alone, with grpc-js's words for a unary call too big to send.
    if (bytes.length > this.maxMessageBytes) return Promise.reject(transportError(grpc.status.RESOURCE_EXHAUSTED, `Sent message larger than max (${bytes.length} vs. ${this.maxMessageBytes})`));
    const call = this.open();
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.idleSoon();
        reject(transportError(grpc.status.DEADLINE_EXCEEDED, `Deadline exceeded after ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      call.write(bytes);
    });
  }

  /** Ends the stream; requests still in flight fail as cancelled. */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.failAll(transportError(grpc.status.CANCELLED, 'client closed'));
  }

  private open(): grpc.ClientDuplexStream<Buffer, Buffer> {
    if (this.call) return this.call;
    const call = this.conn.makeBidiStreamRequest(PATH, raw, raw, this.metadata);
    this.call = call;
    call.on('data', (buf: Buffer) => this.answer(buf));
    call.on('error', (err: grpc.ServiceError) => this.lost(call, err));
    // Ended by the server (draining) without an error: whatever is still in flight was not taken.
    call.on('end', () => this.lost(call, transportError(grpc.status.UNAVAILABLE, 'the apiserver ended the request stream')));
    return call;
  }

  private lost(call: grpc.ClientDuplexStream<Buffer, Buffer>, err: grpc.ServiceError): void {
    if (this.call !== call) return;
    this.call = undefined;
    if (err.code === grpc.status.UNIMPLEMENTED) this.unsupported = true;
    this.failAll(err);
  }

  private failAll(err: unknown): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  private answer(buf: Buffer): void {
    let frame: ResponseFrame;
    try {
      frame = decodeMessage<ResponseFrame>('ResponseFrame', buf);
    } catch (err) {
      const id = frameId(buf);
      const p = id === undefined ? undefined : this.take(id);
      p?.reject(transportError(grpc.status.INTERNAL, `Response message parsing error: ${(err as Error).message}`));
      return;
    }
    const p = this.take(frame.id ?? 0);
    if (!p) return; // timed out already
    if (frame.error) p.reject(StatusError.fromStatus(frame.error));
    else p.resolve(frame[FRAME_RESPONSE_FIELDS[p.method]] ?? {});
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    clearTimeout(p.timer);
    this.idleSoon();
    return p;
  }

  private idleSoon(): void {
    if (this.pending.size || this.idleTimer || !this.call) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const call = this.call;
      if (this.pending.size || !call) return;
      // Detached first: the 'end' that follows is not a loss.
      this.call = undefined;
      call.end();
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}
