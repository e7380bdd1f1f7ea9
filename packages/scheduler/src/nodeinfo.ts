// A node as the scheduler sees it: the Node object's facts parsed once (allocatable,
// labels, taints, readiness) and the sums over the pods placed on it (requests, host
// ports, pods per owner), kept up to date incrementally as pods come and go, so that
// every plugin answers in O(1) per node.
import { parseQuantity, quantityValue, type Node, type Taint } from '@kubesim/api';
import type { HostPort, PodInfo, Resources } from './podinfo.js';

export interface Allocatable extends Resources {
  pods: number;
}

export class NodeInfo {
  /** undefined while pods are known to be on a node whose Node object is not (yet) in the cache. */
  node: Node | undefined;
  allocatable: Allocatable = { milliCpu: 0, memory: 0, pods: 0 };
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  /** The Ready condition is True. */
  ready = false;
  readonly requested: Resources = { milliCpu: 0, memory: 0 };
  readonly nonZeroRequested: Resources = { milliCpu: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** "protocol/port" -> host IPs in use on it */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** controller owner uid -> pods of that owner here */
  readonly ownerCounts = new Map<string, number>();

  constructor(readonly name: string, node?: Node) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable = { milliCpu: milli(alloc.cpu), memory: whole(alloc.memory), pods: whole(alloc.pods) };
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    this.ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    this.requested.milliCpu += p.requests.milliCpu;
    this.requested.memory += p.requests.memory;
    this.nonZeroRequested.milliCpu += p.nonZero.milliCpu;
    this.nonZeroRequested.memory += p.nonZero.memory;
    for (const hp of p.hostPorts) {
      const k = portKey(hp);
      let ips = this.usedPorts.get(k);
      if (!ips) this.usedPorts.set(k, (ips = new Map()));
      ips.set(hp.ip, (ips.get(hp.ip) ?? 0) + 1);
    }
    if (p.ownerUid) this.ownerCounts.set(p.ownerUid, (this.ownerCounts.get(p.ownerUid) ?? 0) + 1);
  }

  /** Removes the pod with that key; false if it was not here. */
  removePod(key: string): boolean {
    const p = this.pods.get(key);
    if (!p) return false;
    this.pods.delete(key);
    this.requested.milliCpu -= p.requests.milliCpu;
    this.requested.memory -= p.requests.memory;
    this.nonZeroRequested.milliCpu -= p.nonZero.milliCpu;
    this.nonZeroRequested.memory -= p.nonZero.memory;
    for (const hp of p.hostPorts) {
      const k = portKey(hp);
      const ips = this.usedPorts.get(k);
      const n = ips?.get(hp.ip) ?? 0;
      if (!ips) continue;
      if (n <= 1) ips.delete(hp.ip);
      else ips.set(hp.ip, n - 1);
      if (ips.size === 0) this.usedPorts.delete(k);
    }
    if (p.ownerUid) {
      const n = (this.ownerCounts.get(p.ownerUid) ?? 0) - 1;
      if (n <= 0) this.ownerCounts.delete(p.ownerUid);
      else this.ownerCounts.set(p.ownerUid, n);
    }
    return true;
  }
}

export function portKey(hp: HostPort): string {
  return `${hp.protocol}/${hp.port}`;
}

function milli(q: string | undefined): number {
  if (!q) return 0;
  try {
    return Number(parseQuantity(q));
  } catch {
    return 0;
  }
}

function whole(q: string | undefined): number {
  if (!q) return 0;
  try {
    return Number(quantityValue(q));
  } catch {
    return 0;
  }
}
