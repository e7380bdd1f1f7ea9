// What a delete request does to an object: remove it now, mark it (deletionTimestamp,
// finalizers for the garbage collector), or nothing because a graceful deletion is
// already under way. Pure: the registry turns the plan into one etcd transaction.
//
// Foreground and Orphan propagation only add the "foregroundDeletion" / "orphan"
// finalizers here; the garbage collector in the controller-manager acts on them (deletes
// or orphans the dependents, then removes the finalizer) as in Kubernetes.
import { conflict, badRequest, groupOf, type KubeObject, type Pod, type Preconditions, type ResourceInfo } from '@kubesim/api';
import { isTerminalPod } from './meta.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
/** A pod's grace period when neither the request nor the pod names one. */
export const DEFAULT_POD_GRACE_SECONDS = 30;

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: Preconditions;
}

export type DeletePlan =
  /** Remove the key. `obj` is the last state. */
  | { action: 'remove'; obj: KubeObject }
  /** Store `obj` (marked for deletion); it stays until finalizers/node agent let go. */
  | { action: 'update'; obj: KubeObject }
  /** Nothing to change: a deletion is already pending. */
  | { action: 'none'; obj: KubeObject };

function addSeconds(ts: string, seconds: number): string {
  return new Date(Date.parse(ts) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Throws Conflict when the request's preconditions do not hold for `obj`. */
export function checkPreconditions(info: ResourceInfo, obj: KubeObject, pre: Preconditions | undefined): void {
  const meta = obj.metadata ?? {};
  const name = meta.name ?? '';
  if (pre?.uid !== undefined && pre.uid !== meta.uid) {
    throw conflict(info.plural, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${meta.uid}). The object might have been deleted and then recreated`, groupOf(info));
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    throw conflict(info.plural, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion}). The object might have been modified`, groupOf(info));
  }
}

/** Finalizers after applying a propagation policy ("" keeps what the object asked for before). */
function finalizersFor(current: string[], policy: string): string[] {
  if (policy !== '' && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const orphan = policy === 'Orphan' || (policy === '' && current.includes(FINALIZER_ORPHAN));
  const foreground = policy === 'Foreground' || (policy === '' && current.includes(FINALIZER_FOREGROUND));
  const out = current.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) out.push(FINALIZER_ORPHAN);
  if (foreground) out.push(FINALIZER_FOREGROUND);
  return out;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Plans the deletion of `existing` (as stored, with its resourceVersion) at time `now`. */
export function planDelete(info: ResourceInfo, existing: KubeObject, opts: DeleteOptions, now: string): DeletePlan {
  checkPreconditions(info, existing, opts.preconditions);
  const obj = structuredClone(existing);
  const meta = (obj.metadata ??= {});
  // Negative grace periods mean "as soon as possible", as in Kubernetes.
  const requested = opts.gracePeriodSeconds === undefined ? undefined : opts.gracePeriodSeconds < 0 ? 1 : opts.gracePeriodSeconds;

  let graceful = false;
  if (info.kind === 'Pod') {
    if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds) {
      // Already terminating: a request may only shorten the grace period.
      if (requested === undefined || requested >= meta.deletionGracePeriodSeconds) return { action: 'none', obj: existing };
      meta.deletionTimestamp = addSeconds(meta.deletionTimestamp, requested - meta.deletionGracePeriodSeconds);
      meta.deletionGracePeriodSeconds = requested;
      graceful = requested > 0;
    } else if (!meta.deletionTimestamp) {
      const pod = obj as Pod;
      let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS;
      // Nothing runs for an unbound or finished pod: no reason to wait.
      if (!pod.spec?.nodeName || isTerminalPod(pod)) period = 0;
      if (period > 0) {
        meta.deletionTimestamp = addSeconds(now, period);
        meta.deletionGracePeriodSeconds = period;
        meta.generation = (meta.generation ?? 0) + 1;
        graceful = true;
      }
    }
  }

  const before = meta.finalizers ?? [];
  const after = finalizersFor(before, opts.propagationPolicy ?? '');
  if (!sameList(before, after)) {
    if (after.length) meta.finalizers = after;
    else delete meta.finalizers;
  }

  if (graceful) return { action: 'update', obj };
  if (after.length) {
    // Finalizers hold the object: mark it as deleting, with no grace left.
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = now;
      meta.generation = (meta.generation ?? 0) + 1;
    }
    meta.deletionGracePeriodSeconds = 0;
    return sameList(before, after) && existing.metadata?.deletionTimestamp && existing.metadata.deletionGracePeriodSeconds === 0
      ? { action: 'none', obj: existing }
      : { action: 'update', obj };
  }
  return { action: 'remove', obj: existing };
}
