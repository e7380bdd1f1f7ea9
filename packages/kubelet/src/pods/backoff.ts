// The kubelet's per-key backoff (CrashLoopBackOff, ImagePullBackOff): 10 s doubling to
// 5 min; an entry untouched for twice the maximum starts over, so a container that ran
// fine for 10 minutes restarts at once after its next crash.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const CRASH_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };
export const IMAGE_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly policy: BackoffPolicy) {}

  /** Ms left of the backoff that started at `since` (0: not in backoff). */
  remaining(key: string, since: number, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, since + e.delayMs - now);
  }

  /** Records one more failure of `key` at `now`: the next delay doubles (or starts over). */
  next(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.policy.maxMs) {
      this.entries.set(key, { delayMs: this.policy.initialMs, lastUpdate: now });
      return this.policy.initialMs;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.policy.maxMs);
    e.lastUpdate = now;
    return e.delayMs;
  }

  /** The current delay of `key` (0 when none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with prefix (a pod's keys when it goes). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
