// The one place that maps between Kubernetes' JSON shape (what manifests, etcd values
// and all TypeScript code use) and protobuf messages (what crosses gRPC). It walks the
// protobufjs reflection of proto/, so it follows the .proto files with no hand-kept
// field lists. Strict: a field the proto does not declare is an error that names it.
import protobuf from 'protobufjs';
import { descriptor } from './gen/descriptor.js';
import { KINDS, type KubeObject } from './gen/types.js';

const PKG = 'kubesim.v1';

export const root: protobuf.Root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
root.resolveAll();

/** Thrown for input that does not fit the schema; `problems` name each field. */
export class DecodeError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(', '));
    this.name = 'DecodeError';
  }
}

interface FieldInfo {
  field: protobuf.Field;
  json: string;
}

const fieldCache = new Map<protobuf.Type, Map<string, FieldInfo>>();

function jsonNameOf(field: protobuf.Field): string {
  const explicit = field.options?.['json_name'] as string | undefined;
  return explicit ?? field.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Fields of a message keyed by their JSON name. */
function fieldsOf(type: protobuf.Type): Map<string, FieldInfo> {
  let m = fieldCache.get(type);
  if (!m) {
    m = new Map();
    for (const field of type.fieldsArray) m.set(jsonNameOf(field), { field, json: jsonNameOf(field) });
    fieldCache.set(type, m);
  }
  return m;
}

const typeCache = new Map<string, protobuf.Type>();

export function lookupType(name: string): protobuf.Type {
  let t = typeCache.get(name);
  if (!t) typeCache.set(name, (t = root.lookupType(`${PKG}.${name}`)));
  return t;
}

const objectType = lookupType('Object');
/** kind name -> the oneof member of Object that carries it. */
const kindToObjectField = new Map<string, string>();
const objectFieldToKind = new Map<string, string>();
for (const f of objectType.oneofs['object'].fieldsArray) {
  const kind = (f.resolvedType as protobuf.Type).name;
  kindToObjectField.set(kind, f.name);
  objectFieldToKind.set(f.name, kind);
}

const INT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function fmtPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

// ---------- JSON shape -> protobuf plain object ----------
// Each message type gets its converter built once: a table from JSON name to a field
// converter specialised for the field's type, so the walk does no per-field type
// dispatch, and paths (for error messages) are only formatted where they are needed.

interface Ctx {
  problems: string[];
  unknown: string[];
}

/** Converts one value; its path is `base.key` (or `base[key]` when `bracket`), formatted only when needed. */
type ToValue = (v: unknown, base: string, key: string | number, bracket: boolean, ctx: Ctx) => unknown;
type ToMessage = (v: unknown, path: string, ctx: Ctx) => unknown;

function pathOf(base: string, key: string | number, bracket: boolean): string {
  return bracket ? `${base}[${key}]` : fmtPath(base, key as string);
}

function typeProblem(type: string, v: unknown, path: string, ctx: Ctx): undefined {
  const want = type === 'bool' ? 'boolean' : type === 'bytes' ? 'string (base64)' : INT_TYPES.has(type) ? 'integer' : type;
  ctx.problems.push(`${path}: Invalid type: expected ${want}, got ${describe(v)}`);
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function scalarToProtoFn(type: string): ToValue {
  if (type === 'string') return (v, b, k, br, ctx) => (typeof v === 'string' ? v : typeProblem(type, v, pathOf(b, k, br), ctx));
  if (type === 'bool') return (v, b, k, br, ctx) => (typeof v === 'boolean' ? v : typeProblem(type, v, pathOf(b, k, br), ctx));
  if (type === 'double' || type === 'float') return (v, b, k, br, ctx) => (typeof v === 'number' ? v : typeProblem(type, v, pathOf(b, k, br), ctx));
  if (type === 'bytes') {
    return (v, b, k, br, ctx) => {
      if (typeof v !== 'string') return typeProblem(type, v, pathOf(b, k, br), ctx);
      if (!BASE64.test(v) || v.length % 4 === 1) {
        ctx.problems.push(`${pathOf(b, k, br)}: Invalid value: illegal base64 data`);
        return undefined;
      }
      return Buffer.from(v, 'base64');
    };
  }
  if (INT_TYPES.has(type)) {
    return (v, b, k, br, ctx) => {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'number') {
        ctx.problems.push(`${pathOf(b, k, br)}: Invalid value: ${v}: must be an integer`);
        return undefined;
      }
      return typeProblem(type, v, pathOf(b, k, br), ctx);
    };
  }
  return (v, b, k, br, ctx) => typeProblem(type, v, pathOf(b, k, br), ctx);
}

function valueToProtoFn(field: protobuf.Field): ToValue {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) {
    let conv: ToMessage | undefined; // resolved on first use: types may nest themselves
    return (v, b, k, br, ctx) => (conv ??= toProtoFn(rt))(v, pathOf(b, k, br), ctx);
  }
  if (rt instanceof protobuf.Enum) {
    const values = rt.values;
    return (v, b, k, br, ctx) => {
      if (typeof v === 'string' && v in values) return values[v];
      ctx.problems.push(`${pathOf(b, k, br)}: Unsupported value: ${JSON.stringify(v)}`);
      return undefined;
    };
  }
  return scalarToProtoFn(field.type);
}

