// One client's watch stream: filters shared change events, queues their encoded bytes
// and writes them as fast as the client reads. A client that falls too far behind is
// cut off with Expired (it relists) instead of slowing anyone else down.
import { StatusError, type ResourceInfo } from '@kubesim/api';
import type { ChangeEvent } from './event.js';
import { encodeWatchEvent } from './event.js';
import { transition, type Predicate } from './filter.js';

/** Where a watch writes: a gRPC server stream in production, a fake in unit tests. */
export interface WatchSink {
  /** false when the transport buffer is full: wait for onDrain. */
  write(bytes: Buffer): boolean;
  onDrain(fn: () => void): void;
  /** Ends the stream with an error status. */
  fail(err: StatusError): void;
}

export interface ClientWatchOptions {
  info: ResourceInfo;
  predicate: Predicate;
  /** Deliver only changes after this revision. */
  fromRevision: number;
  bookmarks: boolean;
  /** Queued events beyond which the client counts as too slow. */
  maxQueue: number;
}

export class ClientWatch {
  readonly info: ResourceInfo;
  readonly bookmarks: boolean;
  /** Changes at or before this revision are not for this watch. */
  readonly fromRevision: number;
  /** The newest revision queued for the client. */
  lastRevision: number;
  private readonly predicate: Predicate;
  private readonly maxQueue: number;
  private queue: Buffer[] = [];
  private head = 0;
  private waitingForDrain = false;
  private closed = false;
  private readonly closeHooks: (() => void)[] = [];

  constructor(
    private readonly sink: WatchSink,
    opts: ClientWatchOptions,
  ) {
    this.info = opts.info;
    this.predicate = opts.predicate;
    this.fromRevision = opts.fromRevision;
    this.lastRevision = opts.fromRevision;
    this.bookmarks = opts.bookmarks;
    this.maxQueue = opts.maxQueue;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Runs `fn` once when the watch ends for any reason. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeHooks.push(fn);
  }

  /** Offers a change; queues it if it concerns this watch. */
  deliver(ev: ChangeEvent): void {
    if (this.closed || ev.revision <= this.fromRevision) return;
    const type = transition(this.predicate, ev.obj, ev.prev);
    if (!type) return;
    this.lastRevision = ev.revision;
    this.enqueue(ev.encode(type));
  }

  /** Queues already-encoded bytes (initial ADDED events). */
  send(bytes: Buffer): void {
    if (!this.closed) this.enqueue(bytes);
  }

  /** Queues a BOOKMARK at `revision` if the client asked for them and is keeping up. */
  bookmark(revision: number, encoded?: Buffer): void {
    if (this.closed || !this.bookmarks || this.queued > 0) return;
    const rev = Math.max(revision, this.lastRevision);
    this.enqueue(encoded ?? encodeWatchEvent({ type: 'BOOKMARK', object: bookmarkObject(this.info, rev) }));
  }

  /** Ends the watch with an error for the client. */
  fail(err: StatusError): void {
    if (this.closed) return;
    this.finish();
    this.sink.fail(err);
  }

  /** The client went away (or the server stops): stop without writing. */
  close(): void {
    if (!this.closed) this.finish();
  }

  private finish(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    for (const fn of this.closeHooks.splice(0)) fn();
  }

  private enqueue(bytes: Buffer): void {
    if (this.queued >= this.maxQueue) {
      this.fail(new StatusError('Expired', `watch of ${this.info.plural} closed: the client fell ${this.queued} events behind; list again`));
      return;
    }
    this.queue.push(bytes);
    this.pump();
  }

  private pump(): void {
    if (this.waitingForDrain) return;
    while (!this.closed && this.head < this.queue.length) {
      const bytes = this.queue[this.head++];
      if (!this.sink.write(bytes)) {
        this.waitingForDrain = true;
        this.sink.onDrain(() => {
          this.waitingForDrain = false;
          this.pump();
        });
        break;
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** The object of a BOOKMARK: the kind with only its resourceVersion set. */
export function bookmarkObject(info: ResourceInfo, revision: number) {
  return { apiVersion: info.apiVersion, kind: info.kind, metadata: { resourceVersion: String(revision) } } as import('@kubesim/api').KubeObject;
}
