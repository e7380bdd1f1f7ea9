// The garbage collector: ownerReferences cascade over the kinds it watches.
// - Background: an object whose owners are all gone is deleted (references to gone
//   owners are removed when another owner remains).
// - Foreground: an owner with deletionTimestamp and the "foregroundDeletion" finalizer has
//   its dependents deleted; once none that blockOwnerDeletion remain, the finalizer goes
//   (and the apiserver removes the owner).
// - Orphan: an owner with the "orphan" finalizer has the references to it removed from
//   its dependents, then the finalizer.
// Keys are "<resource>|<namespace>/<name>". Owners are found by uid in the caches; an
// owner missing from the cache is confirmed missing with a live GET before anything is
// deleted, since its informer may simply not have seen it yet.
import { isNotFound, objectKey, resourceForKind, splitKey, type KubeObject, type ResourceName } from '@kubesim/api';
import { deletedObject, type Logger, type SharedIndexInformer } from '@kubesim/client';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { blocksOwner, decideDependent, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, hasFinalizer, refsWithout, type OwnerState } from './decide.js';

/** The kinds that own or are owned, as far as this collector looks. */
export const GC_RESOURCES: readonly ResourceName[] = ['deployments', 'replicasets', 'pods'];

const UID_INDEX = 'gc-uid';
const OWNER_INDEX = 'gc-owner';

