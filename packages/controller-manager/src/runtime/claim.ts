// The ControllerRefManager of Kubernetes: which of the objects a controller's selector
// matches are its own. It adopts matching orphans, releases owned objects whose labels no
// longer match, and leaves alone what another controller owns. The decision is pure
// (`claimDecision`); `claimObjects` carries it out with merge patches that carry the
// cached resourceVersion, so a stale cache gets a Conflict instead of clobbering a
// reference another controller just wrote.
import { controllerOf, isNotFound, matchesSelector, type KubeObject, type OwnerReference, type ResourceName, type Selector } from '@kubesim/api';
import type { ControllerClient } from './controller.js';

export type ClaimDecision = 'owned' | 'adopt' | 'release' | 'ignore';

export interface OwnerInfo {
  uid: string;
  /** The owner is being deleted: it adopts nothing and releases nothing. */
  deleting: boolean;
}

export function claimDecision(owner: OwnerInfo, selector: Selector, obj: KubeObject): ClaimDecision {
  const ref = controllerOf(obj);
  const matches = matchesSelector(selector, obj.metadata?.labels);
  if (ref) {
    if (ref.uid !== owner.uid) return 'ignore';
    if (matches) return 'owned';
    // An owner being deleted lets go of nothing: the garbage collector handles its objects.
    return owner.deleting ? 'ignore' : 'release';
  }
  if (!matches || owner.deleting || obj.metadata?.deletionTimestamp) return 'ignore';
  return 'adopt';
}

export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata?.name,
    uid: owner.metadata?.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Returns the objects that belong to `owner` after adopting and releasing. Adoption or
 * release of an object that vanished meanwhile is not an error; any other failure is
 * thrown after the rest were tried (so the key is retried).
 */
export async function claimObjects<T extends KubeObject>(client: ControllerClient, resource: ResourceName, owner: KubeObject, selector: Selector, candidates: T[]): Promise<T[]> {
  const info: OwnerInfo = { uid: owner.metadata?.uid ?? '', deleting: !!owner.metadata?.deletionTimestamp };
  const claimed: T[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    candidates.map(async (obj) => {
      const meta = obj.metadata ?? {};
      const decision = claimDecision(info, selector, obj);
      try {
        if (decision === 'owned') claimed.push(obj);
        else if (decision === 'adopt') {
          const refs = [...(meta.ownerReferences ?? []), controllerRef(owner)];
          claimed.push((await client.patch(resource, meta.namespace ?? '', meta.name ?? '', { metadata: { ownerReferences: refs, resourceVersion: meta.resourceVersion } })) as unknown as T);
        } else if (decision === 'release') {
          const refs = (meta.ownerReferences ?? []).filter((r) => r.uid !== info.uid);
          await client.patch(resource, meta.namespace ?? '', meta.name ?? '', { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: meta.resourceVersion } });
        }
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
    }),
  );
  if (errors.length) throw errors[0];
  return claimed;
}
