// The labels on every Docker object the node agent makes. They are the agent's memory:
// after a crash it finds its pods' containers by them (crash-only design).
export const LABEL_NODE = 'kubesim.node';
export const LABEL_POD_NAMESPACE = 'kubesim.pod.namespace';
export const LABEL_POD_NAME = 'kubesim.pod.name';
export const LABEL_POD_UID = 'kubesim.pod.uid';
export const LABEL_CONTAINER_NAME = 'kubesim.container.name';
export const LABEL_RESTART_COUNT = 'kubesim.restart-count';
export const LABEL_ROLE = 'kubesim.role';

export type Role = 'sandbox' | 'app';

/** The container name of a sandbox in LABEL_CONTAINER_NAME (not a valid spec name, so no clash). */
export const SANDBOX_CONTAINER_NAME = 'POD';

export function objectLabels(node: string, ref: { namespace: string; name: string; uid: string }, container: string, role: Role, restartCount: number): Record<string, string> {
  return {
    [LABEL_NODE]: node,
    [LABEL_POD_NAMESPACE]: ref.namespace,
    [LABEL_POD_NAME]: ref.name,
    [LABEL_POD_UID]: ref.uid,
    [LABEL_CONTAINER_NAME]: container,
    [LABEL_RESTART_COUNT]: String(restartCount),
    [LABEL_ROLE]: role,
  };
}

/**
 * A Docker container name, as dockershim named them (k8s_<container>_<pod>_<ns>_<uid>_<attempt>),
 * so `docker ps` reads well and two attempts never collide.
 */
export function dockerName(node: string, ref: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
  const raw = `kubesim_${node}_${container}_${ref.name}_${ref.namespace}_${ref.uid.slice(0, 8)}_${attempt}`;
  return raw.replace(/[^a-zA-Z0-9_.-]/g, '-');
}
