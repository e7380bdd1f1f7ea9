// A shared informer: one Reflector feeding one indexed cache, fanning changes out to
// any number of handlers. Controllers read from `informer.indexer` and enqueue keys from
// the handlers; they never list the apiserver themselves.
import type { KubeObject } from '@kubesim/api';
import { newLogger, type Logger } from '../log.js';
import type { BackoffOptions } from '../util/backoff.js';
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import type { ListerWatcher } from './listerwatcher.js';
import { Reflector } from './reflector.js';
import { Indexer, type Indexers, type StoreSink } from './store.js';

/**
 * What onDelete receives when an object vanished while the watch was down: the delete
 * itself was never seen, so `obj` is the last state the cache knew.
 */
export interface DeletedFinalStateUnknown<T> {
  readonly tombstone: true;
  readonly key: string;
  readonly obj: T;
}

export function isTombstone<T>(x: T | DeletedFinalStateUnknown<T>): x is DeletedFinalStateUnknown<T> {
  return typeof x === 'object' && x !== null && (x as { tombstone?: unknown }).tombstone === true;
}

/** The object of an onDelete argument, tombstone or not. */
export function deletedObject<T>(x: T | DeletedFinalStateUnknown<T>): T {
  return isTombstone(x) ? x.obj : x;
}

export interface ResourceEventHandler<T> {
  /** `isInInitialList`: the object came with the first list (or a late handler's replay). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  remove(): void;
  hasSynced(): boolean;
}

export interface HandlerOptions {
  /** Call onUpdate(obj, obj) for every cached object this often (ms); 0 = never. */
  resyncPeriodMs?: number;
}

export interface InformerOptions<T> {
  name?: string;
  indexers?: Indexers<T>;
  /** Default resync period of handlers that do not set one (ms; 0 = none). */
  resyncPeriodMs?: number;
  logger?: Logger;
  clock?: Clock;
  backoff?: BackoffOptions;
  random?: () => number;
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncPeriodMs: number;
  timer?: TimerHandle;
  removed: boolean;
}

export class SharedIndexInformer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly name: string;
  private readonly reflector: Reflector<T>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly defaultResyncMs: number;
  private listeners: Listener<T>[] = [];
  private synced = false;
  private started = false;
  private stoppedFlag = false;
  private waiters = new Set<() => void>();

  constructor(lw: ListerWatcher<T>, opts: InformerOptions<T> = {}) {
    this.name = opts.name ?? lw.description ?? 'objects';
    this.log = (opts.logger ?? newLogger('informer')).child({ informer: this.name });
    this.clock = opts.clock ?? realClock;
    this.defaultResyncMs = opts.resyncPeriodMs ?? 0;
    this.indexer = new Indexer<T>(opts.indexers ?? {});
    this.reflector = new Reflector<T>(lw, this.sink(), {
      name: this.name,
      logger: opts.logger,
      clock: opts.clock,
      backoff: opts.backoff,
      random: opts.random,
    });
  }

  /**
   * Registers handlers. A handler added after the cache synced first gets onAdd for
   * every cached object, so it sees the same world as handlers added before start.
   */
  addEventHandler(handler: ResourceEventHandler<T>, opts: HandlerOptions = {}): HandlerRegistration {
    const listener: Listener<T> = { handler, resyncPeriodMs: opts.resyncPeriodMs ?? this.defaultResyncMs, removed: false };
    this.listeners.push(listener);
    if (this.synced) for (const obj of this.indexer.list()) this.call(listener, 'onAdd', () => handler.onAdd?.(obj, true));
    if (this.started && !this.stoppedFlag) this.scheduleResync(listener);
    return {
      remove: () => {
        listener.removed = true;
        listener.timer?.cancel();
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
      hasSynced: () => this.synced,
    };
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Starts listing and watching (idempotent). */
  start(): void {
    if (this.started || this.stoppedFlag) return;
    this.started = true;
    void this.reflector.run();
    for (const l of this.listeners) this.scheduleResync(l);
  }

  /** Stops the reflector and resync timers; pending waitForSync calls resolve false. */
  async stop(): Promise<void> {
    this.stoppedFlag = true;
    for (const l of this.listeners) l.timer?.cancel();
    this.wake();
    await this.reflector.stop();
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isStopped(): boolean {
    return this.stoppedFlag;
  }

  /** True once the first list has been put in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /** Resolves true when synced, false if the informer stops or the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stoppedFlag || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(this.synced);
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private sink(): StoreSink<T> {
    const upsert = (obj: T) => {
      const old = this.indexer.getFor(obj);
      this.indexer.update(obj);
      if (old) this.dispatch('onUpdate', (h) => h.onUpdate?.(old, obj));
      else this.dispatch('onAdd', (h) => h.onAdd?.(obj, false));
    };
    return {
      add: upsert,
      update: upsert,
      delete: (obj) => {
        this.indexer.delete(obj);
        this.dispatch('onDelete', (h) => h.onDelete?.(obj));
      },
      replace: (items, resourceVersion) => this.replace(items, resourceVersion),
    };
  }

  /**
   * Swaps in a fresh list and tells handlers what changed since the cache's last view:
   * new objects are adds, changed ones (another resourceVersion) updates, and objects
   * that vanished while the watch was down deletes carrying a tombstone.
   */
  private replace(items: T[], resourceVersion: string): void {
    const initial = !this.synced;
    const keyOf = this.indexer.keyFunc;
    const fresh = new Set(items.map(keyOf));
    const gone: DeletedFinalStateUnknown<T>[] = [];
    for (const key of this.indexer.listKeys()) {
      if (!fresh.has(key)) gone.push({ tombstone: true, key, obj: this.indexer.get(key)! });
    }
    const previous = items.map((obj) => this.indexer.getFor(obj));
    this.indexer.replace(items, resourceVersion);
    items.forEach((obj, i) => {
      const old = previous[i];
      if (!old) this.dispatch('onAdd', (h) => h.onAdd?.(obj, initial));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.dispatch('onUpdate', (h) => h.onUpdate?.(old, obj));
    });
    for (const t of gone) this.dispatch('onDelete', (h) => h.onDelete?.(t));
    if (initial) {
      this.synced = true;
      this.log.debug({ count: items.length, resourceVersion }, `cache of ${this.name} synced`);
      this.wake();
    }
  }

  private dispatch(what: string, fn: (h: ResourceEventHandler<T>) => void): void {
    for (const l of this.listeners) this.call(l, what, () => fn(l.handler));
  }

  private call(listener: Listener<T>, what: string, fn: () => void): void {
    if (listener.removed) return;
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `${what} handler of ${this.name} informer threw`);
    }
  }

  private scheduleResync(l: Listener<T>): void {
    if (l.resyncPeriodMs <= 0 || l.removed) return;
    l.timer = this.clock.setTimer(() => {
      if (l.removed || this.stoppedFlag) return;
      if (this.synced) for (const obj of this.indexer.list()) this.call(l, 'onUpdate', () => l.handler.onUpdate?.(obj, obj));
      this.scheduleResync(l);
    }, l.resyncPeriodMs);
  }
}

/** Waits for every informer (or registration) to sync; false if the signal aborts first. */
export async function waitForCacheSync(signal: AbortSignal | undefined, ...informers: Array<{ waitForSync(signal?: AbortSignal): Promise<boolean> }>): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForSync(signal)));
  return results.every(Boolean);
}
