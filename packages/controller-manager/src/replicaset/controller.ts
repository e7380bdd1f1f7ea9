// The ReplicaSet controller: keeps spec.replicas active pods that match the selector.
// Informers on ReplicaSets and Pods feed keys ("namespace/name" of a ReplicaSet) to the
// queue; reconcile reads only the caches, claims pods (adopt/release), creates or deletes
// the difference under expectations, and writes status when it changed.
import {
  controllerOf,
  deepCopy,
  isNotFound,
  isStatusError,
  nowTimestamp,
  objectKey,
  selectorFromSpec,
  splitKey,
  matchesSelector,
  type Pod,
  type ReplicaSet,
  type Selector,
} from '@kubesim/api';
import { deletedObject, type Logger, type SharedIndexInformer, type DeletedFinalStateUnknown } from '@kubesim/client';
import { claimObjects, controllerRef } from '../runtime/claim.js';
import { slowStartBatch, SLOW_START_INITIAL_BATCH } from '../runtime/batch.js';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { Expectations } from '../runtime/expectations.js';
import { isPodActive, isPodReady, nextAvailableInMs, podsToDelete } from './pods.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './status.js';

/** At most this many creates or deletes per sync (Kubernetes' burstReplicas). */
export const BURST_REPLICAS = 500;

