// The controller work queue, with client-go's guarantees:
// - a key added many times while it waits is processed once (dedup);
// - a key is never handed to two workers at once: re-added while processing, it goes
//   back in the queue only when done() is called;
// - addAfter delays a key, addRateLimited delays it by the rate limiter's backoff.
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter.js';

export interface WorkQueueOptions<K> {
  /** Shown in logs and errors. */
  name?: string;
  clock?: Clock;
  rateLimiter?: RateLimiter<K>;
}

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  private queue: K[] = [];
  private head = 0;
  // In the queue, or waiting to re-enter it after done().
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly getters: Array<(key: K | undefined) => void> = [];
  // Delayed keys: the earliest time each may be added.
  private readonly waiting = new Map<K, number>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private shuttingDown = false;
  private drainWaiters: Array<() => void> = [];

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? 'queue';
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Keys waiting to be handed out (not counting those being processed or delayed). */
  len(): number {
    return this.queue.length - this.head;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /**
   * The next key, waiting for one if needed; undefined once the queue is shut down and
   * empty. Every key returned must be passed to done().
   */
  get(): Promise<K | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks a key processed; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    else if (this.processing.size === 0) this.notifyDrained();
  }

  /** Adds the key after ms (at once if ms <= 0). An earlier pending time wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const prev = this.waiting.get(key);
    if (prev !== undefined && prev <= at) return;
    this.waiting.set(key, at);
    this.armTimer();
  }

  /** Adds the key after its rate-limited backoff (a failure of `key`). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Resets the key's backoff (call it when the key was processed successfully). */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /** Stops taking keys; waiting get() calls resolve undefined once the queue is empty. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.waiting.clear();
    while (this.getters.length && this.len() === 0) this.getters.shift()!(undefined);
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** Shuts down and resolves once every key handed out has been marked done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private take(): K {
    const key = this.queue[this.head++];
    // Compact now and then so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private notifyDrained(): void {
    if (!this.shuttingDown) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private armTimer(): void {
    let next = Infinity;
    for (const at of this.waiting.values()) next = Math.min(next, at);
    if (next === Infinity) {
      this.timer?.cancel();
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer && this.timerAt <= next) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.clock.setTimer(() => this.fireDue(), next - this.clock.now());
  }

  private fireDue(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    const due = [...this.waiting].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of due) {
      this.waiting.delete(key);
      this.add(key);
    }
    this.armTimer();
  }
}
