// The DefaultTolerationSeconds admission plugin, as Kubernetes': on pod create, a pod that
// does not already tolerate node.kubernetes.io/not-ready and .../unreachable (NoExecute)
// gets a toleration of each for --default-not-ready-toleration-seconds /
// --default-unreachable-toleration-seconds (300 s). So a pod rides out a short node
// outage before taint-based eviction moves it, and DaemonSet-like pods that tolerate
// them forever keep their own toleration.
import type { Pod, Toleration } from '@kubesim/api';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

export interface DefaultTolerationSettings {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

/** Whether some toleration covers `key` with NoExecute (an empty key or effect counts as a match, as Kubernetes checks it). */
function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

/** Adds the default tolerations to `pod` in place (create only; updates keep what the pod has). */
export function addDefaultTolerations(pod: Pod, s: DefaultTolerationSettings = {}): void {
  const spec = pod.spec;
  if (!spec) return;
  const have = spec.tolerations ?? [];
  const add: Toleration[] = [];
  if (!tolerates(have, TAINT_NOT_READY)) add.push({ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS });
  if (!tolerates(have, TAINT_UNREACHABLE)) add.push({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS });
  if (add.length) spec.tolerations = [...have, ...add];
}
