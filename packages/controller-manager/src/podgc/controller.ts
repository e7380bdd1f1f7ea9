// Pod GC (Kubernetes' podgc controller): one pass every podGCPeriodSeconds (and soon
// after a node is deleted) over the caches, as plan.ts decides. Pods are deleted with
// grace period 0 (force): their node is gone or they are finished, so no agent will
// confirm them. An orphaned pod is first marked Failed with the DisruptionTarget
// condition, as Kubernetes does, so whoever watches it sees why it went.
import { isConflict, isNotFound, nowTimestamp, objectKey, type Node, type Pod } from '@kubesim/api';
import { NODE_NAME_INDEX, type Logger, type SharedIndexInformer } from '@kubesim/client';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { planPodGC } from './plan.js';

export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12500;
export const DEFAULT_POD_GC_PERIOD_SECONDS = 20;
export const DEFAULT_ORPHAN_QUARANTINE_SECONDS = 40;
const KEY = 'podgc';

export class PodGCController implements Controller {
  readonly name = 'podgc';
  readonly informers: SharedIndexInformer[];
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly log: Logger;
  private readonly missingSince = new Map<string, number>();
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly threshold: number;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    const o = ctx.options ?? { servers: [] };
    this.periodMs = (o.podGCPeriodSeconds ?? DEFAULT_POD_GC_PERIOD_SECONDS) * 1000;
    this.quarantineMs = (o.podGCOrphanQuarantineSeconds ?? DEFAULT_ORPHAN_QUARANTINE_SECONDS) * 1000;
    this.threshold = o.terminatedPodGCThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD;
    this.nodes = ctx.informers.informerFor('nodes');
    this.pods = ctx.informers.informerFor('pods');
    // A deleted node starts its pods' quarantine now rather than at the next period.
    this.nodes.addEventHandler({ onDelete: () => ctx.queue.add(KEY) });
    this.informers = [this.nodes, this.pods] as unknown as SharedIndexInformer[];
    ctx.queue.add(KEY);
  }

  async reconcile(): Promise<ReconcileResult | void> {
    const nowMs = this.ctx.clock.wallNow().getTime();
    const plan = planPodGC({
      pods: this.pods.indexer.list(),
      nodeExists: (n) => this.nodes.indexer.has(n),
      missingSince: this.missingSince,
      nowMs,
      quarantineMs: this.quarantineMs,
      terminatedThreshold: this.threshold,
    });
    if (plan.terminated.length) this.log.info({ count: plan.terminated.length, threshold: this.threshold }, `garbage collecting ${plan.terminated.length} terminated pods`);
    for (const p of plan.terminated) await this.forceDelete(p, 'terminated pods above the threshold');
    for (const p of plan.unscheduledTerminating) await this.forceDelete(p, 'terminating and never scheduled');
    for (const node of plan.nodesToVerify) {
      if (!(await this.nodeGone(node))) {
        this.missingSince.delete(node);
        continue;
      }
      for (const p of this.pods.indexer.byIndex(NODE_NAME_INDEX, node)) {
        await this.markOrphanFailed(p);
        await this.forceDelete(p, `its node ${node} no longer exists`);
      }
    }
    const untilQuarantine = plan.nextQuarantineEndMs !== undefined ? Math.max(0, plan.nextQuarantineEndMs - nowMs) : Infinity;
    return { requeueAfterMs: Math.min(this.periodMs, untilQuarantine) };
  }

  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.ctx.client.get('nodes', '', name);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  private async markOrphanFailed(pod: Pod): Promise<void> {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: nowTimestamp(this.ctx.clock.wallNow()) });
    try {
      await this.ctx.client.patch('pods', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { status: { phase: 'Failed', conditions } }, { subresource: 'status' });
    } catch (err) {
      // Best effort: the force delete below is what matters.
      if (!isNotFound(err) && !isConflict(err)) this.log.warn({ pod: objectKey(pod), err: (err as Error).message }, 'could not mark orphaned pod Failed');
    }
  }

  private async forceDelete(pod: Pod, why: string): Promise<void> {
    const key = objectKey(pod);
    this.log.info({ pod: key, node: pod.spec?.nodeName }, `force-deleting pod ${key}: ${why}`);
    try {
      await this.ctx.client.delete('pods', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
