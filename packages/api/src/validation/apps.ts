// ReplicaSet and Deployment (apps/v1).
import type { Deployment, IntOrString, LabelSelector, PodTemplateSpec, ReplicaSet } from '../gen/types.js';
import { matchesSelector, selectorFromSpec } from '../labels.js';
import { isValidPercent } from '../names.js';
import { child, forbidden, invalid, invalidEach, nonNegative, notSupported, NONNEGATIVE, required, semanticEqual, type FieldError } from './field.js';
import { validateLabelSelector, validateTemplateMeta } from './meta.js';
import { validatePodSpec } from './pod.js';

export const DEPLOYMENT_STRATEGIES = ['RollingUpdate', 'Recreate'];

/** Selector and template of a ReplicaSet or Deployment spec at `path` ("spec"). */
function validateSelectorAndTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const selPath = child(path, 'selector');
  let selectorOk = false;
  if (!selector) errs.push(required(selPath));
  else {
    const selErrs = validateLabelSelector(selector, selPath);
    errs.push(...selErrs);
    const empty = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;
    // Kubernetes words this one for deployments even on a ReplicaSet.
    if (empty) errs.push(invalid(selPath, selector, 'empty selector is invalid for deployment'));
    selectorOk = selErrs.length === 0 && !empty;
  }
  const tPath = child(path, 'template');
  if (!template) {
    errs.push(required(tPath));
    return errs;
  }
  const labelsPath = child(child(tPath, 'metadata'), 'labels');
  if (selectorOk && selector && !matchesSelector(selectorFromSpec(selector), template.metadata?.labels)) {
    errs.push(invalid(labelsPath, template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validateTemplateMeta(template.metadata, child(tPath, 'metadata')));
  errs.push(...validatePodSpec(template.spec, child(tPath, 'spec'), { restartPolicies: ['Always'], allowActiveDeadline: false }));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): FieldError[] {
  const spec = rs.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));
  if (old) errs.push(...validateSelectorUpdate(spec.selector, old.spec?.selector));
  return errs;
}

/** apps/v1 selectors never change after creation. */
function validateSelectorUpdate(sel: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  return semanticEqual(sel, old) ? [] : [invalid('spec.selector', sel ?? null, 'field is immutable')];
}

/** An int or a percentage: the count (for an int) or percent (for "25%"), or undefined when invalid. */
function intOrPercentValue(v: IntOrString | undefined): number | undefined {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  return isValidPercent(v).length ? undefined : Number(v.slice(0, -1));
}

function validateIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (v === undefined) return [];
  if (typeof v === 'string') {
    const msgs = isValidPercent(v);
    if (msgs.length) return invalidEach(path, v, msgs);
    if (Number(v.slice(0, -1)) > 100) return [invalid(path, v, 'must not be greater than 100%')];
    return [];
  }
  return v < 0 ? [invalid(path, v, NONNEGATIVE)] : [];
}

export function validateDeployment(d: Deployment, old?: Deployment): FieldError[] {
  const spec = d.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));

  const strategy = spec.strategy ?? {};
  const type = strategy.type ?? '';
  const ruPath = 'spec.strategy.rollingUpdate';
  if (type !== '' && !DEPLOYMENT_STRATEGIES.includes(type)) errs.push(notSupported('spec.strategy.type', type, DEPLOYMENT_STRATEGIES));
  if (type === 'Recreate' && strategy.rollingUpdate) errs.push(forbidden(ruPath, "may not be specified when strategy `type` is 'Recreate'"));
  const ru = strategy.rollingUpdate;
  if (ru && type !== 'Recreate') {
    errs.push(...validateIntOrPercent(ru.maxUnavailable, `${ruPath}.maxUnavailable`));
    errs.push(...validateIntOrPercent(ru.maxSurge, `${ruPath}.maxSurge`));
    // Both zero would mean a rollout can neither add nor remove a pod.
    if (intOrPercentValue(ru.maxSurge) === 0 && intOrPercentValue(ru.maxUnavailable) === 0) {
      errs.push(invalid(`${ruPath}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined) {
    if (pds < 0) errs.push(invalid('spec.progressDeadlineSeconds', pds, NONNEGATIVE));
    else if (pds <= (spec.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  if (old) errs.push(...validateSelectorUpdate(spec.selector, old.spec?.selector));
  return errs;
}
