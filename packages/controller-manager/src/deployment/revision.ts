// Revisions of a Deployment's ReplicaSets: the annotation `kubectl rollout history/undo`
// reads. A new template gets max(old revisions) + 1; an old ReplicaSet brought back
// (rollback, or a template changed back) also gets the next revision.
import type { ReplicaSet } from '@kubesim/api';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

export function revisionOf(rs: ReplicaSet | undefined): number {
  const v = Number(rs?.metadata?.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The revision the new ReplicaSet should carry given the old ones. */
export function nextRevision(oldRSs: ReplicaSet[]): number {
  return maxRevision(oldRSs) + 1;
}

/**
 * The annotations the new ReplicaSet should have: the next revision unless it already
 * has a newer one (kept as is), the Deployment's change-cause, and the replica counts.
 * Returns undefined when nothing changes. A revision replaced is kept in the
 * revision-history annotation, as Kubernetes does.
 */
export function newRSAnnotations(
  current: Record<string, string> | undefined,
  oldRSs: ReplicaSet[],
  deploymentAnnotations: Record<string, string> | undefined,
  desired: number,
  max: number,
): Record<string, string> | undefined {
  const out = { ...(current ?? {}) };
  const next = nextRevision(oldRSs);
  const have = Number(out[REVISION_ANNOTATION] ?? '0') || 0;
  if (have < next) {
    if (have > 0) out[REVISION_HISTORY_ANNOTATION] = out[REVISION_HISTORY_ANNOTATION] ? `${out[REVISION_HISTORY_ANNOTATION]},${have}` : String(have);
    out[REVISION_ANNOTATION] = String(next);
  }
  const cause = deploymentAnnotations?.[CHANGE_CAUSE_ANNOTATION];
  if (cause !== undefined) out[CHANGE_CAUSE_ANNOTATION] = cause;
  out[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  out[MAX_REPLICAS_ANNOTATION] = String(max);
  return JSON.stringify(out) === JSON.stringify(current ?? {}) ? undefined : out;
}

/** ReplicaSets to delete to keep `limit` old ones: empty, not deleting, lowest revision first. */
export function replicaSetsToClean(oldRSs: ReplicaSet[], limit: number): ReplicaSet[] {
  const cleanable = oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata?.deletionTimestamp);
  const extra = cleanable.length - limit;
  if (extra <= 0) return [];
  return cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || ((a.metadata?.creationTimestamp ?? '') < (b.metadata?.creationTimestamp ?? '') ? -1 : 1)).slice(0, extra);
}
