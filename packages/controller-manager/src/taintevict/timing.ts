// When taint-based eviction deletes a pod (Kubernetes' NoExecuteTaintManager): for every
// NoExecute taint of its node the pod's first toleration that matches decides. No match:
// delete at once. A match without tolerationSeconds: that taint is tolerated forever. A
// match with tolerationSeconds: the pod may stay that long (0 or less: not at all),
// counted from when the taint was added (its timeAdded), or from when the pod was
// created if it came later. The earliest deadline over all taints wins. Pure.
import type { Taint, Toleration } from '@kubesim/api';
import { toleratesTaint } from '@kubesim/api';

export type EvictionDecision =
  /** No NoExecute taint, or all tolerated forever. */
  | { action: 'keep' }
  /** Delete now: `taint` is not tolerated, or its toleration ran out. */
  | { action: 'evict'; taint: Taint; expired: boolean }
  /** Delete at `atMs` (ms since epoch) unless the taints change. */
  | { action: 'wait'; atMs: number; taint: Taint };

export interface EvictionInput {
  taints: readonly Taint[] | undefined;
  tolerations: readonly Toleration[] | undefined;
  /** When the pod was created (ms since epoch), if known. */
  podCreatedMs?: number;
  /** When a taint began to count (its timeAdded, else when the controller first saw it). */
  taintStartMs(taint: Taint): number;
  nowMs: number;
}

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export function decideEviction(i: EvictionInput): EvictionDecision {
  let earliest: { atMs: number; taint: Taint } | undefined;
  for (const taint of noExecuteTaints(i.taints)) {
    const tol = (i.tolerations ?? []).find((t) => toleratesTaint(t, taint));
    if (!tol) return { action: 'evict', taint, expired: false };
    if (tol.tolerationSeconds === undefined || tol.tolerationSeconds === null) continue;
    const start = Math.max(i.taintStartMs(taint), i.podCreatedMs ?? -Infinity);
    const atMs = start + Math.max(0, tol.tolerationSeconds) * 1000;
    if (!earliest || atMs < earliest.atMs) earliest = { atMs, taint };
  }
  if (!earliest) return { action: 'keep' };
  if (earliest.atMs <= i.nowMs) return { action: 'evict', taint: earliest.taint, expired: true };
  return { action: 'wait', ...earliest };
}
