// Follows the pods of a namespace through one watch and stamps, for each pod, when this
// process first saw it: created, bound to a node, Running, Ready (condition True), gone.
// The stamps are performance.now() values of the benchmark process, so they compare with
// the times the benchmark took its create calls.
import type { Client } from '@kubesim/client';
import type { Pod } from '@kubesim/api';
import { GiveUp, waitFor } from '@kubesim/launcher';

export interface PodTimes {
  added?: number;
  bound?: number;
  running?: number;
  ready?: number;
  deleted?: number;
  node?: string;
}

export interface PodTracker {
  times: Map<string, PodTimes>;
  /** Pods seen Ready (condition Ready True) at least once. */
  readyCount(): number;
  /** Pods that exist now (added, not deleted). */
  liveCount(): number;
  waitUntil(what: string, cond: () => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export const isPodReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function trackPods(client: Client, namespace: string): Promise<PodTracker> {
  const times = new Map<string, PodTimes>();
  const start = await client.list('pods', { namespace });
  const watch = client.watch('pods', { namespace, resourceVersion: start.resourceVersion });
  let failed: unknown;
  const pump = (async () => {
    try {
      for await (const ev of watch) {
        if (ev.type === 'BOOKMARK') continue;
        const now = performance.now();
        const p = ev.object;
        const name = p.metadata?.name ?? '';
        let t = times.get(name);
        if (!t) times.set(name, (t = {}));
        t.added ??= now;
        if (ev.type === 'DELETED') {
          t.deleted ??= now;
          continue;
        }
        if (p.spec?.nodeName && t.bound === undefined) {
          t.bound = now;
          t.node = p.spec.nodeName;
        }
        if (p.status?.phase === 'Running') t.running ??= now;
        if (isPodReady(p)) t.ready ??= now;
      }
    } catch (e) {
      failed = e;
    }
  })();
  const count = (f: (t: PodTimes) => boolean) => [...times.values()].filter(f).length;
  return {
    times,
    readyCount: () => count((t) => t.ready !== undefined),
    liveCount: () => count((t) => t.added !== undefined && t.deleted === undefined),
    waitUntil: (what, cond, timeoutMs) =>
      waitFor(
        what,
        async () => {
          if (failed) throw new GiveUp(`the pod watch failed: ${failed instanceof Error ? failed.message : String(failed)}`);
          return cond() ? true : undefined;
        },
        { timeoutMs, intervalMs: 20 },
      ).then(() => undefined),
    async stop() {
      watch.cancel();
      await pump;
    },
  };
}
