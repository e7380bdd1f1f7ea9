// Defaulting, as Kubernetes' SetDefaults_* functions: what `kubectl get -o yaml` shows
// that the manifest did not say. Runs on a copy; metadata.namespace, apiVersion and
// kind are the apiserver's business and are left as given.
import type {
  Container,
  Deployment,
  Endpoints,
  HTTPGetAction,
  IngressClass,
  KubeObject,
  Namespace,
  Node,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicaSet,
  Secret,
  Service,
  Volume,
} from './gen/types.js';

/** Returns a copy of `obj` with every default filled in (by `obj.kind`; unknown kinds are copied as they are). */
export function applyDefaults<T extends KubeObject>(obj: T): T {
  return applyDefaultsInPlace(structuredClone(obj));
}

/**
 * applyDefaults on `obj` itself, for callers that own it (the apiserver's freshly
 * decoded request): saves a deep copy per write. Returns `obj`.
 */
export function applyDefaultsInPlace<T extends KubeObject>(obj: T): T {
  const o = obj;
  switch (o.kind) {
    case 'Pod': defaultPod(o); break;
    case 'ReplicaSet': defaultReplicaSet(o); break;
    case 'Deployment': defaultDeployment(o); break;
    case 'Service': defaultService(o); break;
    case 'Secret': defaultSecret(o); break;
    case 'Namespace': defaultNamespace(o); break;
    case 'Node': defaultNode(o); break;
    case 'Endpoints': defaultEndpoints(o); break;
    case 'IngressClass': defaultIngressClass(o); break;
    default: break;
  }
  return o;
}

/**
 * Whether an image reference names the moving "latest" tag: an explicit `:latest`, or
 * no tag and no digest at all (which pulls latest). The tag is looked for only after
 * the last '/', so a registry port ("host:5000/app") is not taken for one.
 */
export function imageIsLatest(image: string): boolean {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const last = named.slice(named.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon >= 0) return last.slice(colon + 1) === 'latest';
  return at < 0;
}

function defaultHTTPGet(h: HTTPGetAction | undefined): void {
  if (!h) return;
  h.path ||= '/';
  h.scheme ||= 'HTTP';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHTTPGet(p.httpGet);
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageIsLatest(c.image ?? '') ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ||= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
}

/** 0644, as Kubernetes writes projected configMap/secret files by default. */
const DEFAULT_FILE_MODE = 0o644;

function defaultVolume(v: Volume): void {
  // A volume with no source is an emptyDir.
  if (!v.emptyDir && !v.hostPath && !v.configMap && !v.secret && !v.persistentVolumeClaim) v.emptyDir = {};
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = DEFAULT_FILE_MODE;
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = DEFAULT_FILE_MODE;
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
}

/**
 * The PodSpec defaults, shared by pods and pod templates. Tolerations are left alone:
 * Kubernetes does not default their operator (an empty operator means Equal).
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // The old field name still fills the new one.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** Defaults of a pod template (ReplicaSet, Deployment): the PodSpec ones only, as Kubernetes. */
export function defaultPodTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec);
}

/** Requests default to limits when only limits are given (pods only, not templates). */
function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!c.resources || !limits || Object.keys(limits).length === 0) return;
  const requests = (c.resources.requests ??= {});
  for (const [name, q] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = q;
}

function defaultPod(pod: Pod): void {
  const spec = (pod.spec ??= {});
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    requestsFromLimits(c);
    // With the host's network a container port is a host port.
    if (spec.hostNetwork) for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
  }
  spec.enableServiceLinks ??= true;
  defaultPodSpec(spec);
}

function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}

function defaultDeployment(d: Deployment): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

/** Three hours, Kubernetes' default ClientIP affinity timeout. */
const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const clientIP = (cfg.clientIP ??= {});
    clientIP.timeoutSeconds ??= DEFAULT_CLIENT_IP_TIMEOUT;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  // An ExternalName service is a DNS alias: it has no IPs, hence no families.
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ||= 'Cluster';
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    // A headless service without a selector takes whatever families its endpoints have.
    const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
    spec.ipFamilyPolicy ||= headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  }
}

function defaultSecret(s: Secret): void {
  s.type ||= 'Opaque';
}

function defaultNamespace(ns: Namespace): void {
  const status = (ns.status ??= {});
  status.phase ||= 'Active';
}

function defaultNode(node: Node): void {
  // A node that reports only capacity can allocate all of it.
  const status = node.status;
  if (status?.capacity && (!status.allocatable || Object.keys(status.allocatable).length === 0)) {
    status.allocatable = { ...status.capacity };
  }
}

function defaultEndpoints(ep: Endpoints): void {
  for (const s of ep.subsets ?? []) for (const p of s.ports ?? []) p.protocol ||= 'TCP';
}

/** IngressClass parameters are cluster-scoped unless they say otherwise (networking/v1 defaults). */
function defaultIngressClass(ic: IngressClass): void {
  const params = ic.spec?.parameters;
  if (params && params.scope === undefined) params.scope = 'Cluster';
}
