// Status comparison that ignores how a status travelled: fields that are undefined,
// empty objects and arrays, false, 0 and "" all mean "unset" once through the API's
// codec, so a status read back equals the one written.

function isUnset(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).every(isUnset);
  return false;
}

/** A canonical form: unset fields dropped, keys sorted. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (!isUnset(x)) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

export function statusEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b ?? {}));
}
