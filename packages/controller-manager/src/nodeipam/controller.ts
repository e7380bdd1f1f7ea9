// The node IPAM controller (kube-controller-manager's nodeipam with the range allocator):
// gives every Node a pod CIDR from --cluster-cidr when --allocate-node-cidrs is set.
// Nodes are keyed by name; reconcile reads the node cache and patches spec.podCIDR(s).
// Subnets chosen but not yet seen in the cache are remembered in memory, so that two
// nodes reconciled at once never get the same one.
import { subnetAt, type Node } from '@kubesim/api';
import { deletedObject, type Logger, type SharedIndexInformer } from '@kubesim/client';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { indexOf, nextFree, planNodeCIDRs, type NodeCIDRPlan } from './allocation.js';

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  readonly informers: SharedIndexInformer[];
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly plan: NodeCIDRPlan | undefined;
  private readonly log: Logger;
  /** node name -> subnet index written (or being written) but maybe not in the cache yet. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    const { allocateNodeCIDRs, clusterCIDR, nodeCIDRMaskSize } = ctx.options;
    this.plan = allocateNodeCIDRs && clusterCIDR ? planNodeCIDRs(clusterCIDR, nodeCIDRMaskSize ?? 24) : undefined;
    this.nodes = ctx.informers.informerFor('nodes');
    this.informers = [this.nodes] as unknown as SharedIndexInformer[];
    if (!this.plan) return;
    this.nodes.addEventHandler({
      onAdd: (n) => this.enqueue(n),
      onUpdate: (_old, n) => this.enqueue(n),
      onDelete: (obj) => this.enqueue(deletedObject(obj)),
    });
  }

  private enqueue(node: Node): void {
    this.ctx.queue.add(node.metadata?.name ?? '');
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const plan = this.plan;
    if (!plan) return;
    const node = this.nodes.indexer.get(name);
    if (!node) {
      this.pending.delete(name);
      return;
    }
    if (node.spec?.podCIDR) {
      this.pending.delete(name);
      return;
    }
    // Chosen and reserved in one synchronous step: no other worker runs in between.
    const used = new Set<number>(this.pending.values());
    for (const n of this.nodes.indexer.list()) {
      const i = indexOf(plan, n.spec?.podCIDR);
      if (i !== undefined) used.add(i);
    }
    const mine = this.pending.get(name);
    const cidr = mine !== undefined ? undefined : nextFree(plan, used);
    if (mine === undefined && !cidr) {
      this.ctx.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      this.log.warn({ node: name, clusterCIDR: plan.cluster.text }, 'no pod CIDR left for node');
      return { requeueAfterMs: 30_000 };
    }
    const podCIDR = cidr ?? subnetAt(plan.cluster, plan.maskBits, mine!)!.text;
    const index = indexOf(plan, podCIDR)!;
    this.pending.set(name, index);
    try {
      await this.ctx.client.patch('nodes', '', name, { spec: { podCIDR, podCIDRs: [podCIDR] } });
    } catch (err) {
      this.pending.delete(name);
      throw err;
    }
    this.log.info({ node: name, podCIDR }, `assigned pod CIDR ${podCIDR}`);
  }
}
