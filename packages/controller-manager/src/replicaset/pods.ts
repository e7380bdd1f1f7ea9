// Pure facts about pods that the ReplicaSet (and Deployment) controllers count with.
import type { Pod, PodCondition } from '@kubesim/api';

/** Not finished (Succeeded/Failed) and not terminating: a pod that counts toward replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod became ready (ms since the epoch), if it is ready and says when. */
export function podReadySince(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/** Ready for at least minReadySeconds at wall time `nowMs` (Kubernetes' IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

/**
 * When an unavailable-but-ready pod will become available (ms from now), for requeueing;
 * undefined if none will without another change.
 */
export function nextAvailableInMs(pods: Pod[], minReadySeconds: number, nowMs: number): number | undefined {
  let next: number | undefined;
  for (const p of pods) {
    const since = podReadySince(p);
    if (since === undefined || !minReadySeconds) continue;
    const left = since + minReadySeconds * 1000 - nowMs;
    if (left > 0) next = next === undefined ? left : Math.min(next, left);
  }
  return next;
}

function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function created(pod: Pod): number | undefined {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Kubernetes' ActivePods order: negative when `a` is less valuable than `b` (deleted
 * first when scaling down). Unassigned < assigned; Pending < Unknown < Running; not
 * ready < ready; ready more recently < ready longer; more restarts < fewer; newer <
 * older (no creation time first). Ties fall back to the name, so the order is total.
 */
export function comparePodsForDeletion(a: Pod, b: Pod): number {
  const aNode = a.spec?.nodeName ? 1 : 0;
  const bNode = b.spec?.nodeName ? 1 : 0;
  if (aNode !== bNode) return aNode - bNode;
  const aPhase = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
  const bPhase = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
  if (aPhase !== bPhase) return aPhase - bPhase;
  const aReady = isPodReady(a) ? 1 : 0;
  const bReady = isPodReady(b) ? 1 : 0;
  if (aReady !== bReady) return aReady - bReady;
  if (aReady) {
    const aSince = podReadySince(a);
    const bSince = podReadySince(b);
    if (aSince !== bSince) {
      // A ready pod that does not say since when counts as just ready.
      if (aSince === undefined) return -1;
      if (bSince === undefined) return 1;
      return bSince - aSince;
    }
  }
  const ra = restarts(a);
  const rb = restarts(b);
  if (ra !== rb) return rb - ra;
  const ca = created(a);
  const cb = created(b);
  if (ca !== cb) {
    if (ca === undefined) return -1;
    if (cb === undefined) return 1;
    return cb - ca;
  }
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** The `n` least valuable pods, in the order they should go. */
export function podsToDelete(pods: Pod[], n: number): Pod[] {
  if (n <= 0) return [];
  return [...pods].sort(comparePodsForDeletion).slice(0, n);
}
