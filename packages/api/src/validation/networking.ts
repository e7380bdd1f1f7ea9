// networking.k8s.io/v1: Ingress and IngressClass, with Kubernetes' rules, field paths and
// messages (pkg/apis/networking/validation), for the v1 API only (no v1beta1 leniency).
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass, IngressClassParametersReference, IngressLoadBalancerStatus, IngressSpec, TypedLocalObjectReference } from '../gen/types.js';
import { DNS1123_SUBDOMAIN_MAX_LENGTH, isDNS1035Label, isDNS1123Subdomain, isIPv4, isValidPortName, isValidPortNum, maxLenError, regexError } from '../names.js';
import { child, forbidden, index, invalid, invalidEach, notSupported, required, tooLong, type FieldError } from './field.js';

export const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'] as const;
export type PathType = (typeof PATH_TYPES)[number];

/** The annotation that named an Ingress's class before spec.ingressClassName existed. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass that Ingresses without a class belong to. */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const MAX_CONTROLLER_LENGTH = 250;
const PARAMETER_SCOPES = ['Cluster', 'Namespace'];

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const wildcardFmt = `\\*\\.${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const wildcardRe = new RegExp(`^${wildcardFmt}$`);
const WILDCARD_MSG =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/** Errors for a wildcard DNS-1123 subdomain ("*.example.com"); empty when valid. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!wildcardRe.test(value)) errs.push(regexError(WILDCARD_MSG, wildcardFmt, '*.example.com'));
  return errs;
}

/** What Go's net.ParseIP accepts, near enough: dotted IPv4, or hex groups with colons (IPv6). */
function looksLikeIP(s: string): boolean {
  return isIPv4(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

/** A host name of a rule or a TLS entry: a DNS subdomain, or a wildcard one when it holds '*'. */
function hostErrors(host: string): string[] {
  return host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
}

/** A path segment name (kind and name of object references): not "." or "..", no '/' or '%'. */
function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

function validateLocalObjectReference(ref: TypedLocalObjectReference, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined) errs.push(...invalidEach(child(path, 'apiGroup'), ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  for (const f of ['kind', 'name'] as const) {
    const v = ref[f] ?? '';
    if (!v) errs.push(required(child(path, f), `${f} is required`));
    else errs.push(...invalidEach(child(path, f), v, pathSegmentErrors(v)));
  }
  return errs;
}

/** A backend: a Service with a port number or name, or a resource reference; never both. */
export function validateIngressBackend(backend: IngressBackend, path: string): FieldError[] {
  const { service, resource } = backend;
  if (service && resource) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (resource) return validateLocalObjectReference(resource, child(path, 'resource'));
  if (!service) return [invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const namePath = child(child(path, 'service'), 'name');
  if (!service.name) errs.push(required(namePath));
  else errs.push(...invalidEach(namePath, service.name, isDNS1035Label(service.name)));
  const portName = service.port?.name ?? '';
  const portNumber = service.port?.number ?? 0;
  const portPath = child(child(path, 'service'), 'port');
  if (portName && portNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...invalidEach(child(portPath, 'name'), portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(child(portPath, 'number'), portNumber, isValidPortNum(portNumber)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType === undefined) return [required(child(path, 'pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  const valuePath = child(path, 'path');
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(valuePath, value, 'must be an absolute path'));
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(valuePath, value, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(valuePath, value, `cannot end with '${suffix}'`));
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalid(valuePath, value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(child(path, 'pathType'), p.pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(p.backend ?? {}, child(path, 'backend')));
  return errs;
}

function validateRules(spec: IngressSpec): FieldError[] {
  const errs: FieldError[] = [];
  (spec.rules ?? []).forEach((rule, i) => {
    const rp = index('spec.rules', i);
    const host = rule.host ?? '';
    if (host) {
      if (looksLikeIP(host)) errs.push(invalid(child(rp, 'host'), host, 'must be a DNS name, not an IP address'));
      errs.push(...invalidEach(child(rp, 'host'), host, hostErrors(host)));
    }
    if (rule.http) {
      const hp = child(rp, 'http');
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(required(child(hp, 'paths')));
      paths.forEach((p, j) => errs.push(...validateHTTPIngressPath(p, index(child(hp, 'paths'), j))));
    }
  });
  return errs;
}

/** status.loadBalancer: IPs must be IPs, hostnames DNS names that are not IPs. */
function validateLoadBalancerStatus(lb: IngressLoadBalancerStatus | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (lb?.ingress ?? []).forEach((ing, i) => {
    const p = index('status.loadBalancer.ingress', i);
    if (ing.ip && !looksLikeIP(ing.ip)) errs.push(invalid(child(p, 'ip'), ing.ip, 'must be a valid IP address'));
    if (ing.hostname) {
      errs.push(...invalidEach(child(p, 'hostname'), ing.hostname, isDNS1123Subdomain(ing.hostname)));
      if (looksLikeIP(ing.hostname)) errs.push(invalid(child(p, 'hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** An Ingress (a create when `old` is absent). Metadata is checked by the caller. */
export function validateIngress(ing: Ingress, old?: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errs.push(invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  errs.push(...validateRules(spec));
  (spec.tls ?? []).forEach((tls, i) => {
    const tp = index('spec.tls', i);
    (tls.hosts ?? []).forEach((h, j) => errs.push(...invalidEach(index(child(tp, 'hosts'), j), h, hostErrors(h))));
    if (tls.secretName) errs.push(...invalidEach(child(tp, 'secretName'), tls.secretName, isDNS1123Subdomain(tls.secretName)));
  });
  if (spec.ingressClassName !== undefined) errs.push(...invalidEach('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  // On create only: the old annotation and the field may not both name a class.
  const annotated = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (!old && annotated !== undefined && spec.ingressClassName !== undefined) {
    errs.push(invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotated, 'can not be set when the class field is also set'));
  }
  errs.push(...validateLoadBalancerStatus(ing.status?.loadBalancer));
  return errs;
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);

/** "example.com/path": a DNS subdomain, '/', an HTTP path. */
function domainPrefixedPathErrors(path: string, value: string): FieldError[] {
  if (!value) return [required(path)];
  const slash = value.indexOf('/');
  const host = slash > 0 ? value.slice(0, slash) : '';
  const rest = slash > 0 ? value.slice(slash + 1) : '';
  if (!host || !rest) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = invalidEach(path, host, isDNS1123Subdomain(host));
  if (!httpPathRe.test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', httpPathFmt)));
  return errs;
}

function validateParameters(p: IngressClassParametersReference, path: string): FieldError[] {
  const errs = validateLocalObjectReference(p, path);
  const scope = p.scope;
  if (scope === undefined) {
    errs.push(required(child(path, 'scope')));
    return errs;
  }
  if (!PARAMETER_SCOPES.includes(scope)) {
    errs.push(notSupported(child(path, 'scope'), scope, PARAMETER_SCOPES));
    return errs;
  }
  if (scope === 'Namespace') {
    if (p.namespace === undefined) errs.push(required(child(path, 'namespace'), "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...invalidEach(child(path, 'namespace'), p.namespace, isDNS1123Subdomain(p.namespace)));
  } else if (p.namespace !== undefined) {
    errs.push(forbidden(child(path, 'namespace'), "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** An IngressClass; its controller never changes. */
export function validateIngressClass(ic: IngressClass, old?: IngressClass): FieldError[] {
  const controller = ic.spec?.controller ?? '';
  const errs: FieldError[] = [];
  if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  errs.push(...domainPrefixedPathErrors('spec.controller', controller));
  if (ic.spec?.parameters) errs.push(...validateParameters(ic.spec.parameters, 'spec.parameters'));
  if (old && (old.spec?.controller ?? '') !== controller) errs.push(invalid('spec.controller', controller, 'field is immutable'));
  return errs;
}
