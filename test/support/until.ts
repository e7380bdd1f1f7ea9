// Waiting for a condition with a deadline: the one way end-to-end tests wait.

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined/false,
 * and returns that value; past `timeoutMs` fails naming `what` and the last error seen.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
