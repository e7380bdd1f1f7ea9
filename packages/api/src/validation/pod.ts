// Pods and pod specs. Fields that applyDefaults fills (restartPolicy, imagePullPolicy,
// protocols...) are accepted empty, so validating an undefaulted object reports only
// real mistakes; the apiserver always defaults first anyway.
import type {
  Affinity,
  Container,
  EnvVar,
  HTTPGetAction,
  IntOrString,
  LifecycleHandler,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodAffinityTerm,
  PodSpec,
  Probe,
  ResourceRequirements,
  Toleration,
  Volume,
} from '../gen/types.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isIPv4,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from '../names.js';
import { parseQuantity, validateQuantity } from '../quantity.js';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  invalidEach,
  key,
  nonNegative,
  notFound,
  notSupported,
  oneOf,
  required,
  semanticEqual,
  type FieldError,
} from './field.js';
import { validateLabels, validateLabelSelector } from './meta.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
export const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const URI_SCHEMES = ['HTTP', 'HTTPS'];
const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];
const FIELD_REF_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.labels', 'metadata.annotations',
  'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const RESOURCE_FIELD_REFS = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];
const MAX_INT32 = 2147483647;

export interface PodSpecOptions {
  /** Restart policies allowed here: ReplicaSet and Deployment templates allow only Always. */
  restartPolicies?: readonly string[];
  /** Whether activeDeadlineSeconds may be set (not in workload templates). */
  allowActiveDeadline?: boolean;
}

