// Nodes, Namespaces, Leases, Events and Bindings: the lighter kinds.
import type { Binding, Event, Lease, Namespace, Node } from '../gen/types.js';
import { isDNS1123Subdomain, isIPv4, isQualifiedName, isValidLabelValue } from '../names.js';
import { validateQuantity } from '../quantity.js';
import { child, duplicate, index, invalid, invalidEach, key, nonNegative, oneOf, required, type FieldError } from './field.js';
import { TAINT_EFFECTS } from './pod.js';

function isIPv4CIDR(v: string): boolean {
  const m = /^(.+)\/(\d{1,2})$/.exec(v);
  return !!m && isIPv4(m[1]) && Number(m[2]) <= 32;
}

export function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const spec = node.spec ?? {};
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const p = index('spec.taints', i);
    if (!t.key) errs.push(required(child(p, 'key')));
    else errs.push(...invalidEach(child(p, 'key'), t.key, isQualifiedName(t.key)));
    if (t.value) errs.push(...invalidEach(child(p, 'value'), t.value, isValidLabelValue(t.value)));
    errs.push(...oneOf(child(p, 'effect'), t.effect, TAINT_EFFECTS, false));
    // A node can hold one taint per key and effect.
    const k = `${t.key ?? ''}:${t.effect ?? ''}`;
    if (seen.has(k)) errs.push(duplicate(p, { key: t.key ?? '', effect: t.effect ?? '' }));
    seen.add(k);
  });
  if (spec.podCIDR && !isIPv4CIDR(spec.podCIDR)) errs.push(invalid('spec.podCIDR', spec.podCIDR, 'must be a valid CIDR'));
  (spec.podCIDRs ?? []).forEach((c, i) => {
    if (!isIPv4CIDR(c)) errs.push(invalid(index('spec.podCIDRs', i), c, 'must be a valid CIDR'));
  });
  for (const field of ['capacity', 'allocatable'] as const) {
    for (const [name, q] of Object.entries(node.status?.[field] ?? {})) {
      const p = key(`status.${field}`, name);
      const msgs = validateQuantity(String(q));
      errs.push(...invalidEach(p, q, msgs));
      if (!msgs.length && String(q).startsWith('-')) errs.push(invalid(p, q, 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs: FieldError[] = [];
  (ns.spec?.finalizers ?? []).forEach((f, i) => errs.push(...invalidEach(index('spec.finalizers', i), f, isQualifiedName(f))));
  errs.push(...oneOf('status.phase', ns.status?.phase, ['Active', 'Terminating']));
  return errs;
}

export function validateLease(lease: Lease): FieldError[] {
  const spec = lease.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative('spec.leaseTransitions', spec.leaseTransitions));
  return errs;
}

export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const objNs = ev.involvedObject?.namespace ?? '';
  // Events about cluster-scoped objects live in "default"; others beside their object.
  if (ns) {
    const ok = objNs ? objNs === ns : ns === 'default';
    if (!ok) errs.push(invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
  }
  errs.push(...oneOf('type', ev.type, ['Normal', 'Warning']));
  errs.push(...nonNegative('count', ev.count));
  return errs;
}

export function validateBinding(b: Binding): FieldError[] {
  const errs: FieldError[] = [];
  const kind = b.target?.kind ?? '';
  if (kind && kind !== 'Node') errs.push(invalid('target.kind', kind, "must be empty or 'Node'"));
  const name = b.target?.name ?? '';
  if (!name) errs.push(required('target.name'));
  else errs.push(...invalidEach('target.name', name, isDNS1123Subdomain(name)));
  return errs;
}
