// What pod GC removes (Kubernetes' podgc controller), decided from the caches alone:
// - terminated pods (Succeeded/Failed) beyond --terminated-pod-gc-threshold, oldest first;
// - pods bound to a node that does not exist, once the node has been missing for the
//   quarantine (a node informer may lag behind a new node; the controller then confirms
//   with a live read before deleting anything);
// - terminating pods that were never bound (no agent will ever confirm them).
// Pure: the controller carries `missingSince` from one pass to the next.
import type { Pod } from '@kubesim/api';

export interface PodGCInput {
  pods: readonly Pod[];
  nodeExists(name: string): boolean;
  /** node name -> when it was first found missing (ms); updated in place. */
  missingSince: Map<string, number>;
  nowMs: number;
  quarantineMs: number;
  /** 0 (or less): never delete terminated pods for their number. */
  terminatedThreshold: number;
}

export interface PodGCPlan {
  terminated: Pod[];
  unscheduledTerminating: Pod[];
  /** Missing nodes past their quarantine: confirm they are gone, then delete their pods. */
  nodesToVerify: string[];
  /** When the next missing node comes out of quarantine (ms), if any. */
  nextQuarantineEndMs?: number;
}

const isTerminated = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Oldest first (by creation, then name), as Kubernetes' byEvictionAndCreationTimestamp without the eviction key. */
function olderFirst(a: Pod, b: Pod): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const nb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export function planPodGC(i: PodGCInput): PodGCPlan {
  const terminatedAll = i.pods.filter(isTerminated);
  const excess = i.terminatedThreshold > 0 ? terminatedAll.length - i.terminatedThreshold : 0;
  const terminated = excess > 0 ? [...terminatedAll].sort(olderFirst).slice(0, excess) : [];
  const unscheduledTerminating = i.pods.filter((p) => !!p.metadata?.deletionTimestamp && !p.spec?.nodeName);

  const missing = new Set<string>();
  for (const p of i.pods) {
    const node = p.spec?.nodeName;
    if (node && !i.nodeExists(node)) missing.add(node);
  }
  for (const n of [...i.missingSince.keys()]) if (!missing.has(n)) i.missingSince.delete(n);
  const nodesToVerify: string[] = [];
  let next: number | undefined;
  for (const n of missing) {
    const since = i.missingSince.get(n) ?? i.nowMs;
    i.missingSince.set(n, since);
    const end = since + i.quarantineMs;
    if (end <= i.nowMs) nodesToVerify.push(n);
    else next = next === undefined ? end : Math.min(next, end);
  }
  return { terminated, unscheduledTerminating, nodesToVerify: nodesToVerify.sort(), ...(next !== undefined ? { nextQuarantineEndMs: next } : {}) };
}
