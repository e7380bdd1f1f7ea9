// Client-side apply, as kubectl does it without server-side apply: the configuration the
// user applied is kept in an annotation; the next apply sends a JSON merge patch that
// removes what left the configuration since then and sets what differs from the live
// object. Pure functions; commands/apply.ts does the I/O.
import { createMergePatch, type KubeObject } from '@kubesim/api';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** JSON with keys sorted at every level, so equal configurations give equal strings. */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (isObject(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])]));
    return x;
  };
  return JSON.stringify(sort(v));
}

/** The object without the last-applied annotation (dropping annotations if it was the only one). */
export function withoutLastApplied<T extends KubeObject>(obj: T): T {
  const annotations = obj.metadata?.annotations;
  if (!annotations || !(LAST_APPLIED in annotations)) return obj;
  const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
  const metadata = { ...obj.metadata };
  if (Object.keys(rest).length) metadata.annotations = rest;
  else delete metadata.annotations;
  return { ...obj, metadata };
}

/** The configuration to record for `manifest`. */
export function lastAppliedValue(manifest: KubeObject): string {
  return canonicalJson(withoutLastApplied(manifest));
}

/** The manifest with its configuration recorded, as sent on create. */
export function withLastApplied<T extends KubeObject>(manifest: T): T {
  const clean = withoutLastApplied(manifest);
  return { ...clean, metadata: { ...clean.metadata, annotations: { ...clean.metadata?.annotations, [LAST_APPLIED]: lastAppliedValue(manifest) } } };
}

/** The configuration recorded on a live object, if any (undefined when absent or unreadable). */
export function lastAppliedOf(live: KubeObject): Obj | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps only the deletions (nulls) of a merge patch. */
function deletionsOnly(patch: unknown): Obj {
  const out: Obj = {};
  if (!isObject(patch)) return out;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) out[k] = null;
    else if (isObject(v)) {
      const sub = deletionsOnly(v);
      if (Object.keys(sub).length) out[k] = sub;
    }
  }
  return out;
}

/**
 * What must be set for `live` to hold every value of `desired`. Fields `desired` does not
 * mention stay (the server and controllers own them). Lists replace whole, and only when
 * they changed in the configuration or differ from live without a recorded
 * configuration: the server fills defaults into list items, so comparing lists with
 * live would see a change on every apply.
 */
function settings(desired: Obj, live: unknown, original: unknown): Obj {
  const out: Obj = {};
  const liveObj = isObject(live) ? live : {};
  const origObj = isObject(original) ? original : undefined;
  for (const [k, want] of Object.entries(desired)) {
    const have = liveObj[k];
    const before = origObj?.[k];
    if (isObject(want)) {
      if (!isObject(have)) out[k] = want;
      else {
        const sub = settings(want, have, before);
        if (Object.keys(sub).length) out[k] = sub;
      }
    } else if (Array.isArray(want)) {
      const changed = before !== undefined ? !deepEqual(before, want) : !deepEqual(have, want);
      if (changed) out[k] = want;
    } else if (!deepEqual(have, want)) out[k] = want;
  }
  return out;
}

function mergeInto(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(out[k]) && isObject(v) ? mergeInto(out[k] as Obj, v) : v;
  return out;
}

/**
 * The merge patch that applies `manifest` over `live`; undefined when nothing would
 * change ("unchanged"). `status` is left out: only its owners write it.
 */
export function computeApplyPatch(manifest: KubeObject, live: KubeObject): Obj | undefined {
  const desired = withoutLastApplied(manifest) as unknown as Obj;
  const original = lastAppliedOf(live);
  const { status: _s, ...desiredNoStatus } = desired;
  const removals = original ? deletionsOnly(createMergePatch(original, desired)) : {};
  delete removals.status;
  let patch = mergeInto(removals, settings(desiredNoStatus, withoutLastApplied(live), original));
  const recorded = lastAppliedValue(manifest);
  if (!Object.keys(patch).length && live.metadata?.annotations?.[LAST_APPLIED] === recorded) return undefined;
  patch = mergeInto(patch, { metadata: { annotations: { [LAST_APPLIED]: recorded } } });
  return patch;
}
