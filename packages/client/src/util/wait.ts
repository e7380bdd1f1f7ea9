// Waiting for a condition with a deadline, for tests and for startup code: never "sleep
// and hope".

/** Lets pending promise callbacks and I/O callbacks run. */
export function flushAsync(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves once `cond()` is truthy, checking every `intervalMs`; rejects with `what`
 * after `timeoutMs` (real time).
 */
export async function waitFor(cond: () => unknown | Promise<unknown>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 5_000} ms waiting for ${opts.what ?? 'a condition'}`);
    if (opts.intervalMs) await new Promise((r) => setTimeout(r, opts.intervalMs));
    else await flushAsync();
  }
}
