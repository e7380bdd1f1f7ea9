// Kubernetes' slowStartBatch: issue `count` calls in batches of 1, 2, 4, ... and stop at
// the first batch with an error, so a controller whose creates all fail (quota, an
// invalid template, an apiserver in trouble) makes one failing call, not hundreds.
export const SLOW_START_INITIAL_BATCH = 1;

/** Returns how many calls succeeded and the first error, if any. */
export async function slowStartBatch(count: number, initialBatch: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
