// Field selectors (`spec.nodeName=node-1,status.phase!=Running`) over the fields
// Kubernetes supports for each kind.
import { badRequest } from './errors.js';
import type { KubeObject } from './gen/types.js';

export interface FieldRequirement { field: string; operator: '=' | '!='; value: string; }
export type FieldSelector = FieldRequirement[];

const COMMON = ['metadata.name', 'metadata.namespace'];

/** Fields each kind can be selected on, beyond metadata.name and metadata.namespace. */
const KIND_FIELDS: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Node: ['spec.unschedulable'],
  Event: [
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
    'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
};

/**
 * What a field reads as when absent. Kubernetes compares Go struct fields, so an unset
 * bool is "false" and an unset count "0"; unset strings are "".
 */
const ZERO: Record<string, string> = { 'spec.unschedulable': 'false', 'status.replicas': '0' };

/** The fields `kind` can be selected on. */
export function supportedFields(kind: string): string[] {
  return [...COMMON, ...(KIND_FIELDS[kind] ?? [])];
}

/** Splits on commas that are not escaped with a backslash. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** The first operator in the term, scanning left to right ("!=" before "==" before "="). */
function splitTerm(term: string): [string, '=' | '==' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') { i++; continue; }
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') throw badRequest(`invalid field selector: invalid escape sequence: ${JSON.stringify(c + (n ?? ''))}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: unescaped ${JSON.stringify(c)} in value ${JSON.stringify(v)}`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Escapes a value for the string form (`\`, `,` and `=`). */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Parses `spec.nodeName=node-1,status.phase!=Running`, checking each field is supported for the kind. */
export function parseFieldSelector(text: string, kind: string): FieldSelector {
  const allowed = new Set(supportedFields(kind));
  const out: FieldSelector = [];
  for (const raw of splitTerms(text)) {
    const term = raw.trim();
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = parts[0].trim();
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    out.push({ field, operator: parts[1] === '!=' ? '!=' : '=', value: unescapeValue(parts[2].trim()) });
  }
  return out;
}

/** The value of a selectable field of `obj`, as Kubernetes' string form of it. */
export function fieldValue(obj: KubeObject, field: string): string {
  // An Event's "source" field is the reporting component, not the whole source struct.
  const path = field === 'source' ? ['source', 'component'] : field.split('.');
  let v: unknown = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object') { v = undefined; break; }
    v = (v as Record<string, unknown>)[p];
  }
  if (v === undefined || v === null) return ZERO[field] ?? '';
  return typeof v === 'string' ? v : String(v);
}

export function matchesFieldSelector(selector: FieldSelector, obj: KubeObject): boolean {
  return selector.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='));
}

/** The string form, e.g. `spec.nodeName=node-1,status.phase!=Running`. */
export function fieldSelectorToString(selector: FieldSelector): string {
  return selector.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/**
 * The value the selector requires `field` to equal, if it has such a term: lets a store
 * narrow a list (pods of one node) before matching the rest.
 */
export function requiredFieldValue(selector: FieldSelector, field: string): string | undefined {
  return selector.find((r) => r.field === field && r.operator === '=')?.value;
}
