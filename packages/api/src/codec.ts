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

interface Ctx {
  problems: string[];
  unknown: string[];
}

function scalarToProto(type: string, v: unknown, path: string, ctx: Ctx): unknown {
  if (type === 'string') {
    if (typeof v === 'string') return v;
  } else if (type === 'bool') {
    if (typeof v === 'boolean') return v;
  } else if (type === 'bytes') {
    if (typeof v === 'string') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) {
        ctx.problems.push(`${path}: Invalid value: illegal base64 data`);
        return undefined;
      }
      return Buffer.from(v, 'base64');
    }
  } else if (type === 'double' || type === 'float') {
    if (typeof v === 'number') return v;
  } else if (INT_TYPES.has(type)) {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'number') {
      ctx.problems.push(`${path}: Invalid value: ${v}: must be an integer`);
      return undefined;
    }
  }
  const want = type === 'bool' ? 'boolean' : type === 'bytes' ? 'string (base64)' : INT_TYPES.has(type) ? 'integer' : type;
  ctx.problems.push(`${path}: Invalid type: expected ${want}, got ${describe(v)}`);
  return undefined;
}

function valueToProto(field: protobuf.Field, v: unknown, path: string, ctx: Ctx): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return messageToProto(rt, v, path, ctx);
  if (rt instanceof protobuf.Enum) {
    if (typeof v === 'string' && v in rt.values) return rt.values[v];
    ctx.problems.push(`${path}: Unsupported value: ${JSON.stringify(v)}`);
    return undefined;
  }
  return scalarToProto(field.type, v, path, ctx);
}

function messageToProto(type: protobuf.Type, v: unknown, path: string, ctx: Ctx): unknown {
  switch (type.name) {
    case 'IntOrString':
      if (typeof v === 'number' && Number.isInteger(v)) return { int_val: v };
      if (typeof v === 'string') return { str_val: v };
      ctx.problems.push(`${path}: Invalid type: expected integer or string, got ${describe(v)}`);
      return undefined;
    case 'Quantity':
      // Kubernetes accepts bare numbers for quantities (cpu: 1, memory: 1073741824).
      if (typeof v === 'string') return { value: v };
      if (typeof v === 'number' && Number.isFinite(v)) return { value: String(v) };
      ctx.problems.push(`${path}: Invalid type: expected quantity (string or number), got ${describe(v)}`);
      return undefined;
    case 'Object':
      return objectToProto(v, path, ctx);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    ctx.problems.push(`${path || '<root>'}: Invalid type: expected object, got ${describe(v)}`);
    return undefined;
  }
  const fields = fieldsOf(type);
  const out: Record<string, unknown> = {};
  for (const [key, val] of Object.entries(v as Record<string, unknown>)) {
    const info = fields.get(key);
    const p = fmtPath(path, key);
    if (!info) {
      ctx.unknown.push(p);
      continue;
    }
    // null means "unset" in Kubernetes' JSON, as in Go's decoder.
    if (val === null || val === undefined) continue;
    const f = info.field;
    if (f.map) {
      if (typeof val !== 'object' || Array.isArray(val)) {
        ctx.problems.push(`${p}: Invalid type: expected map, got ${describe(val)}`);
        continue;
      }
      const m: Record<string, unknown> = {};
      for (const [mk, mv] of Object.entries(val as Record<string, unknown>)) {
        if (mv === null || mv === undefined) continue;
        const conv = valueToProto(f, mv, `${p}[${mk}]`, ctx);
        if (conv !== undefined) m[mk] = conv;
      }
      out[f.name] = m;
    } else if (f.repeated) {
      if (!Array.isArray(val)) {
        ctx.problems.push(`${p}: Invalid type: expected array, got ${describe(val)}`);
        continue;
      }
      out[f.name] = val.map((item, i) => valueToProto(f, item, `${p}[${i}]`, ctx));
    } else {
      const conv = valueToProto(f, val, p, ctx);
      if (conv !== undefined) out[f.name] = conv;
    }
  }
  return out;
}

function objectToProto(v: unknown, path: string, ctx: Ctx): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    ctx.problems.push(`${path || '<root>'}: Invalid type: expected object, got ${describe(v)}`);
    return undefined;
  }
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
  return { [member]: messageToProto(lookupType(kind as string), v, path, ctx) };
}

function toProtoPlain(type: protobuf.Type, value: unknown): Record<string, unknown> {
  const ctx: Ctx = { problems: [], unknown: [] };
  const out = messageToProto(type, value, '', ctx) as Record<string, unknown>;
  const problems = [...ctx.unknown.map((u) => `unknown field "${u}"`), ...ctx.problems];
  if (problems.length) throw new DecodeError(problems);
  return out;
}

// ---------- protobuf message -> JSON shape ----------

function isLong(v: unknown): v is { toNumber(): number } {
  return typeof v === 'object' && v !== null && typeof (v as { toNumber?: unknown }).toNumber === 'function';
}

function scalarFromProto(type: string, v: unknown): unknown {
  if (type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if (isLong(v)) return v.toNumber();
  return v;
}

function valueFromProto(field: protobuf.Field, v: unknown): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return messageFromProto(rt, v as Record<string, unknown>);
  if (rt instanceof protobuf.Enum) return rt.valuesById[v as number];
  return scalarFromProto(field.type, v);
}

function has(m: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key) && m[key] !== null && m[key] !== undefined;
}

function messageFromProto(type: protobuf.Type, m: Record<string, unknown>): unknown {
  switch (type.name) {
    case 'IntOrString':
      return has(m, 'int_val') ? m['int_val'] : has(m, 'str_val') ? m['str_val'] : 0;
    case 'Quantity':
      return has(m, 'value') ? m['value'] : '';
    case 'Object': {
      for (const [member, kind] of objectFieldToKind) {
        if (has(m, member)) return messageFromProto(lookupType(kind), m[member] as Record<string, unknown>);
      }
      return undefined;
    }
  }
  const out: Record<string, unknown> = {};
  for (const { field: f, json } of fieldsOf(type).values()) {
    if (!has(m, f.name)) continue;
    const val = m[f.name];
    if (f.map) {
      const entries = Object.entries(val as Record<string, unknown>);
      if (!entries.length) continue;
      const o: Record<string, unknown> = {};
      for (const [k, mv] of entries) o[k] = valueFromProto(f, mv);
      out[json] = o;
    } else if (f.repeated) {
      const arr = val as unknown[];
      if (!arr.length) continue;
      out[json] = arr.map((item) => valueFromProto(f, item));
    } else {
      out[json] = valueFromProto(f, val);
    }
  }
  return out;
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