interface Found {
  resource: ResourceName;
  obj: KubeObject;
}

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly informers: SharedIndexInformer[];
  private readonly byResource = new Map<ResourceName, SharedIndexInformer<KubeObject>>();
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    resources: readonly ResourceName[] = GC_RESOURCES,
  ) {
    this.log = ctx.logger;
    for (const r of resources) {
      const inf = ctx.informers.informerFor(r) as unknown as SharedIndexInformer<KubeObject>;
      inf.addIndexers({
        [UID_INDEX]: (o) => (o.metadata?.uid ? [o.metadata.uid] : []),
        [OWNER_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).map((ref) => ref.uid ?? '').filter(Boolean),
      });
      inf.addEventHandler({
        onAdd: (o) => this.changed(r, undefined, o),
        onUpdate: (old, o) => this.changed(r, old, o),
        onDelete: (o) => this.deleted(deletedObject(o)),
      });
      this.byResource.set(r, inf);
    }
    this.informers = [...this.byResource.values()] as SharedIndexInformer[];
  }

  private enqueue(resource: ResourceName, obj: KubeObject): void {
    this.ctx.queue.add(`${resource}|${objectKey(obj)}`);
  }

  private changed(resource: ResourceName, old: KubeObject | undefined, obj: KubeObject): void {
    const m = obj.metadata ?? {};
    const deletingWithGC = !!m.deletionTimestamp && (hasFinalizer(obj, FINALIZER_ORPHAN) || hasFinalizer(obj, FINALIZER_FOREGROUND));
    const refsChanged = JSON.stringify(old?.metadata?.ownerReferences ?? []) !== JSON.stringify(m.ownerReferences ?? []);
    const deletionChanged = old?.metadata?.deletionTimestamp !== m.deletionTimestamp || JSON.stringify(old?.metadata?.finalizers ?? []) !== JSON.stringify(m.finalizers ?? []);
    if (!old || refsChanged || deletionChanged) {
      if (m.ownerReferences?.length || deletingWithGC) this.enqueue(resource, obj);
    }
    // A dependent that let go of (or stopped blocking) an owner may unblock its foreground deletion.
    if (old && (refsChanged || deletionChanged)) for (const ref of old.metadata?.ownerReferences ?? []) this.enqueueUid(ref.uid ?? '');
  }

  private deleted(obj: KubeObject): void {
    // Its dependents may now be orphans of a dead owner; its owners may be waiting for it.
    for (const d of this.dependents(obj.metadata?.uid ?? '')) this.enqueue(d.resource, d.obj);
    for (const ref of obj.metadata?.ownerReferences ?? []) this.enqueueUid(ref.uid ?? '');
  }

  private enqueueUid(uid: string): void {
    const f = this.byUid(uid);
    if (f) this.enqueue(f.resource, f.obj);
  }

  private byUid(uid: string): Found | undefined {
    if (!uid) return undefined;
    for (const [resource, inf] of this.byResource) {
      const [obj] = inf.indexer.byIndex(UID_INDEX, uid);
      if (obj) return { resource, obj };
    }
    return undefined;
  }

  private dependents(uid: string): Found[] {
    if (!uid) return [];
    const out: Found[] = [];
    for (const [resource, inf] of this.byResource) for (const obj of inf.indexer.byIndex(OWNER_INDEX, uid)) out.push({ resource, obj });
    return out;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const bar = key.indexOf('|');
    const resource = key.slice(0, bar) as ResourceName;
    const obj = this.byResource.get(resource)?.indexer.get(key.slice(bar + 1));
    if (!obj) return;
    const m = obj.metadata ?? {};
    if (m.deletionTimestamp && hasFinalizer(obj, FINALIZER_ORPHAN)) return this.orphanDependents(resource, obj);
    if (m.deletionTimestamp && hasFinalizer(obj, FINALIZER_FOREGROUND)) {
      const deps = this.dependents(m.uid ?? '');
      if (!deps.some((d) => blocksOwner(d.obj, m.uid ?? ''))) return this.removeFinalizer(resource, obj, FINALIZER_FOREGROUND);
      // Its dependents go first; their deletion brings this key back.
      for (const d of deps) this.enqueue(d.resource, d.obj);
      if (!m.ownerReferences?.length) return;
    }
    return this.collectDependent(resource, obj);
  }

  private async collectDependent(resource: ResourceName, obj: KubeObject): Promise<void> {
    const m = obj.metadata ?? {};
    const owners = new Map<string, OwnerState>();
    for (const ref of m.ownerReferences ?? []) owners.set(ref.uid ?? '', await this.ownerState(ref.kind ?? '', ref.name ?? '', ref.uid ?? '', m.namespace ?? ''));
    const decision = decideDependent(obj, owners, this.dependents(m.uid ?? '').length > 0);
    const where = { resource, object: objectKey(obj) };
    try {
      if (decision.action === 'removeRefs') {
        this.log.info({ ...where, owners: decision.uids }, `removing references to deleted owners from ${resource} ${objectKey(obj)}`);
        await this.ctx.client.patch(resource, m.namespace ?? '', m.name ?? '', { metadata: { ownerReferences: refsWithout(obj, decision.uids), resourceVersion: m.resourceVersion } });
      } else if (decision.action === 'delete') {
        this.log.info({ ...where, propagationPolicy: decision.policy }, `deleting ${resource} ${objectKey(obj)}: its owners are gone`);
        await this.ctx.client.delete(resource, m.namespace ?? '', m.name ?? '', { propagationPolicy: decision.policy, preconditions: { uid: m.uid } });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Cache first; a miss is confirmed with a live GET (a new owner may not be cached yet). */
  private async ownerState(kind: string, name: string, uid: string, namespace: string): Promise<OwnerState> {
    const cached = this.byUid(uid);
    if (cached) return classify(cached.obj);
    const info = resourceForKind(kind);
    // A kind this apiserver does not serve cannot be checked: never delete on a guess.
    if (!info) return 'present';
    try {
      const live = await this.ctx.client.get(info.plural as ResourceName, info.namespaced ? namespace : '', name);
      return live.metadata?.uid === uid ? classify(live) : 'absent';
    } catch (err) {
      if (isNotFound(err)) return 'absent';
      throw err;
    }
  }

  private async orphanDependents(resource: ResourceName, owner: KubeObject): Promise<void> {
    const uid = owner.metadata?.uid ?? '';
    const errors: unknown[] = [];
    await Promise.all(
      this.dependents(uid).map(async ({ resource: r, obj }) => {
        try {
          await this.ctx.client.patch(r, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', { metadata: { ownerReferences: refsWithout(obj, [uid]), resourceVersion: obj.metadata?.resourceVersion } });
        } catch (err) {
          if (!isNotFound(err)) errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
    this.log.info({ resource, object: objectKey(owner) }, `orphaned the dependents of ${resource} ${objectKey(owner)}`);
    await this.removeFinalizer(resource, owner, FINALIZER_ORPHAN);
  }

  private async removeFinalizer(resource: ResourceName, obj: KubeObject, finalizer: string): Promise<void> {
    const left = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    const { namespace, name } = splitKey(objectKey(obj));
    try {
      await this.ctx.client.patch(resource, namespace, name, { metadata: { finalizers: left.length ? left : null, resourceVersion: obj.metadata?.resourceVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function classify(owner: KubeObject): OwnerState {
  return owner.metadata?.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND) ? 'deletingForeground' : 'present';
}
