// Which nodes a load balancer sends connections to, as Kubernetes' service controller and
// cloud load balancers decide it. Pure functions over Node objects and health results.
import type { Node } from '@kubesim/api';

/** Nodes labelled so are never load-balancer backends (Kubernetes' well-known label). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** The cluster autoscaler's taint on a node it is about to delete. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** A backend of a load balancer: a node and the address its NodePorts answer on. */
export interface Backend {
  node: string;
  ip: string;
}

export function nodeInternalIP(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && a.address)?.address;
}

export function nodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Whether a node may be a backend at all: Ready is True (no conditions, or Unknown after
 * the node stopped heartbeating, is not), it is not being deleted, not excluded by label
 * or autoscaler taint, and it has an InternalIP to send to.
 */
export function eligibleNode(node: Node): boolean {
  if (node.metadata?.deletionTimestamp) return false;
  if (node.metadata?.labels && EXCLUDE_LB_LABEL in node.metadata.labels) return false;
  if (node.spec?.taints?.some((t) => t.key === TO_BE_DELETED_TAINT)) return false;
  return nodeReady(node) && nodeInternalIP(node) !== undefined;
}

/** The eligible nodes as backends, sorted by node name (the round-robin order). */
export function eligibleBackends(nodes: readonly Node[]): Backend[] {
  const out: Backend[] = [];
  for (const n of nodes) {
    if (!eligibleNode(n)) continue;
    out.push({ node: n.metadata?.name ?? '', ip: nodeInternalIP(n)! });
  }
  return out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/**
 * The backends connections go to now. With externalTrafficPolicy Local only nodes whose
 * healthCheckNodePort answered healthy (they have a ready endpoint of the Service); with
 * Cluster every eligible node, since any node forwards to any endpoint.
 */
export function activeBackends(nodes: readonly Node[], local: boolean, healthy: (node: string) => boolean): Backend[] {
  const all = eligibleBackends(nodes);
  return local ? all.filter((b) => healthy(b.node)) : all;
}
