// The pods/binding subresource: the one way a pod gets its node.
import { StatusError, conflict, type Binding, type Pod, type PodCondition } from '@kubesim/api';

/** The pod bound as `binding` asks, or a Conflict saying why it cannot be. `pod` is not changed. */
export function applyBinding(pod: Pod, binding: Binding, now: string): Pod {
  const name = pod.metadata?.name ?? '';
  const node = binding.target?.name ?? '';
  if (!node) throw new StatusError('Invalid', `Binding "${name}" is invalid: target.name: Required value`, { name, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'target.name: Required value', field: 'target.name' }] });
  const uid = binding.metadata?.uid;
  if (uid && uid !== pod.metadata?.uid) {
    throw conflict('pods/binding', name, `the UID in the binding (${uid}) does not match the pod (${pod.metadata?.uid})`);
  }
  if (pod.metadata?.deletionTimestamp) throw conflict('pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName) throw conflict('pods/binding', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  // New spec and status, the rest shared with `pod`: nothing here or after mutates either.
  const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastTransitionTime: now };
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  return { ...pod, spec: { ...pod.spec, nodeName: node }, status: { ...pod.status, conditions: [...conditions, scheduled] } };
}