/** Converts the field `key` of a message at `path` into `out`. */
type ToField = (out: Record<string, unknown>, val: unknown, path: string, key: string, ctx: Ctx) => void;

function fieldToProtoFn(f: protobuf.Field): ToField {
  const conv = valueToProtoFn(f);
  const name = f.name;
  if (f.map) {
    return (out, val, path, key, ctx) => {
      if (typeof val !== 'object' || Array.isArray(val)) {
        ctx.problems.push(`${fmtPath(path, key)}: Invalid type: expected map, got ${describe(val)}`);
        return;
      }
      const p = fmtPath(path, key);
      const src = val as Record<string, unknown>;
      const m: Record<string, unknown> = {};
      for (const mk of Object.keys(src)) {
        const mv = src[mk];
        if (mv === null || mv === undefined) continue;
        const c = conv(mv, p, mk, true, ctx);
        if (c !== undefined) m[mk] = c;
      }
      out[name] = m;
    };
  }
  if (f.repeated) {
    return (out, val, path, key, ctx) => {
      if (!Array.isArray(val)) {
        ctx.problems.push(`${fmtPath(path, key)}: Invalid type: expected array, got ${describe(val)}`);
        return;
      }
      const p = fmtPath(path, key);
      const a = new Array<unknown>(val.length);
      for (let i = 0; i < val.length; i++) a[i] = conv(val[i], p, i, true, ctx);
      out[name] = a;
    };
  }
  return (out, val, path, key, ctx) => {
    const c = conv(val, path, key, false, ctx);
    if (c !== undefined) out[name] = c;
  };
}

function notAnObject(v: unknown, path: string, ctx: Ctx): undefined {
  ctx.problems.push(`${path || '<root>'}: Invalid type: expected object, got ${describe(v)}`);
  return undefined;
}

const toProtoCache = new Map<protobuf.Type, ToMessage>();

function toProtoFn(type: protobuf.Type): ToMessage {
  let fn = toProtoCache.get(type);
  if (fn) return fn;
  switch (type.name) {
    case 'IntOrString':
      fn = (v, path, ctx) => {
        if (typeof v === 'number' && Number.isInteger(v)) return { int_val: v };
        if (typeof v === 'string') return { str_val: v };
        ctx.problems.push(`${path}: Invalid type: expected integer or string, got ${describe(v)}`);
        return undefined;
      };
      break;
    case 'Quantity':
      // Kubernetes accepts bare numbers for quantities (cpu: 1, memory: 1073741824).
      fn = (v, path, ctx) => {
        if (typeof v === 'string') return { value: v };
        if (typeof v === 'number' && Number.isFinite(v)) return { value: String(v) };
        ctx.problems.push(`${path}: Invalid type: expected quantity (string or number), got ${describe(v)}`);
        return undefined;
      };
      break;
    case 'Object':
      fn = objectToProto;
      break;
    default: {
      const table: Record<string, ToField> = Object.create(null) as Record<string, ToField>;
      for (const { field } of fieldsOf(type).values()) table[jsonNameOf(field)] = fieldToProtoFn(field);
      fn = (v, path, ctx) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return notAnObject(v, path, ctx);
        const src = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(src)) {
          const conv = table[key];
          if (!conv) {
            ctx.unknown.push(fmtPath(path, key));
            continue;
          }
          const val = src[key];
          // null means "unset" in Kubernetes' JSON, as in Go's decoder.
          if (val === null || val === undefined) continue;
          conv(out, val, path, key, ctx);
        }
        return out;
      };
    }
  }
  toProtoCache.set(type, fn);
  return fn;
}

function objectToProto(v: unknown, path: string, ctx: Ctx): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return notAnObject(v, path, ctx);
  const kind = (v as { kind?: unknown }).kind;
  const member = typeof kind === 'string' ? kindToObjectField.get(kind) : undefined;
  if (!member) {
    const where = fmtPath(path, 'kind');
    ctx.problems.push(
      kind === undefined || kind === ''
        ? `${where}: Required value: kind must be set`
        : `${where}: Unsupported value: ${JSON.stringify(kind)}: supported values: ${KINDS.map((k) => `"${k}"`).join(', ')}`,
    );
    return undefined;
  }
  return { [member]: toProtoFn(lookupType(kind as string))(v, path, ctx) };
}

function toProtoPlain(type: protobuf.Type, value: unknown): Record<string, unknown> {
  const ctx: Ctx = { problems: [], unknown: [] };
  const out = toProtoFn(type)(value, '', ctx) as Record<string, unknown>;
  if (ctx.unknown.length || ctx.problems.length) throw new DecodeError([...ctx.unknown.map((u) => `unknown field "${u}"`), ...ctx.problems]);
  return out;
}