/** The pod a ReplicaSet creates from its template. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec?.template ?? {};
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata?.name}-`,
      namespace: rs.metadata?.namespace,
      labels: meta.labels ? { ...meta.labels } : undefined,
      annotations: meta.annotations ? { ...meta.annotations } : undefined,
      finalizers: meta.finalizers ? [...meta.finalizers] : undefined,
      ownerReferences: [controllerRef({ ...rs, apiVersion: rs.apiVersion ?? 'apps/v1', kind: 'ReplicaSet' })],
    },
    spec: deepCopy(t.spec ?? {}),
  };
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly informers: SharedIndexInformer[];
  readonly expectations: Expectations;
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly log: Logger;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    this.expectations = new Expectations(ctx.clock);
    this.rsInformer = ctx.informers.informerFor('replicasets');
    this.podInformer = ctx.informers.informerFor('pods');
    this.informers = [this.rsInformer as unknown as SharedIndexInformer, this.podInformer as unknown as SharedIndexInformer];
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, rs) => {
        this.enqueue(rs);
        // minReadySeconds went up: pods' availability must be looked at again later.
        const min = rs.spec?.minReadySeconds ?? 0;
        if (min > (old.spec?.minReadySeconds ?? 0)) ctx.queue.addAfter(objectKey(rs), min * 1000 + 1000);
      },
      onDelete: (obj) => {
        const rs = deletedObject(obj);
        this.expectations.delete(objectKey(rs));
        this.enqueue(rs);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (obj) => this.podDeleted(obj),
    });
  }

  private enqueue(rs: ReplicaSet): void {
    this.ctx.queue.add(objectKey(rs));
  }

  /** The ReplicaSet a controller reference points to, if it is in the cache with that uid. */
  private resolveRef(pod: Pod): ReplicaSet | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.indexer.get(`${pod.metadata?.namespace}/${ref.name}`);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod (candidates to adopt it). */
  private matchingReplicaSets(pod: Pod): ReplicaSet[] {
    return this.rsInformer.indexer.listNamespace(pod.metadata?.namespace ?? '').filter((rs) => {
      try {
        return matchesSelector(selectorFromSpec(rs.spec?.selector), pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private podAdded(pod: Pod): void {
    // A pod that shows up terminating (e.g. after a relist) counts as deleted.
    if (pod.metadata?.deletionTimestamp) return this.podDeleted(pod);
    const rs = this.resolveRef(pod);
    if (rs) {
      this.expectations.creationObserved(objectKey(rs));
      return this.enqueue(rs);
    }
    if (!controllerOf(pod)) for (const r of this.matchingReplicaSets(pod)) this.enqueue(r);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    if (pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
      // Graceful deletion: the pod is as good as gone for counting purposes.
      this.podDeleted(pod);
    }
    const oldRef = controllerOf(old);
    const newRef = controllerOf(pod);
    if (oldRef && oldRef.uid !== newRef?.uid) {
      const oldRs = this.resolveRef(old);
      if (oldRs) this.enqueue(oldRs);
    }
    const rs = this.resolveRef(pod);
    if (rs) {
      this.enqueue(rs);
      // Ready now: once minReadySeconds pass it becomes available, which nothing else signals.
      const min = rs.spec?.minReadySeconds ?? 0;
      if (min > 0 && !isPodReady(old) && isPodReady(pod)) this.ctx.queue.addAfter(objectKey(rs), min * 1000 + 100);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
    if (!newRef && (labelsChanged || oldRef)) for (const r of this.matchingReplicaSets(pod)) this.enqueue(r);
  }

  private podDeleted(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rsKey = `${pod.metadata?.namespace}/${ref.name}`;
    const rs = this.rsInformer.indexer.get(rsKey);
    if (!rs || rs.metadata?.uid !== ref.uid) return;
    this.expectations.deletionObserved(rsKey, objectKey(pod));
    this.enqueue(rs);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.rsInformer.indexer.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rs = cached;
    let selector: Selector;
    try {
      selector = selectorFromSpec(rs.spec?.selector);
    } catch (err) {
      this.log.error({ replicaset: key, error: (err as Error).message }, `invalid selector of ${key}`);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const { namespace } = splitKey(key);
    // Finished pods are not candidates; terminating ones still are (for release/status).
    const candidates = this.podInformer.indexer.listNamespace(namespace).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const owned = await claimObjects(this.ctx.client, 'pods', rs, selector, candidates);
    const active = owned.filter(isPodActive);

    let failure: { reason: string; message: string } | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      const failed = await this.manageReplicas(rs, key, active);
      if (failed) {
        failure = { reason: failed.reason, message: (failed.error as Error)?.message ?? String(failed.error) };
        await this.writeStatus(rs, owned, failure);
        throw failed.error;
      }
    } else if (!needsSync) {
      this.log.debug({ replicaset: key, expectations: this.expectations.pending(key) }, 'expectations not yet met; waiting');
    }
    await this.writeStatus(rs, owned, failure);
    const min = rs.spec?.minReadySeconds ?? 0;
    const later = nextAvailableInMs(active, min, this.ctx.clock.wallNow().getTime());
    return later !== undefined ? { requeueAfterMs: later + 100 } : undefined;
  }

  private async writeStatus(rs: ReplicaSet, owned: Pod[], failure?: { reason: string; message: string }): Promise<void> {
    const wall = this.ctx.clock.wallNow();
    const status = calculateReplicaSetStatus(rs, owned, wall.getTime(), failure && { ...failure, now: nowTimestamp(wall) });
    if (!replicaSetStatusChanged(rs.status, status)) return;
    try {
      await this.ctx.client.updateStatus({ ...deepCopy(rs), status });
    } catch (err) {
      // Gone: nothing to report. A conflict: the next event brings the newer object.
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** Creates or deletes the difference; returns the first failure, if any. */
  private async manageReplicas(rs: ReplicaSet, key: string, active: Pod[]): Promise<{ reason: 'FailedCreate' | 'FailedDelete'; error: unknown } | undefined> {
    const want = rs.spec?.replicas ?? 1;
    const diff = active.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      // Record before creating: the informer may see a pod before create() returns.
      this.expectations.expectCreations(key, n);
      this.log.info({ replicaset: key, need: want, creating: n }, `too few replicas for ReplicaSet ${key}, need ${want}, creating ${n}`);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH, () => this.createPod(rs));
      // Creates never issued (or failed) will never be observed.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) return { reason: 'FailedCreate', error };
    } else if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(active, n);
      this.expectations.expectDeletions(key, victims.map(objectKey));
      this.log.info({ replicaset: key, need: want, deleting: n }, `too many replicas for ReplicaSet ${key}, need ${want}, deleting ${n}`);
      const errors: unknown[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.ctx.client.delete('pods', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
            this.ctx.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
          } catch (err) {
            // The deletion will not be observed (or already was, when not found).
            this.expectations.deletionObserved(key, objectKey(pod));
            if (!isNotFound(err)) {
              this.ctx.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
              errors.push(err);
            }
          }
        }),
      );
      if (errors.length) return { reason: 'FailedDelete', error: errors[0] };
    }
    return undefined;
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    try {
      const pod = await this.ctx.client.create(podFromTemplate(rs));
      this.log.debug({ replicaset: objectKey(rs), pod: pod.metadata?.name }, 'created pod');
      this.ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
    } catch (err) {
      // A timeout may still have created the pod: the informer will tell, so don't retry now.
      if (isStatusError(err, 'Timeout')) return;
      this.ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }
}
