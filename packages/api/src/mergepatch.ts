// RFC 7386 JSON merge patch: what `kubectl patch --type merge` sends. Objects merge
// key by key, null deletes a key, arrays and scalars replace whole.
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON-shaped deep copy; keys holding `undefined` are dropped as JSON would. */
function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isObject(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clone(x);
    return out;
  }
  return v;
}

/** Applies a merge patch; returns a new value, never mutating its inputs. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Obj = isObject(target) ? (clone(target) as Obj) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    // Merging into the copy is safe: out[k] is already ours.
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The merge patch that turns `original` into `modified`: only changed keys, removed keys
 * as null. Two equal objects give `{}`. A non-object on either side gives `modified`
 * itself (a merge patch can only replace it whole).
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(original) || !isObject(modified)) return clone(modified);
  const patch: Obj = {};
  for (const [k, v] of Object.entries(original)) {
    if (v !== undefined && modified[k] === undefined) patch[k] = null;
  }
  for (const [k, v] of Object.entries(modified)) {
    if (v === undefined) continue;
    const before = original[k];
    if (before === undefined) patch[k] = clone(v);
    else if (isObject(before) && isObject(v)) {
      const sub = createMergePatch(before, v) as Obj;
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!deepEqual(before, v)) patch[k] = clone(v);
  }
  return patch;
}
