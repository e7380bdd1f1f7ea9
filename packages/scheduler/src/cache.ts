// The scheduler's view of the cluster: every node with the pods on it, including pods
// this scheduler has *assumed* onto a node before the apiserver confirmed the binding
// (assume-then-bind, as kube-scheduler): the next pod is scheduled against a cache
// that already counts the previous one, so two pods never take the same last slot.
//
// Scheduling one pod is synchronous (no await between filtering and assuming), so the
// cache itself is the consistent snapshot the algorithm runs on; no copy is needed.
import { objectKey, type Node, type Pod } from '@kubesim/api';
import { NodeInfo } from './nodeinfo.js';
import { isTerminal, newPodInfo, type PodInfo } from './podinfo.js';

interface PodState {
  info: PodInfo;
  node: string;
  /** Placed by this scheduler; the informer has not shown the binding yet. */
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private list: NodeInfo[] | undefined;

  /** Nodes that have a Node object, in a stable order (by name). */
  nodes(): readonly NodeInfo[] {
    if (!this.list) this.list = [...this.nodeInfos.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : 1));
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  get nodeCount(): number {
    return this.nodes().length;
  }

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const ni = this.nodeInfos.get(name);
    if (ni) ni.setNode(node);
    else this.nodeInfos.set(name, new NodeInfo(name, node));
    this.list = undefined;
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (!ni) return;
    // Pods still bound there keep their NodeInfo (without a Node) until they go, as
    // kube-scheduler does, so a node that comes back finds them counted.
    if (ni.pods.size === 0) this.nodeInfos.delete(name);
    else ni.node = undefined;
    this.list = undefined;
  }

  /** Counts the pod on `node` before its binding is confirmed. */
  assume(info: PodInfo, node: string): void {
    if (this.podStates.has(info.key)) throw new Error(`pod ${info.key} is already in the cache`);
    this.place(info, node, true);
  }

  /** Undoes an assumption (the binding failed); false if the pod was not assumed. */
  forget(key: string): boolean {
    const st = this.podStates.get(key);
    if (!st?.assumed) return false;
    this.unplace(key);
    return true;
  }

  /** Is the pod assumed (and, given a uid, is it that very pod rather than a namesake)? */
  isAssumed(key: string, uid?: string): boolean {
    const st = this.podStates.get(key);
    return st?.assumed === true && (uid === undefined || st.info.uid === uid);
  }

  /** The node the pod is counted on, if any. */
  nodeOf(key: string): string | undefined {
    return this.podStates.get(key)?.node;
  }

  get podCount(): number {
    return this.podStates.size;
  }

  /**
   * The informer shows an assigned pod (added or changed): confirms an assumption,
   * moves a pod bound elsewhere than assumed, and drops finished pods, which hold no
   * resources. Returns true when resources were freed.
   */
  upsertPod(pod: Pod): boolean {
    const key = objectKey(pod);
    const node = pod.spec?.nodeName;
    if (!node || isTerminal(pod)) return this.deletePod(key);
    const st = this.podStates.get(key);
    if (st && st.node === node && st.info.uid === (pod.metadata?.uid ?? '')) {
      st.assumed = false;
      st.info = { ...st.info, pod };
      this.nodeInfos.get(node)?.pods.set(key, st.info);
      return false;
    }
    const freed = st !== undefined;
    if (st) this.unplace(key);
    this.place(newPodInfo(pod), node, false);
    return freed;
  }

  /** The pod is gone (or finished): its resources are free. Returns true if it was counted. */
  deletePod(key: string): boolean {
    if (!this.podStates.has(key)) return false;
    this.unplace(key);
    return true;
  }

  private place(info: PodInfo, node: string, assumed: boolean): void {
    let ni = this.nodeInfos.get(node);
    if (!ni) {
      this.nodeInfos.set(node, (ni = new NodeInfo(node)));
      this.list = undefined;
    }
    ni.addPod(info);
    this.podStates.set(info.key, { info, node, assumed });
  }

  private unplace(key: string): void {
    const st = this.podStates.get(key);
    if (!st) return;
    this.podStates.delete(key);
    const ni = this.nodeInfos.get(st.node);
    if (!ni) return;
    ni.removePod(key);
    if (!ni.node && ni.pods.size === 0) {
      this.nodeInfos.delete(st.node);
      this.list = undefined;
    }
  }
}
