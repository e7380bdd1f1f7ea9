// What the garbage collector does with one object, decided from facts about it and its
// owners (Kubernetes' attemptToDeleteItem / classifyReferences). Pure.
import type { KubeObject, OwnerReference } from '@kubesim/api';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** What is known about the owner behind one ownerReference. */
export type OwnerState = 'absent' | 'present' | 'deletingForeground';

export type GCAction =
  | { action: 'none' }
  /** Remove these ownerReferences (by uid): their owners are gone or going. */
  | { action: 'removeRefs'; uids: string[] }
  | { action: 'delete'; policy: 'Background' | 'Foreground' | 'Orphan' }
  /** An owner under foreground deletion: dependents first, then the finalizer. */
  | { action: 'removeFinalizer'; finalizer: string };

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return !!obj.metadata?.finalizers?.includes(f);
}

/**
 * For a dependent: `owners` maps each ownerReference uid to its owner's state;
 * `hasDependents` says whether anything refers to this object in turn.
 */
export function decideDependent(obj: KubeObject, owners: Map<string, OwnerState>, hasDependents: boolean): GCAction {
  const refs: OwnerReference[] = obj.metadata?.ownerReferences ?? [];
  if (!refs.length) return { action: 'none' };
  // Already being deleted in the background: nothing more to do.
  if (obj.metadata?.deletionTimestamp && !hasFinalizer(obj, FINALIZER_FOREGROUND) && !hasFinalizer(obj, FINALIZER_ORPHAN)) return { action: 'none' };
  const solid: string[] = [];
  const dangling: string[] = [];
  const waiting: string[] = [];
  for (const r of refs) {
    const state = owners.get(r.uid ?? '') ?? 'present';
    if (state === 'absent') dangling.push(r.uid ?? '');
    else if (state === 'deletingForeground') waiting.push(r.uid ?? '');
    else solid.push(r.uid ?? '');
  }
  if (solid.length) {
    if (!dangling.length && !waiting.length) return { action: 'none' };
    // Another owner keeps it alive: just drop the references to owners gone or going.
    return { action: 'removeRefs', uids: [...dangling, ...waiting] };
  }
  if (obj.metadata?.deletionTimestamp) return { action: 'none' };
  if (waiting.length && hasDependents) return { action: 'delete', policy: 'Foreground' };
  if (hasFinalizer(obj, FINALIZER_ORPHAN)) return { action: 'delete', policy: 'Orphan' };
  if (hasFinalizer(obj, FINALIZER_FOREGROUND)) return { action: 'delete', policy: 'Foreground' };
  return { action: 'delete', policy: 'Background' };
}

/** ownerReferences of `dependent` without those to `uids` (null when none remain, for a merge patch). */
export function refsWithout(dependent: KubeObject, uids: string[]): OwnerReference[] | null {
  const left = (dependent.metadata?.ownerReferences ?? []).filter((r) => !uids.includes(r.uid ?? ''));
  return left.length ? left : null;
}

/** Dependents that hold up a foreground deletion of `ownerUid` (blockOwnerDeletion). */
export function blocksOwner(dependent: KubeObject, ownerUid: string): boolean {
  return (dependent.metadata?.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion);
}