/** Validates a pod spec at `path` ("spec", "spec.template.spec"). */
export function validatePodSpec(spec: PodSpec | undefined, path = 'spec', opts: PodSpecOptions = {}): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const volumes = validateVolumes(s.volumes, child(path, 'volumes'), errs);

  const containers = s.containers ?? [];
  if (containers.length === 0) errs.push(required(child(path, 'containers')));
  const names = new Set<string>();
  const checkContainers = (list: Container[] | undefined, field: string) =>
    (list ?? []).forEach((c, i) => errs.push(...validateContainer(c, index(child(path, field), i), { volumes, names, hostNetwork: !!s.hostNetwork, init: field === 'initContainers' })));
  checkContainers(s.initContainers, 'initContainers');
  checkContainers(s.containers, 'containers');

  errs.push(...oneOf(child(path, 'restartPolicy'), s.restartPolicy, opts.restartPolicies ?? RESTART_POLICIES));
  errs.push(...oneOf(child(path, 'dnsPolicy'), s.dnsPolicy, DNS_POLICIES));
  if (s.dnsPolicy === 'None') {
    if (!s.dnsConfig) errs.push(required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (!(s.dnsConfig.nameservers ?? []).length) errs.push(required(child(child(path, 'dnsConfig'), 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  (s.dnsConfig?.nameservers ?? []).forEach((ns, i) => {
    if (!isIPv4(ns)) errs.push(invalid(index(child(child(path, 'dnsConfig'), 'nameservers'), i), ns, 'must be a valid IP address'));
  });

  errs.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  errs.push(...nonNegative(child(path, 'terminationGracePeriodSeconds'), s.terminationGracePeriodSeconds));
  if (s.activeDeadlineSeconds !== undefined) {
    if (opts.allowActiveDeadline === false) errs.push(forbidden(child(path, 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
    else if (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32) errs.push(invalid(child(path, 'activeDeadlineSeconds'), s.activeDeadlineSeconds, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  if (s.nodeName) errs.push(...invalidEach(child(path, 'nodeName'), s.nodeName, isDNS1123Subdomain(s.nodeName)));
  if (s.serviceAccountName) errs.push(...invalidEach(child(path, 'serviceAccountName'), s.serviceAccountName, isDNS1123Subdomain(s.serviceAccountName)));
  if (s.hostname) errs.push(...invalidEach(child(path, 'hostname'), s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) errs.push(...invalidEach(child(path, 'subdomain'), s.subdomain, isDNS1123Label(s.subdomain)));
  if (s.schedulerName) errs.push(...invalidEach(child(path, 'schedulerName'), s.schedulerName, isDNS1123Subdomain(s.schedulerName)));
  if (s.priorityClassName) errs.push(...invalidEach(child(path, 'priorityClassName'), s.priorityClassName, isDNS1123Subdomain(s.priorityClassName)));
  (s.imagePullSecrets ?? []).forEach((r, i) => {
    if (!r.name) errs.push(required(child(index(child(path, 'imagePullSecrets'), i), 'name')));
  });
  (s.hostAliases ?? []).forEach((h, i) => {
    const p = index(child(path, 'hostAliases'), i);
    if (!isIPv4(h.ip ?? '')) errs.push(invalid(child(p, 'ip'), h.ip ?? '', 'must be valid IP address'));
    (h.hostnames ?? []).forEach((n, j) => errs.push(...invalidEach(index(child(p, 'hostnames'), j), n, isDNS1123Subdomain(n))));
  });
  const sc = s.securityContext;
  if (sc) {
    const p = child(path, 'securityContext');
    errs.push(...nonNegative(child(p, 'runAsUser'), sc.runAsUser));
    errs.push(...nonNegative(child(p, 'runAsGroup'), sc.runAsGroup));
    errs.push(...nonNegative(child(p, 'fsGroup'), sc.fsGroup));
  }
  errs.push(...validateAffinity(s.affinity, child(path, 'affinity')));
  (s.topologySpreadConstraints ?? []).forEach((t, i) => {
    const p = index(child(path, 'topologySpreadConstraints'), i);
    if (!t.maxSkew || t.maxSkew <= 0) errs.push(invalid(child(p, 'maxSkew'), t.maxSkew ?? 0, 'must be greater than zero'));
    if (!t.topologyKey) errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    errs.push(...oneOf(child(p, 'whenUnsatisfiable'), t.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway'], false));
    errs.push(...validateLabelSelector(t.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

/** Checks volumes and returns the valid names, for volumeMounts to refer to. */
function validateVolumes(volumes: Volume[] | undefined, path: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = index(path, i);
    const name = v.name ?? '';
    if (!name) errs.push(required(child(p, 'name')));
    else {
      const msgs = isDNS1123Label(name);
      errs.push(...invalidEach(child(p, 'name'), name, msgs));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      else if (msgs.length === 0) names.add(name);
    }
    const sources = (['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim'] as const).filter((k) => v[k] !== undefined);
    // Defaulting turns a sourceless volume into an emptyDir, so none means undefaulted: fine.
    if (sources.length > 1) errs.push(forbidden(child(p, sources[1]), 'may not specify more than 1 volume type'));
    if (v.hostPath && !v.hostPath.path) errs.push(required(child(child(p, 'hostPath'), 'path')));
    if (v.configMap && !v.configMap.name) errs.push(required(child(child(p, 'configMap'), 'name')));
    if (v.secret && !v.secret.secretName) errs.push(required(child(child(p, 'secret'), 'secretName')));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(child(child(p, 'persistentVolumeClaim'), 'claimName')));
    for (const src of [v.configMap, v.secret]) {
      (src?.items ?? []).forEach((it, j) => {
        const ip = index(child(child(p, v.configMap === src ? 'configMap' : 'secret'), 'items'), j);
        if (!it.key) errs.push(required(child(ip, 'key')));
        if (!it.path) errs.push(required(child(ip, 'path')));
        else if (it.path.startsWith('/')) errs.push(invalid(child(ip, 'path'), it.path, 'must be a relative path'));
        else if (it.path.split('/').includes('..')) errs.push(invalid(child(ip, 'path'), it.path, "must not contain '..'"));
      });
    }
  });
  return names;
}

interface ContainerContext {
  volumes: Set<string>;
  /** Names seen so far across init and app containers. */
  names: Set<string>;
  hostNetwork: boolean;
  init: boolean;
}

function validateContainer(c: Container, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = c.name ?? '';
  if (!name) errs.push(required(child(path, 'name')));
  else {
    errs.push(...invalidEach(child(path, 'name'), name, isDNS1123Label(name)));
    if (ctx.names.has(name)) errs.push(duplicate(child(path, 'name'), name));
    ctx.names.add(name);
  }
  const image = c.image ?? '';
  if (!image) errs.push(required(child(path, 'image')));
  else if (image.trim() !== image) errs.push(invalid(child(path, 'image'), image, 'must not have leading or trailing whitespace'));
  errs.push(...oneOf(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  errs.push(...oneOf(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));

  const portNames = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = index(child(path, 'ports'), i);
    if (port.name) {
      errs.push(...invalidEach(child(p, 'name'), port.name, isValidPortName(port.name)));
      if (portNames.has(port.name)) errs.push(duplicate(child(p, 'name'), port.name));
      portNames.add(port.name);
    }
    const cp = port.containerPort ?? 0;
    if (cp === 0) errs.push(required(child(p, 'containerPort')));
    else errs.push(...invalidEach(child(p, 'containerPort'), cp, isValidPortNum(cp)));
    if (port.hostPort) {
      errs.push(...invalidEach(child(p, 'hostPort'), port.hostPort, isValidPortNum(port.hostPort)));
      if (ctx.hostNetwork && port.hostPort !== cp) errs.push(invalid(child(p, 'hostPort'), port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    errs.push(...oneOf(child(p, 'protocol'), port.protocol, PROTOCOLS));
    if (port.hostIP && !isIPv4(port.hostIP)) errs.push(invalid(child(p, 'hostIP'), port.hostIP, 'must be a valid IP address'));
  });

  (c.env ?? []).forEach((e, i) => errs.push(...validateEnvVar(e, index(child(path, 'env'), i))));
  (c.envFrom ?? []).forEach((e, i) => {
    const p = index(child(path, 'envFrom'), i);
    if (e.prefix) errs.push(...invalidEach(child(p, 'prefix'), e.prefix, isEnvVarName(e.prefix)));
    const n = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (n === 0) errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
    if (e.configMapRef && !e.configMapRef.name) errs.push(required(child(child(p, 'configMapRef'), 'name')));
    if (e.secretRef && !e.secretRef.name) errs.push(required(child(child(p, 'secretRef'), 'name')));
  });

  errs.push(...validateResources(c.resources, child(path, 'resources')));

  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = index(child(path, 'volumeMounts'), i);
    if (!m.name) errs.push(required(child(p, 'name')));
    else if (!ctx.volumes.has(m.name)) errs.push(notFound(child(p, 'name'), m.name));
    if (!m.mountPath) errs.push(required(child(p, 'mountPath')));
    else {
      if (mountPaths.has(m.mountPath)) errs.push(invalid(child(p, 'mountPath'), m.mountPath, 'must be unique'));
      mountPaths.add(m.mountPath);
    }
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(child(p, 'subPath'), m.subPath, "must be a relative path without '..'"));
    }
  });

  // Init containers run to completion: probes make no sense there.
  const probes = [['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe], ['startupProbe', c.startupProbe]] as const;
  for (const [field, probe] of probes) {
    if (!probe) continue;
    if (ctx.init) errs.push(forbidden(child(path, field), 'may not be set for init containers'));
    else errs.push(...validateProbe(probe, child(path, field), field !== 'readinessProbe'));
  }
  if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, child(child(path, 'lifecycle'), 'postStart')));
  if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, child(child(path, 'lifecycle'), 'preStop')));
  if (c.restartPolicy !== undefined) {
    if (!ctx.init) errs.push(forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
    else errs.push(...oneOf(child(path, 'restartPolicy'), c.restartPolicy, ['Always'], false));
  }
  return errs;
}

function validateEnvVar(e: EnvVar, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!e.name) errs.push(required(child(path, 'name')));
  else errs.push(...invalidEach(child(path, 'name'), e.name, isEnvVarName(e.name)));
  const from = e.valueFrom;
  if (!from) return errs;
  const p = child(path, 'valueFrom');
  const n = [from.fieldRef, from.resourceFieldRef, from.configMapKeyRef, from.secretKeyRef].filter((x) => x !== undefined).length;
  if (n === 0) errs.push(invalid(p, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (n > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
  if (e.value) errs.push(invalid(p, '', 'may not be specified when `value` is not empty'));
  if (from.fieldRef) {
    const fp = from.fieldRef.fieldPath ?? '';
    const fpPath = child(child(p, 'fieldRef'), 'fieldPath');
    if (!fp) errs.push(required(fpPath));
    else if (!FIELD_REF_PATHS.includes(fp) && !/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fp)) errs.push(notSupported(fpPath, fp, FIELD_REF_PATHS));
  }
  if (from.resourceFieldRef) {
    const r = from.resourceFieldRef.resource ?? '';
    errs.push(...oneOf(child(child(p, 'resourceFieldRef'), 'resource'), r, RESOURCE_FIELD_REFS, false));
  }
  for (const [field, ref] of [['configMapKeyRef', from.configMapKeyRef], ['secretKeyRef', from.secretKeyRef]] as const) {
    if (!ref) continue;
    const rp = child(p, field);
    if (!ref.name) errs.push(required(child(rp, 'name')));
    if (!ref.key) errs.push(required(child(rp, 'key')));
    else errs.push(...invalidEach(child(rp, 'key'), ref.key, isConfigMapKey(ref.key)));
  }
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** Extended resources ("example.com/gpu") and hugepages cannot be overcommitted. */
function overcommitAllowed(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.has(name);
}

function validateResourceName(name: string, path: string): FieldError[] {
  if (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  if (!name.includes('/')) return [invalid(path, name, 'must be a standard resource type or fully qualified')];
  const msgs = isQualifiedName(name);
  return invalidEach(path, name, msgs);
}

export function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = r?.limits ?? {};
  const requests = r?.requests ?? {};
  const parsed = (q: string) => (validateQuantity(q).length ? undefined : parseQuantity(q));
  for (const [field, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, q] of Object.entries(map)) {
      const p = key(child(path, field), name);
      errs.push(...validateResourceName(name, p));
      const problems = validateQuantity(String(q));
      if (problems.length) errs.push(...invalidEach(p, q, problems));
      else if (parseQuantity(String(q)) < 0n) errs.push(invalid(p, q, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const lim = limits[name];
    if (lim === undefined) continue;
    const rq = parsed(String(q));
    const lq = parsed(String(lim));
    if (rq === undefined || lq === undefined) continue;
    if (!overcommitAllowed(name) && rq !== lq) errs.push(invalid(child(path, 'requests'), q, `must be equal to ${name} limit of ${lim}`));
    else if (rq > lq) errs.push(invalid(child(path, 'requests'), q, `must be less than or equal to ${name} limit of ${lim}`));
  }
  return errs;
}

function validatePortNumOrName(port: IntOrString | undefined, path: string): FieldError[] {
  if (typeof port === 'string') return invalidEach(path, port, isValidPortName(port));
  return invalidEach(path, port ?? 0, isValidPortNum(port ?? 0));
}

function validateHTTPGet(h: HTTPGetAction, path: string): FieldError[] {
  const errs = validatePortNumOrName(h.port, child(path, 'port'));
  errs.push(...oneOf(child(path, 'scheme'), h.scheme, URI_SCHEMES));
  (h.httpHeaders ?? []).forEach((hd, i) => {
    if (!hd.name) errs.push(required(child(index(child(path, 'httpHeaders'), i), 'name')));
  });
  return errs;
}

/** Exactly one handler: exec, httpGet, tcpSocket, grpc (probes) or sleep (lifecycle hooks). */
function validateHandler(h: Probe | LifecycleHandler, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = (['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const).filter((k) => (h as Record<string, unknown>)[k] !== undefined);
  if (kinds.length === 0) errs.push(required(path, 'must specify a handler type'));
  for (const extra of kinds.slice(1)) errs.push(forbidden(child(path, extra), 'may not specify more than 1 handler type'));
  if (h.exec && !(h.exec.command ?? []).length) errs.push(required(child(child(path, 'exec'), 'command')));
  if (h.httpGet) errs.push(...validateHTTPGet(h.httpGet, child(path, 'httpGet')));
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, child(child(path, 'tcpSocket'), 'port')));
  if ('grpc' in h && h.grpc) errs.push(...invalidEach(child(child(path, 'grpc'), 'port'), h.grpc.port ?? 0, isValidPortNum(h.grpc.port ?? 0)));
  if ('sleep' in h && h.sleep) errs.push(...nonNegative(child(child(path, 'sleep'), 'seconds'), h.sleep.seconds));
  return errs;
}

function validateProbe(p: Probe, path: string, successMustBeOne: boolean): FieldError[] {
  const errs = validateHandler(p, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(child(path, f), p[f]));
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  // Liveness and startup probes act on the first success; more would never be waited for.
  if (successMustBeOne && p.successThreshold !== undefined && p.successThreshold !== 0 && p.successThreshold !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), p.successThreshold, 'must be 1'));
  }
  return errs;
}

export function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = index(path, i);
    if (t.key) errs.push(...invalidEach(child(p, 'key'), t.key, isQualifiedName(t.key)));
    const op = t.operator ?? '';
    // An empty key matches every taint, which only makes sense with Exists.
    if (!t.key && op !== 'Exists') errs.push(invalid(child(p, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (op === 'Exists') {
      if (t.value) errs.push(invalid(child(p, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
    } else if (op === '' || op === 'Equal') {
      errs.push(...invalidEach(child(p, 'operator'), t.value ?? '', isValidLabelValue(t.value ?? '')));
    } else {
      errs.push(notSupported(child(p, 'operator'), op, TOLERATION_OPERATORS));
    }
    errs.push(...oneOf(child(p, 'effect'), t.effect, TAINT_EFFECTS));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
  });
  return errs;
}

function validateNodeSelectorRequirement(r: NodeSelectorRequirement, path: string, isField: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!/^-?\d+$/.test(values[0])) errs.push(invalid(child(path, 'values'), values[0], 'must be an integer'));
      break;
    default:
      errs.push(invalid(child(path, 'operator'), r.operator ?? '', 'not a valid selector operator'));
  }
  if (isField) {
    if (r.key !== 'metadata.name') errs.push(invalid(child(path, 'key'), r.key ?? '', 'not a valid field selector key'));
  } else {
    errs.push(...invalidEach(child(path, 'key'), r.key ?? '', isQualifiedName(r.key ?? '')));
  }
  return errs;
}

function validateNodeSelectorTerm(t: NodeSelectorTerm, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (t.matchExpressions ?? []).forEach((r, i) => errs.push(...validateNodeSelectorRequirement(r, index(child(path, 'matchExpressions'), i), false)));
  (t.matchFields ?? []).forEach((r, i) => errs.push(...validateNodeSelectorRequirement(r, index(child(path, 'matchFields'), i), true)));
  return errs;
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: string): FieldError[] {
  const errs = validateLabelSelector(t.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(t.namespaceSelector, child(path, 'namespaceSelector')));
  if (!t.topologyKey) errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  else errs.push(...invalidEach(child(path, 'topologyKey'), t.topologyKey, isQualifiedName(t.topologyKey)));
  (t.namespaces ?? []).forEach((n, i) => errs.push(...invalidEach(index(child(path, 'namespaces'), i), n, isDNS1123Label(n))));
  return errs;
}

function validateWeight(w: number | undefined, path: string): FieldError[] {
  return w !== undefined && w >= 1 && w <= 100 ? [] : [invalid(path, w ?? 0, 'must be in the range 1-100')];
}

function validateAffinity(a: Affinity | undefined, path: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na) {
    const np = child(path, 'nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const rp = child(child(np, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
      const terms = req.nodeSelectorTerms ?? [];
      if (terms.length === 0) errs.push(required(rp, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, index(rp, i))));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(...validateWeight(t.weight, child(p, 'weight')));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, child(p, 'preference')));
    });
  }
  for (const field of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[field];
    if (!pa) continue;
    const pp = child(path, field);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, index(child(pp, 'requiredDuringSchedulingIgnoredDuringExecution'), i)));
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = index(child(pp, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(...validateWeight(t.weight, child(p, 'weight')));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? {}, child(p, 'podAffinityTerm')));
    });
  }
  return errs;
}

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds`';

/**
 * What a pod update may change: images, activeDeadlineSeconds (set, or lowered),
 * tolerations (additions, and tolerationSeconds), the grace period. spec.nodeName is
 * not among them: only a Binding sets it, so the binding path must not run this check.
 */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pod.spec ?? {};
  const was = old.spec ?? {};

  const ad = spec.activeDeadlineSeconds;
  const oldAd = was.activeDeadlineSeconds;
  if (oldAd !== undefined) {
    if (ad === undefined) errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (ad > oldAd) errs.push(invalid('spec.activeDeadlineSeconds', ad, 'must be less than or equal to previous value'));
  }

  const tolerationErrs = validateOnlyAddedTolerations(spec.tolerations, was.tolerations);
  errs.push(...tolerationErrs);

  // Compare the rest: copy the mutable fields from the new spec onto the old one.
  const mutated = structuredClone(was);
  const copyImages = (from: Container[] | undefined, to: Container[] | undefined) => {
    if (!from || !to || from.length !== to.length) return;
    to.forEach((c, i) => (c.image = from[i].image));
  };
  copyImages(spec.containers, mutated.containers);
  copyImages(spec.initContainers, mutated.initContainers);
  mutated.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  mutated.tolerations = spec.tolerations;
  mutated.terminationGracePeriodSeconds = spec.terminationGracePeriodSeconds;
  if (!semanticEqual(mutated, spec)) errs.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}

function validateOnlyAddedTolerations(now: Toleration[] | undefined, before: Toleration[] | undefined): FieldError[] {
  const next = now ?? [];
  for (const o of before ?? []) {
    // An existing toleration must stay; only its tolerationSeconds may change.
    const kept = next.some((n) => semanticEqual({ ...n, tolerationSeconds: undefined }, { ...o, tolerationSeconds: undefined }));
    if (!kept) return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return [];
}
