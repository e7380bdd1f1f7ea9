// Exponential backoff with jitter, as a pure function of the attempt number so that the
// schedule can be tested without waiting.

export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Largest delay, ms (before jitter). */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Up to this fraction of the delay is added at random, so restarted clients spread out. */
  jitter: number;
}

/** What a reflector waits between failed attempts to reach the apiserver: 200 ms doubling to 5 s. */
export const DEFAULT_RETRY_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 5_000, factor: 2, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (0 = first retry). `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_RETRY_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * Math.pow(opts.factor, Math.max(0, attempt)));
  return Math.round(base * (1 + opts.jitter * random()));
}