// ---------- protobuf message -> JSON shape ----------
// Also compiled per type: a function with one constant-key property check per field,
// in the proto's field order (so the JSON keys keep that order).

type FromValue = (v: unknown) => unknown;
type FromMessage = (m: Record<string, unknown>) => unknown;

function isLong(v: unknown): v is { toNumber(): number } {
  return typeof v === 'object' && v !== null && typeof (v as { toNumber?: unknown }).toNumber === 'function';
}

/** undefined: the value is taken as it is. */
function valueFromProtoFn(field: protobuf.Field): FromValue | undefined {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) {
    let conv: FromMessage | undefined;
    return (v) => (conv ??= fromProtoFn(rt))(v as Record<string, unknown>);
  }
  if (rt instanceof protobuf.Enum) {
    const byId = rt.valuesById;
    return (v) => byId[v as number];
  }
  if (field.type === 'bytes') return (v) => Buffer.from(v as Uint8Array).toString('base64');
  if (field.type.endsWith('64')) return (v) => (isLong(v) ? v.toNumber() : v);
  return undefined;
}

function has(m: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key) && m[key] !== null && m[key] !== undefined;
}

const fromProtoCache = new Map<protobuf.Type, FromMessage>();

function fromProtoFn(type: protobuf.Type): FromMessage {
  let fn = fromProtoCache.get(type);
  if (fn) return fn;
  switch (type.name) {
    case 'IntOrString':
      fn = (m) => (has(m, 'int_val') ? m['int_val'] : has(m, 'str_val') ? m['str_val'] : 0);
      break;
    case 'Quantity':
      fn = (m) => (has(m, 'value') ? m['value'] : '');
      break;
    case 'Object': {
      const members = [...objectFieldToKind].map(([member, kind]) => ({ member, kind }));
      fn = (m) => {
        for (const { member, kind } of members) {
          if (has(m, member)) return fromProtoFn(lookupType(kind))(m[member] as Record<string, unknown>);
        }
        return undefined;
      };
      break;
    }
    default:
      fn = compileFromProto([...fieldsOf(type).values()]);
  }
  fromProtoCache.set(type, fn);
  return fn;
}

function compileFromProto(fields: FieldInfo[]): FromMessage {
  const convs: (FromValue | undefined)[] = [];
  const lines: string[] = ['const out = {};', 'let v;'];
  fields.forEach(({ field: f, json }, i) => {
    const conv = valueFromProtoFn(f);
    convs.push(conv);
    const name = JSON.stringify(f.name);
    const key = JSON.stringify(json);
    const one = (x: string) => (conv ? `c[${i}](${x})` : x);
    lines.push(`if (hasOwn.call(m, ${name}) && (v = m[${name}]) !== null && v !== undefined) {`);
    if (f.map) {
      lines.push(`  const ks = Object.keys(v);`, `  if (ks.length) { const o = {}; for (const k of ks) o[k] = ${one('v[k]')}; out[${key}] = o; }`);
    } else if (f.repeated) {
      lines.push(`  const n = v.length;`, `  if (n) { const a = new Array(n); for (let j = 0; j < n; j++) a[j] = ${one('v[j]')}; out[${key}] = a; }`);
    } else {
      lines.push(`  out[${key}] = ${one('v')};`);
    }
    lines.push('}');
  });
  lines.push('return out;');
  // Generated code, as protobufjs itself does: constant property names keep every access monomorphic.
  const make = new Function('hasOwn', 'c', `return function fromProto(m) {\n${lines.join('\n')}\n};`) as (hasOwn: typeof Object.prototype.hasOwnProperty, c: (FromValue | undefined)[]) => FromMessage;
  return make(Object.prototype.hasOwnProperty, convs);
}

function messageFromProto(type: protobuf.Type, m: Record<string, unknown>): unknown {
  return fromProtoFn(type)(m);
}

// ---------- public API ----------

/** Encodes a JSON-shaped value as the named proto message. Throws DecodeError. */
export function encodeMessage(typeName: string, value: unknown): Uint8Array {
  const type = lookupType(typeName);
  return type.encode(toProtoPlain(type, value)).finish();
}

/** Decodes the named proto message into Kubernetes' JSON shape. */
export function decodeMessage<T>(typeName: string, bytes: Uint8Array): T {
  const type = lookupType(typeName);
  return messageFromProto(type, type.decode(bytes) as unknown as Record<string, unknown>) as T;
}

/**
 * Checks a JSON value (a parsed manifest document, an etcd value) against the schema of
 * its kind and returns it as a typed object. Unknown fields and wrong types throw a
 * DecodeError that names every offending field, as kubectl's strict decoding does.
 */
export function decodeObject(value: unknown): KubeObject {
  const plain = toProtoPlain(objectType, value);
  // Back through the message form, so the result holds only schema fields,
  // normalized (quantities as strings, empty collections dropped).
  return messageFromProto(objectType, plain) as KubeObject;
}
