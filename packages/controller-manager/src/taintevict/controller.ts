// The taint eviction controller (Kubernetes' taint-eviction-controller, formerly the
// NoExecuteTaintManager): a pod bound to a node with NoExecute taints is deleted, with
// its normal grace period, when it does not tolerate them or its tolerationSeconds run
// out (see timing.ts). The deleted pod stays Terminating until its node agent confirms
// (or someone force-deletes it); its ReplicaSet replaces it meanwhile. Keys are pod keys;
// a pod waiting out a toleration is looked at again when it is due.
import { isNotFound, objectKey, type Node, type Pod, type Taint } from '@kubesim/api';
import { deletedObject, NODE_NAME_INDEX, type Logger, type SharedIndexInformer } from '@kubesim/client';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { decideEviction, noExecuteTaints } from './timing.js';

export const REASON_TAINT_EVICTION = 'TaintManagerEviction';

const taintId = (node: string, t: Taint) => `${node}|${t.key ?? ''}=${t.value ?? ''}:${t.effect ?? ''}`;
const sameTaints = (a: Taint[], b: Taint[]) => JSON.stringify(a) === JSON.stringify(b);

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly informers: SharedIndexInformer[];
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly log: Logger;
  /** When this controller first saw a NoExecute taint that carries no timeAdded. */
  private readonly firstSeen = new Map<string, number>();
  /** Pods with an eviction pending, so that lifting the taint can be reported. */
  private readonly scheduled = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    this.nodes = ctx.informers.informerFor('nodes');
    this.pods = ctx.informers.informerFor('pods');
    this.nodes.addEventHandler({
      onAdd: (n) => this.nodeChanged(undefined, n),
      onUpdate: (old, n) => this.nodeChanged(old, n),
      onDelete: (x) => this.forgetNode(deletedObject(x).metadata?.name ?? ''),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, p) => {
        // Only binding and tolerations change what this controller decides.
        if (old.spec?.nodeName !== p.spec?.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations)) this.podChanged(p);
      },
      onDelete: (x) => this.scheduled.delete(objectKey(deletedObject(x))),
    });
    this.informers = [this.nodes, this.pods] as unknown as SharedIndexInformer[];
  }

  private nodeChanged(old: Node | undefined, node: Node): void {
    const name = node.metadata?.name ?? '';
    const now = this.ctx.clock.wallNow().getTime();
    const taints = noExecuteTaints(node.spec?.taints);
    const ids = new Set(taints.map((t) => taintId(name, t)));
    for (const t of taints) if (!t.timeAdded && !this.firstSeen.has(taintId(name, t))) this.firstSeen.set(taintId(name, t), now);
    for (const id of this.firstSeen.keys()) if (id.startsWith(`${name}|`) && !ids.has(id)) this.firstSeen.delete(id);
    if (old && sameTaints(noExecuteTaints(old.spec?.taints), taints)) return;
    for (const pod of this.pods.indexer.byIndex(NODE_NAME_INDEX, name)) this.ctx.queue.add(objectKey(pod));
  }

  private forgetNode(name: string): void {
    for (const id of this.firstSeen.keys()) if (id.startsWith(`${name}|`)) this.firstSeen.delete(id);
  }

  private podChanged(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const key = objectKey(pod);
    const node = this.nodes.indexer.get(nodeName);
    if (this.scheduled.has(key) || noExecuteTaints(node?.spec?.taints).length) this.ctx.queue.add(key);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const pod = this.pods.indexer.get(key);
    const nodeName = pod?.spec?.nodeName;
    // Gone, unbound or already being deleted: nothing to evict.
    if (!pod || !nodeName || pod.metadata?.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    // A pod whose node is gone is pod GC's to remove.
    const node = this.nodes.indexer.get(nodeName);
    if (!node) return;
    const nowMs = this.ctx.clock.wallNow().getTime();
    const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
    const d = decideEviction({
      taints: node.spec?.taints,
      tolerations: pod.spec?.tolerations,
      podCreatedMs: Number.isNaN(created) ? undefined : created,
      taintStartMs: (t) => {
        const added = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
        return Number.isNaN(added) ? (this.firstSeen.get(taintId(nodeName, t)) ?? nowMs) : added;
      },
      nowMs,
    });
    if (d.action === 'keep') {
      if (this.scheduled.delete(key)) this.ctx.recorder.event(pod, 'Normal', REASON_TAINT_EVICTION, `Cancelling deletion of Pod ${key}`);
      return;
    }
    if (d.action === 'wait') {
      this.scheduled.add(key);
      return { requeueAfterMs: d.atMs - nowMs };
    }
    const why = d.expired ? `its toleration of ${d.taint.key}:${d.taint.effect} ran out` : `it does not tolerate ${d.taint.key}:${d.taint.effect}`;
    this.log.info({ pod: key, node: nodeName, taint: `${d.taint.key}:${d.taint.effect}` }, `marking pod ${key} for deletion: ${why} on node ${nodeName}`);
    this.ctx.recorder.event(pod, 'Normal', REASON_TAINT_EVICTION, `Marking for deletion Pod ${key}`);
    try {
      await this.ctx.client.delete('pods', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.scheduled.delete(key);
  }
}
