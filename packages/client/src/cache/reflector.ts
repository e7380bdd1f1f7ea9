// The Reflector keeps a store equal to the apiserver's view of one resource: it lists,
// replaces the store, then watches from the list's resourceVersion, applying each event.
// A watch that ends or fails resumes from the last resourceVersion seen (bookmarks
// included); a watch answered with "Expired"/"Gone" (the revision was compacted) means
// events were lost, so it lists again. An unreachable apiserver is retried with
// exponential backoff and jitter.
import { isExpired, isStatusError, type KubeObject } from '@kubesim/api';
import type { Watch, TypedWatchEvent } from '../client.js';
import { newLogger, type Logger } from '../log.js';
import { backoffDelay, DEFAULT_RETRY_BACKOFF, type BackoffOptions } from '../util/backoff.js';
import { realClock, sleep, type Clock } from '../util/clock.js';
import type { ListerWatcher } from './listerwatcher.js';
import type { StoreSink } from './store.js';

export interface ReflectorOptions {
  /** Shown in logs; defaults to the ListerWatcher's description. */
  name?: string;
  logger?: Logger;
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /**
   * A watch that closes without any event sooner than this is treated as a failure
   * (backoff), so a server that drops every watch at once is not hammered. ms.
   */
  minWatchMs?: number;
}

export class Reflector<T extends KubeObject> {
  private readonly name: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly minWatchMs: number;
  private readonly abort = new AbortController();
  private watch: Watch<T> | undefined;
  private running: Promise<void> | undefined;
  private lastRV = '';
  private failures = 0;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly sink: StoreSink<T>,
    opts: ReflectorOptions = {},
  ) {
    this.name = opts.name ?? lw.description ?? 'objects';
    this.log = (opts.logger ?? newLogger('reflector')).child({ reflector: this.name });
    this.clock = opts.clock ?? realClock;
    this.backoff = opts.backoff ?? DEFAULT_RETRY_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.minWatchMs = opts.minWatchMs ?? 1_000;
  }

  /** The resourceVersion the store is known to be current at (list, event or bookmark). */
  get lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Starts the list/watch loop in the background; the promise settles when stopped. */
  run(): Promise<void> {
    this.running ??= this.loop().catch((err: unknown) => {
      this.log.error({ err }, `reflector for ${this.name} failed`);
    });
    return this.running;
  }

  /** Ends the loop: cancels the watch and any wait. Resolves once the loop has exited. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.watch?.cancel();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let listed;
      try {
        listed = await this.lw.list();
      } catch (err) {
        if (this.stopped) return;
        await this.waitBeforeRetry('list', err);
        continue;
      }
      if (this.stopped) return;
      this.sink.replace(listed.items, listed.resourceVersion);
      this.lastRV = listed.resourceVersion;
      this.failures = 0;
      this.log.debug({ resourceVersion: this.lastRV, count: listed.items.length }, `listed ${this.name}`);
      if (!(await this.watchUntilExpired())) return;
    }
  }

  /** Watches, resuming after breaks, until the revision expires (true) or stop (false). */
  private async watchUntilExpired(): Promise<boolean> {
    while (!this.stopped) {
      const startedAt = this.clock.now();
      let events = 0;
      let w: Watch<T> | undefined;
      try {
        w = this.lw.watch(this.lastRV);
        this.watch = w;
        for await (const ev of w) {
          if (this.stopped) break;
          events++;
          this.apply(ev);
        }
        if (this.stopped) return false;
        if (events === 0 && this.clock.now() - startedAt < this.minWatchMs) {
          await this.waitBeforeRetry('watch', new Error('the watch closed at once'));
        } else {
          this.failures = 0;
          this.log.debug({ resourceVersion: this.lastRV }, `watch of ${this.name} closed; resuming`);
        }
      } catch (err) {
        if (this.stopped) return false;
        if (isExpired(err)) {
          this.log.info({ resourceVersion: this.lastRV }, `watch of ${this.name} expired (${(err as Error).message}); relisting`);
          return true;
        }
        if (events > 0) {
          this.failures = 0;
          // A working watch broke with its apiserver gone: resume at once. With several
          // apiservers the client has already moved to the next, and each millisecond of
          // waiting is a gap in the stream; if that one is down too, the next failure
          // (with no event) backs off as usual.
          if (isStatusError(err, 'ServiceUnavailable')) {
            this.log.info({ resourceVersion: this.lastRV, error: (err as Error).message }, `watch of ${this.name} broke (${(err as Error).message}); resuming at once`);
            continue;
          }
        }
        await this.waitBeforeRetry('watch', err);
      } finally {
        w?.cancel();
        this.watch = undefined;
      }
    }
    return false;
  }

  private apply(ev: TypedWatchEvent<T>): void {
    const obj = ev.object;
    try {
      switch (ev.type) {
        case 'ADDED':
          this.sink.add(obj);
          break;
        case 'MODIFIED':
          this.sink.update(obj);
          break;
        case 'DELETED':
          this.sink.delete(obj);
          break;
        case 'BOOKMARK':
          break;
        default:
          this.log.warn({ type: ev.type }, `unexpected watch event type for ${this.name}`);
          return;
      }
    } catch (err) {
      // A failing consumer must not stop the cache from following the apiserver.
      this.log.error({ err, type: ev.type }, `applying a watch event of ${this.name} failed`);
    }
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.lastRV = rv;
  }

  private async waitBeforeRetry(what: 'list' | 'watch', err: unknown): Promise<void> {
    const delayMs = backoffDelay(this.failures++, this.backoff, this.random);
    const message = err instanceof Error ? err.message : String(err);
    const why = isStatusError(err, 'ServiceUnavailable') ? 'the apiserver is unreachable' : `${what} failed`;
    this.log.warn({ delayMs, attempt: this.failures, resourceVersion: this.lastRV, error: message }, `${why} (${what} ${this.name}: ${message}); retrying in ${delayMs} ms`);
    await sleep(delayMs, this.abort.signal, this.clock);
  }
}
