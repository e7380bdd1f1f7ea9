// Waiting for a condition with a deadline, saying what we wait for.
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Called on every failed try with the reason, for progress output. */
  onWait?: (reason: string) => void;
}

/** Thrown by a check to stop waiting at once (the thing waited for can never come). */
export class GiveUp extends Error {}

/** Polls `check` until it returns a value (not undefined) or throws past the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let last = 'not ready';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof GiveUp) throw new Error(`gave up waiting for ${what}: ${e.message}`);
      last = e instanceof Error ? e.message : String(e);
    }
    opts.onWait?.(last);
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
