// The status a ReplicaSet should report, computed from the pods it owns. Pure.
import type { Pod, ReplicaSet, ReplicaSetStatus } from '@kubesim/api';
import { isPodActive, isPodAvailable, isPodReady } from './pods.js';

export function calculateReplicaSetStatus(rs: ReplicaSet, ownedPods: Pod[], nowMs: number, failure?: { reason: string; message: string; now: string }): ReplicaSetStatus {
  const active = ownedPods.filter(isPodActive);
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const fullyLabeled = active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length;
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, nowMs)).length,
    observedGeneration: rs.metadata?.generation ?? 0,
  };
  // ReplicaFailure: set while creating/deleting fails, cleared once it works again.
  const prev = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const others = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  if (failure) {
    const same = prev && prev.status === 'True' && prev.reason === failure.reason;
    others.push({ type: 'ReplicaFailure', status: 'True', reason: failure.reason, message: failure.message, lastTransitionTime: same ? prev.lastTransitionTime : failure.now });
  }
  if (others.length) status.conditions = others;
  return status;
}

/** Whether the stored status differs from the computed one (the only time to write). */
export function replicaSetStatusChanged(current: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  const c = current ?? {};
  return (
    (c.replicas ?? 0) !== next.replicas ||
    (c.fullyLabeledReplicas ?? 0) !== next.fullyLabeledReplicas ||
    (c.readyReplicas ?? 0) !== next.readyReplicas ||
    (c.availableReplicas ?? 0) !== next.availableReplicas ||
    (c.observedGeneration ?? 0) !== next.observedGeneration ||
    JSON.stringify(c.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
