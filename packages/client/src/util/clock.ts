// Time as the machinery sees it. Durations are measured on a monotonic clock so that a
// wall-clock jump (NTP, a VM resume) never makes a lease look fresh or a backoff endless;
// tests inject a FakeClock and move time by hand.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (only differences are meaningful). */
  now(): number;
  /** Wall-clock time, for timestamps written into objects. */
  wallNow(): Date;
  /** Runs fn after ms; the handle cancels it. Timers never keep the process alive on their own. */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

export const realClock: Clock = {
  now: () => performance.now(),
  wallNow: () => new Date(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires due timers in time order,
 * including timers those timers set, so a test can walk through backoffs and renewals.
 */
export class FakeClock implements Clock {
  private t: number;
  private readonly wallBase: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(startMs = 1_000_000, wallStart = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
    this.wallBase = wallStart - startMs;
  }

  now(): number {
    return this.t;
  }

  wallNow(): Date {
    return new Date(this.wallBase + this.t);
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers not yet fired nor cancelled. */
  pendingTimers(): number {
    return this.timers.filter((x) => !x.cancelled).length;
  }

  /** When the next timer is due, if any. */
  nextTimerAt(): number | undefined {
    const live = this.timers.filter((x) => !x.cancelled);
    return live.length ? Math.min(...live.map((x) => x.at)) : undefined;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled);
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.t = end;
  }

  /** Jumps time without firing timers, as a paused (SIGSTOP) process experiences it. */
  jump(ms: number): void {
    this.t += ms;
  }
}

/** Resolves after ms, or early (without rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = realClock): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
