// The scheduling queue, as kube-scheduler's PriorityQueue: pods wait in
//  - activeQ: ready to be tried, highest priority first, then oldest;
//  - backoffQ: failed recently, retried after a per-pod exponential backoff (1 s doubling
//    to 10 s by attempts);
//  - unschedulable: fit nowhere; they stay until the cluster changes in a way that might
//    help (moveAllToActiveOrBackoff) or, at the latest, after unschedulableTimeoutMs.
// A popped pod is "in flight" until done(): updates to it are kept for its requeue, and a
// delete makes the requeue a no-op.
import type { Pod } from '@kubesim/api';
import { realClock, type Clock, type TimerHandle } from '@kubesim/client';
import { KeyedHeap } from './heap.js';
import { newPodInfo, type PodInfo } from './podinfo.js';

export interface QueuedPodInfo {
  info: PodInfo;
  /** Scheduling attempts so far (counted at pop). */
  attempts: number;
  /** When the pod last entered a queue or failed (clock ms): backoff counts from here. */
  timestamp: number;
  /** Arrival order, the last tie-breaker. */
  seq: number;
}

export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest stay in the unschedulable set without a cluster change (default 60 s). */
  unschedulableTimeoutMs?: number;
  /** How often the unschedulable set is checked for pods past that timeout (default 15 s). */
  unschedulableFlushMs?: number;
}

export interface QueueCounts {
  active: number;
  backoff: number;
  unschedulable: number;
  inFlight: number;
}

function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.info.priority !== b.info.priority) return a.info.priority > b.info.priority;
  if (a.info.createdMs !== b.info.createdMs) return a.info.createdMs < b.info.createdMs;
  return a.seq < b.seq;
}

/** kube-scheduler's backoff: initial * 2^(attempts-1), at most max. */
export function backoffDuration(attempts: number, initialMs: number, maxMs: number): number {
  let d = initialMs;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d >= maxMs) return maxMs;
  }
  return Math.min(d, maxMs);
}

/** Does the change to an unscheduled pod deserve another try (not just a status or metadata write)? */
export function podUpdateMayHelp(oldPod: Pod, newPod: Pod): boolean {
  if (JSON.stringify(oldPod.spec) !== JSON.stringify(newPod.spec)) return true;
  if (JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(newPod.metadata?.labels ?? {})) return true;
  return JSON.stringify(oldPod.metadata?.annotations ?? {}) !== JSON.stringify(newPod.metadata?.annotations ?? {});
}

