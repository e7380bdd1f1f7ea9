// The node lifecycle controller (Kubernetes' node-lifecycle-controller, monitoring part):
// every --node-monitor-period it looks at each node's last heartbeat (its Lease in
// kube-node-lease, or Ready's lastHeartbeatTime). A node silent for longer than
// --node-monitor-grace-period gets every condition Unknown ("Kubelet stopped posting node
// status."), its pods' Ready set False, and the taint node.kubernetes.io/unreachable
// (NoSchedule + NoExecute); a node whose agent reports Ready False gets
// node.kubernetes.io/not-ready; a Ready node has neither. Pods are evicted by the
// taint-eviction controller, not here. Keys are node names; each reconcile asks to be
// run again after the monitor period, so a node that stops talking is still looked at.
import { isConflict, isNotFound, objectKey, type Lease, type Node, type Pod } from '@kubesim/api';
import { deletedObject, NODE_NAME_INDEX, type Logger, type SharedIndexInformer } from '@kubesim/client';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { decideNodeHealth, type HealthTimings } from './health.js';
import { notReadyConditions } from './pods.js';
import { reconcileTaints } from './taints.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export const DEFAULT_NODE_MONITOR_PERIOD_SECONDS = 5;
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_SECONDS = 50;
export const DEFAULT_NODE_STARTUP_GRACE_PERIOD_SECONDS = 60;

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  readonly informers: SharedIndexInformer[];
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly leases: SharedIndexInformer<Lease>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly log: Logger;
  private readonly periodMs: number;
  private readonly timings: HealthTimings;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    const o = ctx.options ?? { servers: [] };
    this.periodMs = (o.nodeMonitorPeriodSeconds ?? DEFAULT_NODE_MONITOR_PERIOD_SECONDS) * 1000;
    this.timings = {
      gracePeriodMs: (o.nodeMonitorGracePeriodSeconds ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_SECONDS) * 1000,
      startupGracePeriodMs: (o.nodeStartupGracePeriodSeconds ?? DEFAULT_NODE_STARTUP_GRACE_PERIOD_SECONDS) * 1000,
    };
    this.nodes = ctx.informers.informerFor('nodes');
    this.leases = ctx.informers.informerFor('leases', { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.informers.informerFor('pods');
    this.nodes.addEventHandler({
      onAdd: (n) => {
        // As Kubernetes, once per node this controller instance comes to know.
        ctx.recorder.event(n, 'Normal', 'RegisteredNode', `Node ${n.metadata?.name} event: Registered Node ${n.metadata?.name} in Controller`);
        this.enqueue(n.metadata?.name);
      },
      onUpdate: (_old, n) => this.enqueue(n.metadata?.name),
      onDelete: (x) => {
        const n = deletedObject(x);
        ctx.recorder.event(n, 'Normal', 'RemovingNode', `Node ${n.metadata?.name} event: Removing Node ${n.metadata?.name} from Controller`);
      },
    });
    // A renewed Lease matters most to a node that is not Ready; the queue dedups the rest.
    this.leases.addEventHandler({ onAdd: (l) => this.enqueue(l.metadata?.name), onUpdate: (_o, l) => this.enqueue(l.metadata?.name) });
    this.informers = [this.nodes, this.leases, this.pods] as unknown as SharedIndexInformer[];
  }

  private enqueue(name: string | undefined): void {
    if (name) this.ctx.queue.add(name);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.indexer.get(name);
    if (!node) return;
    const lease = this.leases.indexer.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    const now = this.ctx.clock.wallNow();
    const d = decideNodeHealth(node, lease, now.getTime(), this.timings);
    let current = node;
    try {
      if (d.conditions) {
        this.log.info({ node: name, was: d.observedReady ?? 'none' }, `node ${name} stopped posting status; marking its conditions Unknown`);
        current = await this.ctx.client.patch('nodes', '', name, { metadata: { resourceVersion: node.metadata?.resourceVersion }, status: { conditions: d.conditions } }, { subresource: 'status' });
        // Kubernetes reports the change when it is the one that takes Ready away.
        if (d.observedReady === 'True') this.ctx.recorder.event(current, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      const taints = reconcileTaints(current.spec?.taints, d.ready, now);
      if (taints) {
        const keys = taints.map((t) => `${t.key}:${t.effect}`);
        this.log.info({ node: name, ready: d.ready ?? 'none', taints: keys }, `node ${name} is ${d.ready === 'True' ? 'Ready' : `Ready=${d.ready ?? 'none'}`}: setting taints [${keys.join(', ')}]`);
        await this.ctx.client.patch('nodes', '', name, { metadata: { resourceVersion: current.metadata?.resourceVersion }, spec: { taints } });
      }
    } catch (err) {
      if (isNotFound(err)) return;
      // A heartbeat landed meanwhile: look again at once, with the new object.
      if (isConflict(err)) return { requeueAfterMs: 0 };
      throw err;
    }
    if (d.ready === 'Unknown') await this.markPodsNotReady(name, now);
    return { requeueAfterMs: this.periodMs };
  }

  private async markPodsNotReady(nodeName: string, now: Date): Promise<void> {
    for (const pod of this.pods.indexer.byIndex(NODE_NAME_INDEX, nodeName)) {
      const conditions = notReadyConditions(pod, now);
      if (!conditions) continue;
      try {
        await this.ctx.client.patch('pods', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { metadata: { resourceVersion: pod.metadata?.resourceVersion }, status: { conditions } }, { subresource: 'status' });
        this.log.info({ pod: objectKey(pod), node: nodeName }, `marked pod ${objectKey(pod)} not ready: its node ${nodeName} is unreachable`);
      } catch (err) {
        // Gone or changed: the pod's next update brings a fresh copy; the period retries.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }
}
