// A Deployment's status and its Available/Progressing conditions, computed from its
// ReplicaSets. Pure: time comes in as arguments.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from '@kubesim/api';
import { maxUnavailable, replicasOf, totalReplicas } from './rollout.js';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REASON = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;

const sum = (rss: ReplicaSet[], f: (rs: ReplicaSet) => number | undefined) => rss.reduce((n, rs) => n + (f(rs) ?? 0), 0);

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition as Kubernetes' SetDeploymentCondition: the same status and reason
 * changes nothing; the same status keeps lastTransitionTime.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const cur = getCondition(status, cond.type!);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = { ...cond };
  if (cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (status.conditions) status.conditions = status.conditions.filter((c) => c.type !== type);
}

export function condition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

/** replicas/updated/ready/available/unavailable, observedGeneration and Available. */
export function calculateStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, now: string): DeploymentStatus {
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas);
  const unavailable = Math.max(0, totalReplicas(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sum(allRSs, (rs) => rs.status?.replicas),
    updatedReplicas: newRS ? newRS.status?.replicas ?? 0 : 0,
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    conditions: structuredClone(d.status?.conditions ?? []),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, condition(AVAILABLE, 'True', REASON.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  else setCondition(status, condition(AVAILABLE, 'False', REASON.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  return status;
}

/** Every pod updated, available, none old left, and this generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Did anything move since the stored status (more updated/ready/available, fewer old)? */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** The Progressing condition says no progress for progressDeadlineSeconds (at wall ms `nowMs`). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline === undefined || deadline === null) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + deadline * 1000 < nowMs;
}

/**
 * The status to write after a sync, with the Progressing condition (Kubernetes'
 * syncRolloutStatus), and when to look again if the deadline may pass meanwhile.
 */
export function rolloutStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, nowMs: number): { status: DeploymentStatus; requeueAfterMs?: number } {
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const status = calculateStatus(d, allRSs, newRS, now);
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline === undefined || deadline === null) {
    removeCondition(status, PROGRESSING);
    return { status };
  }
  const cur = getCondition(status, PROGRESSING);
  const complete = status.replicas === status.updatedReplicas && cur?.reason === REASON.newRSAvailable;
  if (!complete && !d.spec?.paused) {
    const name = newRS?.metadata?.name ?? '';
    if (deploymentComplete(d, status)) {
      setCondition(status, condition(PROGRESSING, 'True', REASON.newRSAvailable, newRS ? `ReplicaSet "${name}" has successfully progressed.` : 'Deployment has successfully progressed.', now));
    } else if (deploymentProgressing(d, status)) {
      const c = condition(PROGRESSING, 'True', REASON.rsUpdated, newRS ? `ReplicaSet "${name}" is progressing.` : 'Deployment is progressing.', now);
      // Progress refreshes lastUpdateTime (the deadline counts from it) even with the same reason.
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(status, PROGRESSING);
      setCondition(status, c);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(status, condition(PROGRESSING, 'False', REASON.timedOut, newRS ? `ReplicaSet "${name}" has timed out progressing.` : 'Deployment has timed out progressing.', now));
    }
  }
  // Not done and not yet timed out: look again when the deadline would pass.
  const after = getCondition(status, PROGRESSING);
  let requeueAfterMs: number | undefined;
  if (!d.spec?.paused && after && after.reason !== REASON.newRSAvailable && after.reason !== REASON.timedOut && !deploymentComplete(d, status)) {
    const from = Date.parse(after.lastUpdateTime ?? '');
    if (!Number.isNaN(from)) requeueAfterMs = Math.max(0, from + deadline * 1000 - nowMs) + 1000;
  }
  return { status, requeueAfterMs };
}

/** Whether the stored status differs from `next` (the only time to write it). */
export function deploymentStatusChanged(current: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) =>
    JSON.stringify({
      observedGeneration: s?.observedGeneration ?? 0,
      replicas: s?.replicas ?? 0,
      updatedReplicas: s?.updatedReplicas ?? 0,
      readyReplicas: s?.readyReplicas ?? 0,
      availableReplicas: s?.availableReplicas ?? 0,
      unavailableReplicas: s?.unavailableReplicas ?? 0,
      collisionCount: s?.collisionCount ?? null,
      conditions: s?.conditions ?? [],
    });
  return norm(current) !== norm(next);
}
