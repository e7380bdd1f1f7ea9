// What the runner decides from the objects it has cached: whether a wait is over, which
// node a `nodeOf` target means, which node address a probe uses. Pure.
import { matchesSelector, parseLabelSelector, type Deployment, type Node, type Pod } from '@kubesim/api';
import type { ReadyStatus } from './types.js';

/** Ready condition True and not being deleted: what can serve traffic. */
export function isPodReady(p: Pod): boolean {
  return !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function podsMatching(pods: readonly Pod[], namespace: string, selector: string): Pod[] {
  const sel = parseLabelSelector(selector);
  return pods.filter((p) => (p.metadata?.namespace ?? '') === namespace && matchesSelector(sel, p.metadata?.labels));
}

/**
 * Ready pods of the selector. With `nodes`, only those on a node whose Ready condition is
 * True count: a pod on a node that just went Unknown still says Ready until the node
 * lifecycle controller marks it otherwise, but it serves nothing.
 */
export function readyPodCount(pods: readonly Pod[], namespace: string, selector: string, nodes?: readonly Node[]): number {
  const readyNodes = nodes && new Set(nodes.filter((n) => nodeReadyStatus(n) === 'True').map((n) => n.metadata?.name));
  return podsMatching(pods, namespace, selector).filter((p) => isPodReady(p) && (!readyNodes || readyNodes.has(p.spec?.nodeName))).length;
}

/** The status of the node's Ready condition (undefined before it reported one). */
export function nodeReadyStatus(n: Node | undefined): ReadyStatus | undefined {
  const s = n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return s === 'True' || s === 'False' || s === 'Unknown' ? s : undefined;
}

/** As `kubectl wait --for=condition=Available`: the controller saw this generation and says Available. */
export function deploymentAvailable(d: Deployment | undefined): boolean {
  if (!d) return false;
  const seen = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  return seen && !!d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
}

/** Whether the last `n` results (oldest first) are all successes. */
export function lastSucceeded(results: readonly boolean[], n: number): boolean {
  return results.length >= n && results.slice(results.length - n).every(Boolean);
}

/**
 * The node a `nodeOf: {selector}` target means: the node of the first Ready pod of the
 * selector, by pod name (so the same cluster state always gives the same node).
 */
export function nodeOfSelector(pods: readonly Pod[], namespace: string, selector: string): string {
  const ready = podsMatching(pods, namespace, selector)
    .filter((p) => isPodReady(p) && p.spec?.nodeName)
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  if (!ready.length) throw new Error(`no Ready pod matches ${selector} in namespace ${namespace}: cannot choose the node to hit`);
  return ready[0].spec!.nodeName!;
}

export function nodeAddress(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/**
 * The node a NodePort probe goes through: the one named, else the first node (by name)
 * with an address that no fault of the experiment has hit, so that the probe measures
 * the Service, not the node under fault.
 */
export function probeNode(nodes: readonly Node[], faulted: ReadonlySet<string>, named?: string): Node | undefined {
  const withAddr = nodes.filter((n) => nodeAddress(n)).sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  if (named) return withAddr.find((n) => n.metadata?.name === named);
  return withAddr.find((n) => !faulted.has(n.metadata?.name ?? '')) ?? withAddr[0];
}
