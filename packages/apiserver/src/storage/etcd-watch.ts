// One raw etcd watch over a key prefix, with previous values, that survives broken
// streams by resuming after the last revision it delivered. It ends only when closed
// or when etcd has compacted away the revision it must resume from.
import type { Etcd3, IEvent, IWatchResponse, IDuplexStream, IWatchRequest } from 'etcd3';
import type { Logger } from 'pino';
import { prefixEnd } from './keys.js';

export interface EtcdWatchHandlers {
  /** Events in revision order; called synchronously per etcd response. */
  onEvents(events: IEvent[]): void;
  /** The start revision is compacted: the watch is over. */
  onCompacted(compactRevision: number): void;
}

export class EtcdWatch {
  private nextRevision: number;
  private stream?: IDuplexStream<IWatchRequest, IWatchResponse>;
  private closed = false;
  private backoffMs = 100;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly etcd: Etcd3,
    private readonly prefix: string,
    startRevision: number,
    private readonly handlers: EtcdWatchHandlers,
    private readonly log?: Logger,
  ) {
    this.nextRevision = startRevision;
  }

  /** The next revision this watch will deliver. */
  get resumeRevision(): number {
    return this.nextRevision;
  }

  start(): void {
    void this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.dropStream();
  }

  private dropStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      try {
        s.cancel();
      } catch {
        // already gone
      }
    }
  }

  private retry(reason: unknown): void {
    if (this.closed) return;
    this.dropStream();
    this.log?.warn({ err: reason instanceof Error ? reason.message : String(reason), prefix: this.prefix, resume: this.nextRevision }, 'etcd watch broken; reconnecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 2000);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      stream = await this.etcd.watchClient.watch();
    } catch (err) {
      this.retry(err);
      return;
    }
    if (this.closed) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    const mine = () => this.stream === stream;
    stream.on('data', (res: IWatchResponse) => {
      if (!mine()) return;
      if (res.canceled) {
        const compacted = Number(res.compact_revision);
        if (compacted > 0) {
          this.close();
          this.handlers.onCompacted(compacted);
        } else {
          this.retry(new Error(`watch canceled by etcd: ${res.cancel_reason || 'no reason given'}`));
        }
        return;
      }
      if (res.created) this.backoffMs = 100;
      const events = res.events;
      if (events && events.length) {
        this.nextRevision = Number(events[events.length - 1].kv.mod_revision) + 1;
        this.handlers.onEvents(events);
      }
    });
    stream.on('error', (err: Error) => mine() && this.retry(err));
    stream.on('end', () => mine() && this.retry(new Error('watch stream ended')));
    stream.write({
      create_request: {
        key: Buffer.from(this.prefix),
        range_end: prefixEnd(this.prefix),
        start_revision: this.nextRevision,
        prev_kv: true,
      },
    });
  }
}
