// Decides whether an event is new, a repeat of one already written (count it on the
// existing Event instead of writing another), or spam to drop. Pure: the caller passes
// monotonic time and reports what it wrote.
import type { Event } from '@kubesim/api';

export interface CorrelatorOptions {
  /** A repeat older than this starts a new Event (ms; default 10 min). */
  windowMs?: number;
  /** Distinct events remembered (oldest forgotten first; default 4096). */
  maxEntries?: number;
  /** Events one object may cause in a burst (default 25). */
  spamBurst?: number;
  /** One more event per this many ms for an object that used its burst (default 5 min). */
  spamRefillMs?: number;
}

export interface SeenEvent {
  /** Name of the Event object written. */
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeenAt: number;
}

export type Correlation =
  | { action: 'create' }
  | { action: 'repeat'; seen: SeenEvent }
  | { action: 'drop' };

/** Same source, object, type, reason and message: the same event happening again. */
export function eventKey(ev: Event): string {
  const o = ev.involvedObject ?? {};
  return JSON.stringify([ev.source?.component, ev.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, ev.type, ev.reason, ev.message]);
}

/** The object an event is about, from the point of view of one source (spam is counted per object). */
export function spamKey(ev: Event): string {
  const o = ev.involvedObject ?? {};
  return JSON.stringify([ev.source?.component, ev.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion]);
}

export class EventCorrelator {
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly burst: number;
  private readonly refillMs: number;
  // Map iteration order is insertion order: re-inserting on use makes it an LRU.
  private readonly seen = new Map<string, SeenEvent>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(opts: CorrelatorOptions = {}) {
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.maxEntries = opts.maxEntries ?? 4096;
    this.burst = opts.spamBurst ?? 25;
    this.refillMs = opts.spamRefillMs ?? 5 * 60_000;
  }

  correlate(ev: Event, now: number): Correlation {
    if (!this.takeToken(spamKey(ev), now)) return { action: 'drop' };
    const prev = this.seen.get(eventKey(ev));
    if (prev && now - prev.lastSeenAt <= this.windowMs) return { action: 'repeat', seen: prev };
    return { action: 'create' };
  }

  /** Records what was written for this event (after a create or a counted repeat). */
  record(ev: Event, written: Omit<SeenEvent, 'lastSeenAt'>, now: number): void {
    const key = eventKey(ev);
    this.seen.delete(key);
    this.seen.set(key, { ...written, lastSeenAt: now });
    while (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
  }

  /** Forgets an event whose Event object turned out to be gone. */
  forget(ev: Event): void {
    this.seen.delete(eventKey(ev));
  }

  private takeToken(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
      while (this.buckets.size > this.maxEntries) this.buckets.delete(this.buckets.keys().next().value!);
    }
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) / this.refillMs);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
