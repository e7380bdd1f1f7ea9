// Periodic etcd compaction, as kube-apiserver's --etcd-compaction-interval: each tick
// compacts to the revision seen at the previous tick, so etcd keeps about one interval
// of history for watches to resume from. Several apiservers doing it is harmless.
import type { Logger } from 'pino';
import type { Store } from './storage/store.js';

export function startCompactor(store: Store, intervalSeconds: number, log: Logger): () => void {
  if (!(intervalSeconds > 0)) return () => {};
  let previous = 0;
  let compacted = 0;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const current = await store.revision();
      if (previous > compacted) {
        try {
          await store.compact(previous);
          log.info({ revision: previous }, 'compacted etcd');
        } catch (err) {
          // Another apiserver got there first.
          if (!/compacted/.test((err as Error).message)) throw err;
        }
        compacted = previous;
      }
      previous = current;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'etcd compaction failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
