// Runs a controller's workers: each takes a key, reconciles it, and tells the queue how
// it went (success forgets the key's backoff, failure retries it rate-limited). A key is
// never in two workers at once (the queue guarantees it), so reconcile needs no locks.
import type { Logger, WorkQueue } from '@kubesim/client';
import type { Controller } from './controller.js';

export async function processNext(controller: Controller, queue: WorkQueue<string>, log: Logger, signal?: AbortSignal): Promise<boolean> {
  const key = await queue.get();
  if (key === undefined) return false;
  try {
    // After leadership is lost, keys still queued are dropped, not reconciled.
    if (signal?.aborted) return false;
    const res = await controller.reconcile(key);
    queue.forget(key);
    if (res?.requeueAfterMs !== undefined) queue.addAfter(key, res.requeueAfterMs);
  } catch (err) {
    const requeues = queue.numRequeues(key);
    log.warn({ key, requeues, error: (err as Error)?.message ?? String(err) }, `error syncing ${key}: ${(err as Error)?.message ?? String(err)}`);
    queue.addRateLimited(key);
  } finally {
    queue.done(key);
  }
  return true;
}

/** Runs `workers` loops until the queue shuts down; resolves when they have all ended. */
export async function runWorkers(controller: Controller, queue: WorkQueue<string>, workers: number, log: Logger, signal?: AbortSignal): Promise<void> {
  const loop = async () => {
    while (await processNext(controller, queue, log, signal));
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
}
