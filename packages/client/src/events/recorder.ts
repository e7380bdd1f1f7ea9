// Records core/v1 Events about objects, as client-go's recorder: fire and forget (never
// throws into the caller, never blocks it), writes one at a time in the background, and
// counts repeats on the existing Event instead of creating a new one each time.
import { isAlreadyExists, isNotFound, isStatusError, nowTimestamp, resourceForKind, type Event, type KubeObject } from '@kubesim/api';
import type { Client } from '../client.js';
import { newLogger, type Logger } from '../log.js';
import { realClock, sleep, type Clock } from '../util/clock.js';
import { EventCorrelator, type CorrelatorOptions } from './correlator.js';

export type EventType = 'Normal' | 'Warning';

/** The two calls the recorder makes. */
export interface EventSink {
  create(ev: Event): Promise<Event>;
  /** JSON merge patch of an existing Event. */
  patch(namespace: string, name: string, patch: Partial<Event>): Promise<Event>;
}

export function eventSinkFor(client: Client): EventSink {
  return {
    create: (ev) => client.create(ev),
    patch: (namespace, name, patch) => client.patch('events', namespace, name, patch),
  };
}

export interface EventRecorderOptions extends CorrelatorOptions {
  /** source.component and reportingComponent ("scheduler", "kubelet", ...). */
  component: string;
  /** source.host and reportingInstance (the node name for a kubelet). */
  host?: string;
  /** reportingInstance alone, when it differs from host (a scheduler replica: no host, as kube-scheduler's events). */
  instance?: string;
  logger?: Logger;
  clock?: Clock;
  /** Events waiting to be written beyond this are dropped (default 1000). */
  maxPending?: number;
  /** Attempts per write when the apiserver is unavailable (default 3). */
  maxAttempts?: number;
}

interface Pending {
  event: Event;
  at: number;
}

function isSink(x: Client | EventSink): x is EventSink {
  return !('watch' in x);
}

export class EventRecorder {
  private readonly sink: EventSink;
  private readonly component: string;
  private readonly host: string;
  private readonly instance: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly maxPending: number;
  private readonly maxAttempts: number;
  private readonly correlator: EventCorrelator;
  private readonly pending: Pending[] = [];
  private worker: Promise<void> | undefined;
  private closed = false;
  private seq = 0;

  constructor(target: Client | EventSink, opts: EventRecorderOptions) {
    this.sink = isSink(target) ? target : eventSinkFor(target);
    this.component = opts.component;
    this.host = opts.host ?? '';
    this.instance = opts.instance ?? this.host;
    this.clock = opts.clock ?? realClock;
    this.maxPending = opts.maxPending ?? 1000;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.correlator = new EventCorrelator(opts);
    this.log = (opts.logger ?? newLogger(opts.component)).child({ recorder: 'events' });
  }

  private dropped = 0;

  /** Records that `reason` happened to `obj`. Returns at once; the write happens later. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    try {
      if (this.closed) return;
      if (this.pending.length >= this.maxPending) {
        // One warning per burst: a flood of drops would drown the component's own log.
        if (this.dropped++ === 0) this.log.warn({ reason, object: describe(obj), maxPending: this.maxPending }, 'event queue full; dropping events until it drains');
        return;
      }
      if (this.dropped > 0) {
        this.log.warn({ dropped: this.dropped }, 'event queue drained; events were dropped');
        this.dropped = 0;
      }
      this.pending.push({ event: this.makeEvent(obj, type, reason, message), at: this.clock.now() });
      this.startDrain();
    } catch (err) {
      this.log.error({ err }, 'could not record an event');
    }
  }

  /** Resolves when every event recorded so far has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Stops accepting events and writes the ones pending. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private makeEvent(obj: KubeObject, type: EventType, reason: string, message: string): Event {
    const meta = obj.metadata ?? {};
    const kind = obj.kind ?? '';
    const ts = nowTimestamp(this.clock.wallNow());
    const namespace = meta.namespace || 'default';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.eventName(meta.name ?? kind.toLowerCase()), namespace },
      involvedObject: {
        kind,
        namespace: meta.namespace ?? '',
        name: meta.name ?? '',
        uid: meta.uid ?? '',
        apiVersion: obj.apiVersion ?? resourceForKind(kind)?.apiVersion ?? '',
        resourceVersion: meta.resourceVersion ?? '',
      },
      reason,
      message,
      source: { component: this.component, host: this.host },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
  }

  // "<object>.<hex nanoseconds>", as Kubernetes names events; the sequence number keeps
  // two events of the same millisecond apart.
  private eventName(objName: string): string {
    const nanos = BigInt(this.clock.wallNow().getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return `${objName}.${nanos.toString(16)}`;
  }

  /**
   * One drain at a time. An event recorded after the loop found the queue empty but before
   * its promise settled would see a worker and wait for the next event: start again then.
   */
  private startDrain(): void {
    this.worker ??= this.drain().finally(() => {
      this.worker = undefined;
      if (this.pending.length) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    for (let p = this.pending.shift(); p; p = this.pending.shift()) {
      try {
        await this.write(p);
      } catch (err) {
        this.log.warn({ error: (err as Error).message, reason: p.event.reason, object: p.event.involvedObject?.name }, `could not write event: ${(err as Error).message}`);
      }
    }
  }

  private async write({ event, at }: Pending): Promise<void> {
    const c = this.correlator.correlate(event, at);
    if (c.action === 'drop') {
      this.log.debug({ reason: event.reason, object: event.involvedObject?.name }, 'too many events for this object; dropping');
      return;
    }
    if (c.action === 'repeat') {
      const { seen } = c;
      const count = seen.count + 1;
      try {
        await this.retry(() => this.sink.patch(seen.namespace, seen.name, { count, lastTimestamp: event.lastTimestamp }));
        this.correlator.record(event, { ...seen, count }, at);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // The Event was deleted (expired): start a new one, keeping the history.
        this.correlator.forget(event);
        event.count = count;
        event.firstTimestamp = seen.firstTimestamp;
      }
    }
    try {
      const created = await this.retry(() => this.sink.create(event));
      const meta = created.metadata ?? event.metadata!;
      this.correlator.record(event, { name: meta.name!, namespace: meta.namespace!, count: created.count ?? event.count ?? 1, firstTimestamp: created.firstTimestamp ?? event.firstTimestamp! }, at);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  private async retry<R>(call: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const transient = isStatusError(err, 'ServiceUnavailable') || isStatusError(err, 'Timeout') || isStatusError(err, 'TooManyRequests');
        if (!transient || attempt >= this.maxAttempts) throw err;
        await sleep(500 * 2 ** (attempt - 1), undefined, this.clock);
      }
    }
  }
}

function describe(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return `${obj.kind ?? ''} ${m.namespace ? m.namespace + '/' : ''}${m.name ?? ''}`;
}
