// Validation of every kind, with Kubernetes' rules, field paths and messages. Run it on
// the defaulted object (applyDefaults), as the apiserver does; fields that defaulting
// fills are nonetheless accepted empty.
import type { FieldError } from '../errors.js';
import { KINDS, type KubeObject, type PodSpec } from '../gen/types.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../names.js';
import { resourceForKind } from '../resources.js';
import { validateDeployment, validateReplicaSet } from './apps.js';
import { validateBinding, validateEvent, validateLease, validateNamespace, validateNode } from './cluster.js';
import { validateConfigMap, validateSecret } from './config.js';
import { notSupported } from './field.js';
import { nameValidator, validateObjectMeta as validateMeta, validateObjectMetaUpdate, type NameValidator } from './meta.js';
import { validatePodSpec as validateSpec, validatePodUpdate, type PodSpecOptions } from './pod.js';
import { validateEndpoints, validateService } from './service.js';
import { validateIngress, validateIngressClass } from './networking.js';

export { semanticEqual } from './field.js';
export { validateAnnotations, validateLabels, validateLabelSelector, validateObjectMetaUpdate, TOTAL_ANNOTATION_SIZE_LIMIT } from './meta.js';
export { validateResources, validateTolerations, POD_UPDATE_FORBIDDEN, type PodSpecOptions } from './pod.js';
export { MAX_CONFIG_DATA_SIZE } from './config.js';
export { DEFAULT_INGRESS_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION, PATH_TYPES, isWildcardDNS1123Subdomain, validateIngressBackend, type PathType } from './networking.js';

/**
 * Name rules per kind: Namespaces are DNS-1123 labels, Services DNS-1035 labels (they
 * become DNS names and env var prefixes, so they must start with a letter), the rest
 * DNS-1123 subdomains.
 */
const NAME_RULES: Record<string, NameValidator> = {
  Namespace: nameValidator(isDNS1123Label),
  Service: nameValidator(isDNS1035Label),
};
const subdomainName = nameValidator(isDNS1123Subdomain);

/** The name rule of `kind`. */
export function nameValidatorFor(kind: string): NameValidator {
  return NAME_RULES[kind] ?? subdomainName;
}

/** metadata of an object of `kind`, at "metadata": name rule and scope come from the kind. */
export function validateObjectMeta(meta: KubeObject['metadata'], kind: string, path = 'metadata'): FieldError[] {
  const namespaced = resourceForKind(kind)?.namespaced ?? true;
  return validateMeta(meta, { namespaced, validateName: nameValidatorFor(kind) }, path);
}

/** A pod spec at `path` ("spec"; "spec.template.spec" for templates, with restartPolicy Always only). */
export function validatePodSpec(spec: PodSpec | undefined, path = 'spec', opts?: PodSpecOptions): FieldError[] {
  return validateSpec(spec, path, opts);
}

function validateKind(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  switch (obj.kind) {
    case 'Pod': {
      const errs = validateSpec(obj.spec, 'spec');
      if (old?.kind === 'Pod') errs.push(...validatePodUpdate(obj, old));
      return errs;
    }
    case 'ReplicaSet':
      return validateReplicaSet(obj, old?.kind === 'ReplicaSet' ? old : undefined);
    case 'Deployment':
      return validateDeployment(obj, old?.kind === 'Deployment' ? old : undefined);
    case 'Service':
      return validateService(obj, old?.kind === 'Service' ? old : undefined);
    case 'Endpoints':
      return validateEndpoints(obj);
    case 'ConfigMap':
      return validateConfigMap(obj, old?.kind === 'ConfigMap' ? old : undefined);
    case 'Secret':
      return validateSecret(obj, old?.kind === 'Secret' ? old : undefined);
    case 'Node':
      return validateNode(obj);
    case 'Namespace':
      return validateNamespace(obj);
    case 'Lease':
      return validateLease(obj);
    case 'Event':
      return validateEvent(obj);
    case 'Binding':
      return validateBinding(obj);
    case 'Ingress':
      return validateIngress(obj, old?.kind === 'Ingress' ? old : undefined);
    case 'IngressClass':
      return validateIngressClass(obj, old?.kind === 'IngressClass' ? old : undefined);
    default:
      return [];
  }
}

/** All field errors of `obj` (a create when `old` is absent, else an update of `old`). */
export function validateObject(obj: KubeObject, old?: KubeObject): FieldError[] {
  const kind = obj.kind ?? '';
  if (!(KINDS as readonly string[]).includes(kind)) return [notSupported('kind', kind, KINDS)];
  const errs = validateObjectMeta(obj.metadata, kind);
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  errs.push(...validateKind(obj, old));
  return errs;
}
