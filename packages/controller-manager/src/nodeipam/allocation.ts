// Which pod CIDR a new node gets: the lowest free subnet of the cluster CIDR. Pure.
//
// Two subnets are never handed out, because kubesim's pod network uses them: the first
// (it holds the cluster network's gateway, the host's own address) and the last (the
// emulated cloud's load-balancer pool).
import { mustParseCIDR, parseCIDR, subnetAt, subnetIndex, type CIDR } from '@kubesim/api';

export interface NodeCIDRPlan {
  cluster: CIDR;
  maskBits: number;
  /** Subnet indexes never given to a node. */
  reserved: ReadonlySet<number>;
  count: number;
}

export function planNodeCIDRs(clusterCIDR: string, maskBits: number): NodeCIDRPlan {
  const cluster = mustParseCIDR(clusterCIDR, '--cluster-cidr');
  if (!Number.isInteger(maskBits) || maskBits < cluster.bits || maskBits > 30) {
    throw new Error(`invalid --node-cidr-mask-size ${maskBits}: must be between the cluster CIDR's prefix length (${cluster.bits}) and 30`);
  }
  const count = 2 ** (maskBits - cluster.bits);
  if (count < 3) throw new Error(`--cluster-cidr ${cluster.text} holds only ${count} subnet(s) of /${maskBits}: kubesim keeps the first and the last, so it needs at least 3`);
  return { cluster, maskBits, reserved: new Set([0, count - 1]), count };
}

/** The subnet index of a node's pod CIDR in this plan, if it is one of its subnets. */
export function indexOf(plan: NodeCIDRPlan, podCIDR: string | undefined): number | undefined {
  const c = podCIDR ? parseCIDR(podCIDR) : undefined;
  return c ? subnetIndex(plan.cluster, plan.maskBits, c) : undefined;
}

/** The lowest free subnet, or undefined when the cluster CIDR is used up. */
export function nextFree(plan: NodeCIDRPlan, used: ReadonlySet<number>): string | undefined {
  for (let i = 0; i < plan.count; i++) {
    if (plan.reserved.has(i) || used.has(i)) continue;
    return subnetAt(plan.cluster, plan.maskBits, i)?.text;
  }
  return undefined;
}
