// What the apiserver, not the client, decides about an object on create and update:
// system metadata (uid, timestamps, generation), which parts a verb may change
// (status vs the rest), and Secret.stringData. Pure functions, no I/O.
import type { FieldError, KubeObject, ObjectMeta, ResourceInfo, Secret, Namespace, Pod } from '@kubesim/api';
import { deepEqual } from './equal.js';

type Loose = Record<string, unknown> & { metadata?: ObjectMeta; status?: unknown };

/** The parts of an object that make up its desired state (spec, or data for kinds without spec). */
function desiredState(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = obj as Loose;
  void _a;
  void _k;
  void _m;
  void _s;
  return rest;
}

/** Did the desired state change (what bumps metadata.generation)? */
export function desiredStateChanged(next: KubeObject, old: KubeObject): boolean {
  return !deepEqual(desiredState(next), desiredState(old));
}

/** Merges Secret.stringData into data (base64), as the API does; stringData is never stored. */
export function foldStringData(obj: KubeObject): void {
  if (obj.kind !== 'Secret') return;
  const s = obj as Secret;
  if (!s.stringData) return;
  const data = { ...(s.data ?? {}) };
  for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  s.data = data;
  delete s.stringData;
}

/** The status a new object starts with: what the system, not the client, reports. */
function initialStatus(obj: KubeObject, info: ResourceInfo): void {
  if (!info.hasStatus) return;
  const o = obj as Loose;
  switch (info.kind) {
    case 'Pod':
      o.status = { phase: 'Pending' };
      break;
    case 'Namespace':
      o.status = { phase: 'Active' };
      break;
    case 'Node':
      // A node agent registers its node with its status, as the kubelet does.
      break;
    default:
      delete o.status;
  }
}

/** Every namespace carries its name as a label, so selectors can pick namespaces by name. */
function labelNamespaceName(ns: Namespace): void {
  const name = ns.metadata?.name;
  if (name) ns.metadata = { ...ns.metadata, labels: { ...ns.metadata?.labels, 'kubernetes.io/metadata.name': name } };
}

/** Fills in what the server owns for a new object. `obj` is changed in place. */
export function prepareForCreate(obj: KubeObject, info: ResourceInfo, now: string, uid: string): KubeObject {
  obj.apiVersion = info.apiVersion;
  (obj as Loose).kind = info.kind;
  const meta: ObjectMeta = (obj.metadata ??= {});
  if (!info.namespaced) delete meta.namespace;
  meta.uid = uid;
  meta.creationTimestamp = now;
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  initialStatus(obj, info);
  if (info.kind === 'Namespace') {
    // The finalizer that holds a namespace until its contents are gone.
    const ns = obj as Namespace;
    const fins = ns.spec?.finalizers ?? [];
    ns.spec = { ...ns.spec, finalizers: fins.includes('kubernetes') ? fins : [...fins, 'kubernetes'] };
    labelNamespaceName(ns);
  }
  foldStringData(obj);
  return obj;
}

export type UpdateMode = 'update' | 'status';

/**
 * The object an Update (or UpdateStatus) of `old` with `next` stores, and the errors of
 * changes to fields the client may not change. `next` is changed in place.
 */
export function prepareForUpdate(next: KubeObject, old: KubeObject, info: ResourceInfo, mode: UpdateMode): { obj: KubeObject; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const oldMeta = old.metadata ?? {};
  const rv = next.metadata?.resourceVersion;
  if (mode === 'status') {
    // Only the status comes from the request; all else stays as stored.
    const obj = { ...structuredClone(old), status: (next as Loose).status } as KubeObject;
    obj.metadata = { ...obj.metadata, resourceVersion: rv };
    return { obj, errors };
  }
  next.apiVersion = info.apiVersion;
  (next as Loose).kind = info.kind;
  const meta: ObjectMeta = (next.metadata ??= {});
  if (meta.uid && meta.uid !== oldMeta.uid) {
    errors.push({ type: 'Invalid value', field: 'metadata.uid', value: meta.uid, detail: 'field is immutable' });
  }
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  meta.deletionTimestamp = oldMeta.deletionTimestamp;
  meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  meta.generation = oldMeta.generation;
  if (!info.namespaced) delete meta.namespace;
  delete meta.selfLink;
  for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) if (meta[k] === undefined) delete meta[k];
  if (oldMeta.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
    if (added.length) {
      errors.push({ type: 'Forbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` });
    }
  }
  if (info.hasStatus) {
    const s = (old as Loose).status;
    if (s === undefined) delete (next as Loose).status;
    else (next as Loose).status = structuredClone(s);
  }
  if (info.kind === 'Namespace') {
    // Namespace finalizers change only through deletion, as with the finalize subresource.
    (next as Namespace).spec = structuredClone((old as Namespace).spec);
    labelNamespaceName(next as Namespace);
  }
  foldStringData(next);
  if (desiredStateChanged(next, old)) meta.generation = (oldMeta.generation ?? 0) + 1;
  return { obj: next, errors };
}

/** An update that removes the last finalizer of an object being deleted removes it. */
export function removeOnUpdate(next: KubeObject, old: KubeObject): boolean {
  const om = old.metadata ?? {};
  if (!om.deletionTimestamp) return false;
  if ((next.metadata?.finalizers ?? []).length) return false;
  // A pod still inside its grace period stays until its node agent confirms (grace 0).
  return !om.deletionGracePeriodSeconds;
}

export function isTerminalPod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
