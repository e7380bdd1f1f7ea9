// ResourceService.Requests: unary requests multiplexed over one client stream. Each
// frame runs through the same handler as its unary method, concurrently with the others,
// and is answered by id. A request that fails fails alone, as a unary call would: frames
// are decoded and encoded here, one by one, not by grpc-js for the whole stream.
import type * as grpc from '@grpc/grpc-js';
import {
  FRAME_FIELDS,
  FRAME_RESPONSE_FIELDS,
  StatusError,
  decodeMessage,
  encodeMessage,
  frameId,
  type FramedMethod,
  type RequestFrame,
  type ResponseFrame,
} from '@kubesim/api';

/** The work behind each framed method (the unary handlers' own functions). */
export type FrameHandlers = Record<FramedMethod, (req: never) => Promise<unknown>>;

/** Logs a failed request and turns it into the StatusError its caller gets. */
export type FailFn = (method: FramedMethod, req: unknown, err: unknown) => StatusError;

const METHODS = Object.entries(FRAME_FIELDS) as [FramedMethod, keyof RequestFrame][];

/** The method a frame carries, or undefined for an empty frame. */
export function frameMethod(frame: RequestFrame): FramedMethod | undefined {
  for (const [method, field] of METHODS) if (frame[field] !== undefined) return method;
  return undefined;
}

/**
 * The bytes of a response frame. An answer that cannot be encoded, or is bigger than a
 * message may be (it would fail the whole stream), becomes that request's error.
 */
export function encodeResponse(frame: ResponseFrame, maxMessageBytes: number): Buffer {
  let se: StatusError;
  try {
    const bytes = Buffer.from(encodeMessage('ResponseFrame', frame));
    if (bytes.length <= maxMessageBytes) return bytes;
    se = new StatusError('RequestEntityTooLarge', `Sent message larger than max (${bytes.length} vs. ${maxMessageBytes})`);
  } catch (err) {
    se = new StatusError('InternalError', `response encoding failed: ${(err as Error).message}`);
  }
  return Buffer.from(encodeMessage('ResponseFrame', { id: frame.id, error: se.toStatus() }));
}

interface OpenStream {
  inFlight: number;
  draining: boolean;
  finish(): void;
}

export class RequestStreams {
  private readonly open = new Set<OpenStream>();
  private draining = false;
  private drained: (() => void)[] = [];

  constructor(
    private readonly handlers: FrameHandlers,
    private readonly fail: FailFn,
    /** The server's max_send_message_length. */
    private readonly maxMessageBytes: number,
  ) {}

  /** The grpc-js handler of the Requests method (frames arrive and leave as bytes). */
  readonly handler = (call: grpc.ServerDuplexStream<Buffer, Buffer>): void => {
    let closed = false;
    let clientDone = false;
    const write = (frame: ResponseFrame) => {
      if (!closed) call.write(encodeResponse(frame, this.maxMessageBytes));
    };
    /** Stops answering on this stream; true the first time. */
    const forget = (): boolean => {
      if (closed) return false;
      closed = true;
      this.open.delete(stream);
      return true;
    };
    const stream: OpenStream = {
      inFlight: 0,
      draining: this.draining,
      finish: () => {
        if (!forget()) return;
        call.end();
        this.settle();
      },
    };
    this.open.add(stream);
    const maybeEnd = () => {
      if (stream.inFlight === 0 && (clientDone || stream.draining)) stream.finish();
    };
    call.on('data', (buf: Buffer) => {
      let frame: RequestFrame;
      try {
        frame = decodeMessage<RequestFrame>('RequestFrame', buf);
      } catch (err) {
        const id = frameId(buf);
        if (id !== undefined) write({ id, error: new StatusError('BadRequest', `request decoding failed: ${(err as Error).message}`).toStatus() });
        return;
      }
      const id = frame.id ?? 0;
      const method = frameMethod(frame);
      if (!method) return write({ id, error: new StatusError('BadRequest', 'the request frame carries no request').toStatus() });
      // Not started, so safe for the client to send elsewhere.
      if (stream.draining) return write({ id, error: new StatusError('ServiceUnavailable', 'the apiserver is shutting down').toStatus() });
      const req = frame[FRAME_FIELDS[method]];
      stream.inFlight++;
      let p: Promise<unknown>;
      try {
        p = this.handlers[method](req as never);
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(
        (res) => write({ id, [FRAME_RESPONSE_FIELDS[method]]: res }),
        (err) => write({ id, error: this.fail(method, req, err).toStatus() }),
      ).finally(() => {
        stream.inFlight--;
        maybeEnd();
      });
    });
    call.on('end', () => {
      clientDone = true;
      maybeEnd();
    });
    const gone = () => {
      if (forget()) this.settle();
    };
    call.on('cancelled', gone);
    call.on('error', gone);
    if (stream.draining) stream.finish();
  };

  /**
   * Stops taking requests (new frames are refused as ServiceUnavailable, untouched) and
   * resolves once every stream has answered what it took and ended, or after `timeoutMs`.
   */
  drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const s of [...this.open]) {
      s.draining = true;
      if (s.inFlight === 0) s.finish();
    }
    if (this.open.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.drained.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private settle(): void {
    if (this.draining && this.open.size === 0) for (const fn of this.drained.splice(0)) fn();
  }
}
