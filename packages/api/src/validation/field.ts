// Small builders for field errors and field paths, shaped like Kubernetes' field package
// so messages read `spec.containers[0].image: Required value`.
import type { FieldError } from '../errors.js';

export type { FieldError };

/** `a.b` for a child field; `name` alone at the root. */
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
/** `a[0]` for a list element. */
export const index = (path: string, i: number): string => `${path}[${i}]`;
/** `a[key]` for a map entry. */
export const key = (path: string, k: string): string => `${path}[${k}]`;

export const required = (field: string, detail?: string): FieldError => ({ type: 'Required value', field, ...(detail ? { detail } : {}) });
export const invalid = (field: string, value: unknown, detail?: string): FieldError => ({ type: 'Invalid value', field, value, ...(detail ? { detail } : {}) });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate value', field, value });
export const forbidden = (field: string, detail?: string): FieldError => ({ type: 'Forbidden', field, ...(detail ? { detail } : {}) });
export const tooLong = (field: string, maxBytes: number): FieldError => ({ type: 'Too long', field, detail: `must have at most ${maxBytes} bytes` });
/** `Not found: "x"`: the value is part of the detail, since formatFieldError prints none for this type. */
export const notFound = (field: string, value: unknown): FieldError => ({ type: 'Not found', field, value, detail: JSON.stringify(value) });

/** `Unsupported value: "x": supported values: "a", "b"` (supported values sorted, as Kubernetes lists its sets). */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = [...supported].sort().map((s) => JSON.stringify(s)).join(', ');
  return { type: 'Unsupported value', field, value, detail: `supported values: ${list}` };
}

/** One Invalid error per message of a name/label check. */
export function invalidEach(field: string, value: unknown, msgs: string[]): FieldError[] {
  return msgs.map((m) => invalid(field, value, m));
}

export const NONNEGATIVE = 'must be greater than or equal to 0';

export function nonNegative(field: string, v: number | undefined): FieldError[] {
  return v !== undefined && v < 0 ? [invalid(field, v, NONNEGATIVE)] : [];
}

/** Checks `value` is one of `supported`; an empty or absent value passes when `allowEmpty`. */
export function oneOf(field: string, value: string | undefined, supported: readonly string[], allowEmpty = true): FieldError[] {
  if (value === undefined || value === '') return allowEmpty ? [] : [required(field)];
  return supported.includes(value) ? [] : [notSupported(field, value, supported)];
}

/** Bytes of a string in UTF-8, the measure of Kubernetes' size limits. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isZero);
  return false;
}

/**
 * Deep equality that treats absent and zero values alike (false, 0, "", [], {}): an
 * object that went through protobuf has lost its zero fields, so a manifest that spells
 * them out must still compare equal to the stored one.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
    return true;
  }
  return a === b;
}
