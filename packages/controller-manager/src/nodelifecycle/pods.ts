// Pods of a node that went Unknown are no longer known to be ready: the controller sets
// their Ready condition False (Kubernetes' MarkPodsNotReady), so Services stop sending
// traffic to them long before taint-based eviction deletes them.
import { nowTimestamp, type Pod, type PodCondition } from '@kubesim/api';

/** The pod's conditions with Ready False, or undefined when Ready is already not True. */
export function notReadyConditions(pod: Pod, now: Date): PodCondition[] | undefined {
  const conds = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'True') return undefined;
  const ts = nowTimestamp(now);
  return conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: ts } : c));
}