const key = (q: QueuedPodInfo) => q.info.key;

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  private readonly active = new KeyedHeap<QueuedPodInfo>(key, activeLess);
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, { qp: QueuedPodInfo; deleted: boolean }>();
  private seq = 0;
  private backoffTimer: { at: number; handle: TimerHandle } | undefined;
  private flushTimer: TimerHandle | undefined;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 60_000;
    const every = opts.unschedulableFlushMs ?? 15_000;
    const tick = () => {
      if (this.closed) return;
      this.flushUnschedulableLeftover();
      this.flushTimer = this.clock.setTimer(tick, every);
    };
    this.flushTimer = this.clock.setTimer(tick, every);
  }

  counts(): QueueCounts {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** Where the pod waits now, if anywhere. */
  whereIs(podKey: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(podKey)) return 'active';
    if (this.backoff.has(podKey)) return 'backoff';
    if (this.unschedulable.has(podKey)) return 'unschedulable';
    if (this.inFlight.has(podKey)) return 'inFlight';
    return undefined;
  }

  /** A new pod to schedule (or a changed one: see update). */
  add(pod: Pod): void {
    this.update(undefined, pod);
  }

  /** The pod changed. A pod waiting as unschedulable is retried if the change may help. */
  update(oldPod: Pod | undefined, pod: Pod): void {
    if (this.closed) return;
    const info = newPodInfo(pod);
    const k = info.key;
    const flying = this.inFlight.get(k);
    if (flying) {
      flying.qp.info = info;
      return;
    }
    const inActive = this.active.get(k);
    if (inActive) {
      inActive.info = info;
      this.active.push(inActive);
      return;
    }
    const inBackoff = this.backoff.get(k);
    if (inBackoff) {
      inBackoff.info = info;
      return;
    }
    const parked = this.unschedulable.get(k);
    if (parked) {
      const mayHelp = oldPod ? podUpdateMayHelp(oldPod, pod) : podUpdateMayHelp(parked.info.pod, pod);
      parked.info = info;
      if (mayHelp) {
        this.unschedulable.delete(k);
        this.activateOrBackoff(parked);
      }
      return;
    }
    this.pushActive({ info, attempts: 0, timestamp: this.clock.now(), seq: this.seq++ });
  }

  /** The pod is gone, bound elsewhere, or no longer ours. */
  delete(podKey: string): void {
    this.active.delete(podKey);
    this.backoff.delete(podKey);
    this.unschedulable.delete(podKey);
    const flying = this.inFlight.get(podKey);
    if (flying) flying.deleted = true;
  }

  /** The next pod to try, now in flight; undefined if none is active. */
  pop(): QueuedPodInfo | undefined {
    const qp = this.active.pop();
    if (!qp) return undefined;
    qp.attempts++;
    this.inFlight.set(qp.info.key, { qp, deleted: false });
    return qp;
  }

  /** The attempt is over (bound, or requeued through one of the methods below). */
  done(podKey: string): void {
    this.inFlight.delete(podKey);
  }

  /** The pod fit nowhere: it waits for a cluster change. */
  addUnschedulable(qp: QueuedPodInfo): void {
    const flying = this.takeInFlight(qp);
    if (!flying) return;
    flying.timestamp = this.clock.now();
    this.unschedulable.set(flying.info.key, flying);
  }

  /** The attempt failed for another reason (API error, bind failure): retry after the backoff. */
  addBackoff(qp: QueuedPodInfo): void {
    const flying = this.takeInFlight(qp);
    if (!flying) return;
    flying.timestamp = this.clock.now();
    this.pushBackoff(flying);
  }

  /**
   * The cluster changed in a way that may let unschedulable pods fit: move them to
   * activeQ, or to backoffQ while their backoff runs.
   */
  moveAllToActiveOrBackoff(): number {
    if (this.unschedulable.size === 0) return 0;
    const all = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const qp of all) this.activateOrBackoff(qp);
    return all.length;
  }

  /** Moves pods that waited longer than the unschedulable timeout (called periodically). */
  flushUnschedulableLeftover(): number {
    const now = this.clock.now();
    let n = 0;
    for (const [k, qp] of this.unschedulable) {
      if (now - qp.timestamp < this.unschedulableTimeoutMs) continue;
      this.unschedulable.delete(k);
      this.activateOrBackoff(qp);
      n++;
    }
    return n;
  }

  /** Resolves when a pod is active, the queue closes, or the signal aborts. */
  waitForPod(signal?: AbortSignal): Promise<void> {
    if (this.active.size > 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    this.flushTimer?.cancel();
    this.backoffTimer?.handle.cancel();
    this.wake();
  }

  private takeInFlight(qp: QueuedPodInfo): QueuedPodInfo | undefined {
    const k = qp.info.key;
    const flying = this.inFlight.get(k);
    this.inFlight.delete(k);
    if (this.closed || flying?.deleted) return undefined;
    return flying?.qp ?? qp;
  }

  private backoffExpiry(qp: QueuedPodInfo): number {
    return qp.timestamp + backoffDuration(qp.attempts, this.initialBackoffMs, this.maxBackoffMs);
  }

  private activateOrBackoff(qp: QueuedPodInfo): void {
    if (qp.attempts > 0 && this.backoffExpiry(qp) > this.clock.now()) this.pushBackoff(qp);
    else this.pushActive(qp);
  }

  private pushActive(qp: QueuedPodInfo): void {
    this.active.push(qp);
    this.wake();
  }

  private pushBackoff(qp: QueuedPodInfo): void {
    this.backoff.push(qp);
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const next = this.backoff.peek();
    if (!next || this.closed) return;
    const at = this.backoffExpiry(next);
    if (this.backoffTimer && this.backoffTimer.at <= at) return;
    this.backoffTimer?.handle.cancel();
    const handle = this.clock.setTimer(() => {
      this.backoffTimer = undefined;
      this.flushBackoffCompleted();
    }, at - this.clock.now());
    this.backoffTimer = { at, handle };
  }

  /** Moves pods whose backoff is over to activeQ. */
  private flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (let qp = this.backoff.peek(); qp && this.backoffExpiry(qp) <= now; qp = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(qp);
    }
    this.armBackoffTimer();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
