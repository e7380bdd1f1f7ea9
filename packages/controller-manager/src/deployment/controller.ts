// The Deployment controller: owns ReplicaSets named <deployment>-<pod-template-hash>, one
// per pod template, and moves pods from the old ones to the new one by RollingUpdate
// (within maxSurge/maxUnavailable) or Recreate. Reads only caches; each sync takes one
// step and the ReplicaSet/pod events it causes bring the next.
import {
  controllerOf,
  deepCopy,
  isAlreadyExists,
  isNotFound,
  matchesSelector,
  objectKey,
  selectorFromSpec,
  splitKey,
  type Deployment,
  type Pod,
  type ReplicaSet,
  type Selector,
} from '@kubesim/api';
import { deletedObject, type DeletedFinalStateUnknown, type Logger, type SharedIndexInformer } from '@kubesim/client';
import { claimObjects, controllerRef } from '../runtime/claim.js';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './hash.js';
import { REVISION_ANNOTATION, newRSAnnotations, replicaSetsToClean, revisionOf, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from './revision.js';
import { isRollingUpdate, maxSurge, newRSNewReplicas, replicasOf, rollingUpdateStep } from './rollout.js';
import { PROGRESSING, REASON, condition, deploymentComplete, deploymentStatusChanged, getCondition, rolloutStatus, setCondition } from './status.js';

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** The ReplicaSet running the Deployment's current template: the oldest one that matches. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** The ReplicaSet a Deployment makes for its current template (before it exists). */
export function newReplicaSetFor(d: Deployment, oldRSs: ReplicaSet[], replicas: number): ReplicaSet {
  const hash = computeHash(d.spec?.template, d.status?.collisionCount);
  const template = deepCopy(d.spec?.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = deepCopy(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const want = replicasOf(d);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata?.name}-${hash}`,
      namespace: d.metadata?.namespace,
      labels: { ...template.metadata.labels },
      annotations: newRSAnnotations(undefined, oldRSs, d.metadata?.annotations, want, want + maxSurge(d)),
      ownerReferences: [controllerRef({ ...d, apiVersion: d.apiVersion ?? 'apps/v1', kind: 'Deployment' })],
    },
    spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly informers: SharedIndexInformer[];
  private readonly dInformer: SharedIndexInformer<Deployment>;
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly log: Logger;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    this.dInformer = ctx.informers.informerFor('deployments');
    this.rsInformer = ctx.informers.informerFor('replicasets');
    this.podInformer = ctx.informers.informerFor('pods');
    this.informers = [this.dInformer, this.rsInformer, this.podInformer] as unknown as SharedIndexInformer[];
    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(deletedObject(d)),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.rsChanged(rs),
      onUpdate: (old, rs) => {
        if (controllerOf(old)?.uid !== controllerOf(rs)?.uid) this.rsChanged(old);
        this.rsChanged(rs);
      },
      onDelete: (rs) => this.rsChanged(deletedObject(rs)),
    });
    // Recreate waits for old pods to be gone: their deletion is the signal.
    this.podInformer.addEventHandler({ onDelete: (p) => this.podDeleted(p) });
  }

  private enqueue(d: Deployment): void {
    this.ctx.queue.add(objectKey(d));
  }

  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.indexer.get(`${rs.metadata?.namespace}/${ref.name}`);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private rsChanged(rs: ReplicaSet): void {
    const owner = this.ownerOf(rs);
    if (owner) return this.enqueue(owner);
    if (controllerOf(rs)) return;
    // An orphan: every Deployment that could adopt it.
    for (const d of this.dInformer.indexer.listNamespace(rs.metadata?.namespace ?? '')) {
      try {
        if (matchesSelector(selectorFromSpec(d.spec?.selector), rs.metadata?.labels)) this.enqueue(d);
      } catch {
        // an invalid selector adopts nothing
      }
    }
  }

  private podDeleted(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.indexer.get(`${pod.metadata?.namespace}/${ref.name}`);
    const d = rs && this.ownerOf(rs);
    if (d && !isRollingUpdate(d)) this.enqueue(d);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.dInformer.indexer.get(key);
    if (!cached) return;
    const d = deepCopy(cached);
    const spec = d.spec?.selector;
    let selector: Selector;
    try {
      selector = selectorFromSpec(spec);
    } catch (err) {
      this.log.error({ deployment: key, error: (err as Error).message }, `invalid selector of ${key}`);
      return;
    }
    if (!spec || (!Object.keys(spec.matchLabels ?? {}).length && !(spec.matchExpressions ?? []).length)) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) await this.ctx.client.updateStatus({ ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata?.generation } });
      return;
    }
    const { namespace } = splitKey(key);
    const rsList = await claimObjects(this.ctx.client, 'replicasets', d, selector, this.rsInformer.indexer.listNamespace(namespace));

    if (d.metadata?.deletionTimestamp) return this.syncStatus(d, rsList, findNewReplicaSet(d, rsList));
    this.checkPausedConditions(d);
    if (d.spec?.paused) return this.syncPaused(d, rsList);
    if (isRollingUpdate(d)) return this.rolloutRolling(d, rsList);
    return this.rolloutRecreate(d, rsList);
  }

  private checkPausedConditions(d: Deployment): void {
    if (d.spec?.progressDeadlineSeconds === undefined || d.spec?.progressDeadlineSeconds === null) return;
    const cur = getCondition(d.status, PROGRESSING);
    if (cur?.reason === REASON.timedOut) return;
    const now = this.nowString();
    const status = (d.status ??= {});
    if (d.spec?.paused && cur?.reason !== REASON.paused) setCondition(status, condition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused', now));
    else if (!d.spec?.paused && cur?.reason === REASON.paused) setCondition(status, condition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed', now));
  }

  private nowString(): string {
    return this.ctx.clock.wallNow().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    const newRS = await this.getNewReplicaSet(d, rsList, true);
    const oldRSs = rsList.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
    const step = rollingUpdateStep(d, newRS, oldRSs);
    const all = newRS ? [newRS, ...oldRSs] : oldRSs;
    const scaled = await this.applyScale(d, all, step.scale);
    if (!step.scale.size) await this.cleanupIfComplete(d, scaled, newRS);
    return this.syncStatus(d, scaled, newRS && scaled.find((rs) => rs.metadata?.uid === newRS.metadata?.uid));
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    let newRS = await this.getNewReplicaSet(d, rsList, false);
    const oldRSs = rsList.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
    const activeOld = oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    if (activeOld.length) {
      const scaled = await this.applyScale(d, rsList, new Map(activeOld.map((rs) => [rs.metadata!.name!, 0])));
      return this.syncStatus(d, scaled, newRS);
    }
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncStatus(d, rsList, newRS);
    newRS ??= await this.getNewReplicaSet(d, rsList, true);
    let all = newRS ? [newRS, ...oldRSs] : oldRSs;
    if (newRS) all = await this.applyScale(d, all, new Map([[newRS.metadata!.name!, replicasOf(d)]]));
    const current = newRS && all.find((rs) => rs.metadata?.uid === newRS!.metadata?.uid);
    await this.cleanupIfComplete(d, all, current);
    return this.syncStatus(d, all, current);
  }

  /** Old ReplicaSets still report pods, or pods of theirs that have not finished exist. */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata?.uid));
    const ns = oldRSs[0]?.metadata?.namespace ?? newRS?.metadata?.namespace ?? '';
    return this.podInformer.indexer
      .listNamespace(ns)
      .some((p) => oldUids.has(controllerOf(p)?.uid) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  private async syncPaused(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    const newRS = await this.getNewReplicaSet(d, rsList, false);
    // Paused: no rollout progress. Scaling still applies when one ReplicaSet is active
    // (proportional scaling across several is not implemented).
    const active = rsList.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    const target = active.length === 1 ? active[0] : active.length === 0 ? newRS : undefined;
    const all = target ? await this.applyScale(d, rsList, new Map([[target.metadata!.name!, replicasOf(d)]])) : rsList;
    return this.syncStatus(d, all, newRS && all.find((rs) => rs.metadata?.uid === newRS.metadata?.uid));
  }

  /**
   * The ReplicaSet of the current template: the existing one, its revision and
   * annotations brought up to date, or (if `create`) a new one.
   */
  private async getNewReplicaSet(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const want = replicasOf(d);
    if (existing) {
      const annotations = newRSAnnotations(existing.metadata?.annotations, oldRSs, d.metadata?.annotations, want, want + maxSurge(d));
      const minReady = d.spec?.minReadySeconds ?? 0;
      let rs = existing;
      if (annotations || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        const next = deepCopy(existing);
        if (annotations) next.metadata = { ...next.metadata, annotations };
        next.spec = { ...next.spec, minReadySeconds: minReady };
        rs = await this.ctx.client.update(next);
      }
      await this.setDeploymentRevision(d, rs);
      if (!getCondition(d.status, PROGRESSING) && d.spec?.progressDeadlineSeconds !== undefined) {
        setCondition((d.status ??= {}), condition(PROGRESSING, 'True', REASON.foundNewRS, `Found new replica set "${rs.metadata?.name}"`, this.nowString()));
      }
      return rs;
    }
    if (!create) return undefined;
    const replicas = newRSNewReplicas(d, oldRSs, { spec: { replicas: 0 } });
    const wanted = newReplicaSetFor(d, oldRSs, replicas);
    let created: ReplicaSet;
    try {
      created = await this.ctx.client.create(wanted);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const name = wanted.metadata!.name!;
      const found = this.rsInformer.indexer.get(`${d.metadata?.namespace}/${name}`) ?? (await this.ctx.client.get('replicasets', d.metadata?.namespace ?? '', name));
      // Ours, and our cache had not seen it yet: use it.
      if (controllerOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) return found;
      // A hash collision with some other ReplicaSet: a new collisionCount gives a new name.
      const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      await this.ctx.client.updateStatus({ ...d, status });
      throw new Error(`hash collision for ReplicaSet "${name}" of deployment ${objectKey(d)}; collisionCount is now ${status.collisionCount}`);
    }
    this.log.info({ deployment: objectKey(d), replicaset: created.metadata?.name, replicas }, `created new replica set ${created.metadata?.name}`);
    if (replicas > 0) this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`);
    if (d.spec?.progressDeadlineSeconds !== undefined) setCondition((d.status ??= {}), condition(PROGRESSING, 'True', REASON.newRSCreated, `Created new replica set "${created.metadata?.name}"`, this.nowString()));
    await this.setDeploymentRevision(d, created);
    return created;
  }

  /** The Deployment carries the revision of its new ReplicaSet, as in Kubernetes. */
  private async setDeploymentRevision(d: Deployment, rs: ReplicaSet): Promise<void> {
    const rev = rs.metadata?.annotations?.[REVISION_ANNOTATION];
    if (!rev || d.metadata?.annotations?.[REVISION_ANNOTATION] === rev) return;
    const updated = await this.ctx.client.patch('deployments', d.metadata?.namespace ?? '', d.metadata?.name ?? '', { metadata: { annotations: { [REVISION_ANNOTATION]: rev } } });
    d.metadata = { ...d.metadata, annotations: updated.metadata?.annotations, resourceVersion: updated.metadata?.resourceVersion, generation: updated.metadata?.generation };
  }

  /** Resizes ReplicaSets (name -> replicas); returns the list with the updated objects. */
  private async applyScale(d: Deployment, rss: ReplicaSet[], scale: Map<string, number>): Promise<ReplicaSet[]> {
    const want = replicasOf(d);
    return Promise.all(
      rss.map(async (rs) => {
        const to = scale.get(rs.metadata?.name ?? '');
        const from = rs.spec?.replicas ?? 0;
        if (to === undefined || to === from) return rs;
        const next = deepCopy(rs);
        next.spec = { ...next.spec, replicas: to };
        next.metadata = { ...next.metadata, annotations: { ...(next.metadata?.annotations ?? {}), [DESIRED_REPLICAS_ANNOTATION]: String(want), [MAX_REPLICAS_ANNOTATION]: String(want + maxSurge(d)) } };
        const updated = await this.ctx.client.update(next);
        this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata?.name} from ${from} to ${to}`);
        this.log.info({ deployment: objectKey(d), replicaset: rs.metadata?.name, from, to }, `scaled replica set ${rs.metadata?.name} from ${from} to ${to}`);
        return updated;
      }),
    );
  }

  /** Old ReplicaSets beyond revisionHistoryLimit go once the rollout is complete. */
  private async cleanupIfComplete(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const { status } = rolloutStatus(d, all, newRS, this.ctx.clock.wallNow().getTime());
    if (!deploymentComplete(d, status)) return;
    const old = all.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
    for (const rs of replicaSetsToClean(old, limit)) {
      this.log.info({ deployment: objectKey(d), replicaset: rs.metadata?.name, revision: revisionOf(rs) }, `cleaning up old replica set ${rs.metadata?.name}`);
      try {
        await this.ctx.client.delete('replicasets', rs.metadata?.namespace ?? '', rs.metadata?.name ?? '', { preconditions: { uid: rs.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<ReconcileResult | void> {
    const { status, requeueAfterMs } = rolloutStatus(d, all, newRS, this.ctx.clock.wallNow().getTime());
    const stored = this.dInformer.indexer.get(objectKey(d));
    if (deploymentStatusChanged(stored?.status, status)) {
      try {
        await this.ctx.client.updateStatus({ ...d, status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }
}
