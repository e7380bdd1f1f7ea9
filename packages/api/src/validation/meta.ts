// ObjectMeta, labels, annotations and label selectors, as Kubernetes validates them.
import type { LabelSelector, ObjectMeta } from '../gen/types.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../names.js';
import { child, forbidden, index, invalid, invalidEach, nonNegative, required, tooLong, utf8Length, type FieldError } from './field.js';

/** Total bytes of keys and values a metadata.annotations map may hold (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** A name check: returns messages (empty when valid). `prefix` is true for generateName. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** Drops the trailing '-' a generateName prefix usually has, then checks with `check`. */
export function nameValidator(check: (v: string) => string[]): NameValidator {
  return (name, prefix) => check(prefix && name.endsWith('-') ? name.slice(0, -1) : name);
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k)));
    errs.push(...invalidEach(path, v, isValidLabelValue(v)));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are compared case-insensitively to the qualified-name rules.
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    size += utf8Length(k) + utf8Length(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** A LabelSelector spec (matchLabels + matchExpressions) at `path`. */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), expr.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...invalidEach(child(p, 'key'), expr.key ?? '', isQualifiedName(expr.key ?? '')));
    values.forEach((v, j) => errs.push(...invalidEach(index(child(p, 'values'), j), v, isValidLabelValue(v))));
  });
  return errs;
}

export interface ObjectMetaOptions {
  /** Whether the kind lives in a namespace. */
  namespaced: boolean;
  /** The kind's name rule. */
  validateName: NameValidator;
}

/**
 * metadata of a stored object at `path` ("metadata"). A namespaced object with no
 * namespace passes: the apiserver fills it in before validating.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) errs.push(...invalidEach(child(path, 'generateName'), m.generateName, opts.validateName(m.generateName, true)));
  if (!m.name) {
    if (!m.generateName) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  } else {
    errs.push(...invalidEach(child(path, 'name'), m.name, opts.validateName(m.name, false)));
  }
  if (opts.namespaced) {
    if (m.namespace) errs.push(...invalidEach(child(path, 'namespace'), m.namespace, isDNS1123Label(m.namespace)));
  } else if (m.namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(child(path, 'generation'), m.generation));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m, path));
  (m.finalizers ?? []).forEach((f, i) => errs.push(...invalidEach(index(child(path, 'finalizers'), i), f, isQualifiedName(f))));
  return errs;
}

function validateOwnerReferences(m: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const refs = m.ownerReferences ?? [];
  const refsPath = child(path, 'ownerReferences');
  refs.forEach((r, i) => {
    const p = index(refsPath, i);
    if (!r.apiVersion) errs.push(invalid(child(p, 'apiVersion'), r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalid(child(p, 'kind'), r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalid(child(p, 'name'), r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalid(child(p, 'uid'), r.uid ?? '', 'uid must not be empty'));
  });
  const controllers = refs.filter((r) => r.controller);
  if (controllers.length > 1) {
    const names = controllers.map((r) => `${r.kind}/${r.name}`).join(', ');
    errs.push(invalid(refsPath, refs, `Only one reference can have Controller set to true. Found "true" in references for ${names}`));
  }
  return errs;
}

/** Metadata fields that never change once the object exists. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const was = o[f];
    const now = m[f];
    // An empty new value means "not sent"; the apiserver carries the stored one over.
    if (was && now && was !== now) errs.push(invalid(child(path, f), now, 'field is immutable'));
  }
  return errs;
}

/** The template metadata of a workload: labels and annotations only (names come from the controller). */
export function validateTemplateMeta(meta: ObjectMeta | undefined, path: string): FieldError[] {
  return [...validateLabels(meta?.labels, child(path, 'labels')), ...validateAnnotations(meta?.annotations, child(path, 'annotations'))];
}
