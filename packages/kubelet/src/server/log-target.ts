// Which container instance `kubesim logs` reads, decided from the pod's status as the
// kubelet's validateContainerLogStatus does, with its error messages. Pure.
import { StatusError, badRequest, type ContainerStatus, type Pod } from '@kubesim/api';

/** The pod a logs request names: by uid (the apiserver resolved it), else by namespace/name. */
export function findLogPod(pods: Iterable<Pod>, req: { podUid?: string; namespace?: string; name?: string }): Pod {
  let byName: Pod | undefined;
  for (const p of pods) {
    if (req.podUid && p.metadata?.uid === req.podUid) return p;
    if (p.metadata?.name === req.name && (p.metadata?.namespace ?? 'default') === (req.namespace || 'default')) byName = p;
  }
  // A uid that matches nothing is a different pod of the same name: not ours to serve.
  if (byName && !req.podUid) return byName;
  throw new StatusError('NotFound', `pod "${req.name ?? ''}" does not exist`, { name: req.name, kind: 'pods' });
}

/** The runtime's id from a status containerID ("docker://abc" -> "abc"). */
export function runtimeID(containerID: string | undefined): string {
  if (!containerID) return '';
  const i = containerID.indexOf('://');
  return i >= 0 ? containerID.slice(i + 3) : containerID;
}

function statusOf(pod: Pod, name: string): ContainerStatus | undefined {
  const s = pod.status;
  return (s?.containerStatuses ?? []).find((c) => c.name === name) ?? (s?.initContainerStatuses ?? []).find((c) => c.name === name);
}

/**
 * The runtime id of the container instance whose logs are asked for: the current one, or
 * with `previous` the last terminated one. Throws kubectl's BadRequest/NotFound otherwise.
 */
export function logContainerID(pod: Pod, container: string, previous: boolean): string {
  const podName = pod.metadata?.name ?? '';
  const inSpec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === container);
  if (!inSpec) throw new StatusError('NotFound', `container "${container}" not found in pod "${podName}"`, { name: podName, kind: 'pods' });
  const cs = statusOf(pod, container);
  // No status written yet: the pod was just bound here and nothing started.
  if (!cs) {
    if (previous) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
  }
  const last = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return runtimeID(last.containerID);
  }
  if (running) return runtimeID(cs.containerID);
  if (terminated) {
    const id = terminated.containerID || last?.containerID;
    if (!id) throw badRequest(`container "${container}" in pod "${podName}" is terminated`);
    return runtimeID(id);
  }
  if (last) {
    if (!last.containerID) throw badRequest(`container "${container}" in pod "${podName}" is terminated`);
    return runtimeID(last.containerID);
  }
  if (waiting) {
    const why = waiting.reason === 'ErrImagePull' ? "image can't be pulled" : waiting.reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : waiting.reason;
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${why}`);
  }
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start - no logs yet`);
}
