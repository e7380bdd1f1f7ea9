// Which cluster changes may let an unschedulable pod fit, so that the queue retries
// pods only when it could help (kube-scheduler's nodeSchedulingPropertiesChange). A node
// heartbeat (new lastHeartbeatTime every few seconds) is not such a change.
import type { Node, NodeCondition } from '@kubesim/api';

function conditionsKey(conds: NodeCondition[] | undefined): string {
  return (conds ?? []).map((c) => `${c.type}=${c.status}`).sort().join(',');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** True when the change may make pods fit: cordon lifted, allocatable, labels, taints or condition statuses changed. */
export function nodeChangeMayHelp(oldNode: Node, newNode: Node): boolean {
  if ((oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false)) return true;
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) return true;
  if (!same(oldNode.metadata?.labels, newNode.metadata?.labels)) return true;
  if (!same((oldNode.spec?.taints ?? []).map((t) => [t.key, t.value, t.effect]), (newNode.spec?.taints ?? []).map((t) => [t.key, t.value, t.effect]))) return true;
  return conditionsKey(oldNode.status?.conditions) !== conditionsKey(newNode.status?.conditions);
}
