// A container's environment as the kubelet builds it: envFrom (ConfigMaps, Secrets),
// then env in order (value, fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef),
// with $(VAR) references expanded from the variables defined before; command and args
// are expanded with the result. Pure: ConfigMaps and Secrets are looked up beforehand.
// Service links (kubelet's getServiceEnvVarMap + envvars.FromServices) are computed from
// the Services in the kubelet's cache when the container starts.
import { parseQuantity, type Container, type EnvVar, type Pod, type Service } from '@kubesim/api';

/** What a container's env depends on outside the pod spec. */
export interface EnvContext {
  podIP: string;
  hostIP: string;
  /** Node allocatable, used when a resourceFieldRef's limit is unset. */
  nodeAllocatable: { cpu: string; memory: string };
  /** ConfigMap data by name (undefined: not found). */
  configMaps: Map<string, Record<string, string> | undefined>;
  /** Secret data (already base64-decoded) by name (undefined: not found). */
  secrets: Map<string, Record<string, string> | undefined>;
  /** Service link variables (serviceEnv); explicit env and envFrom win over them. */
  serviceEnv?: EnvVar[];
}

/** Services whose links every pod gets from the "default" namespace, even without enableServiceLinks. */
export const MASTER_SERVICES: ReadonlySet<string> = new Set(['kubernetes']);

/** As v1helper.IsServiceIPSet: headless ("None") and ExternalName (no ClusterIP) Services have no links. */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** A Service name as a variable prefix: upper case, '-' -> '_'. */
export function envVarName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/**
 * The Services a pod's containers get links to: those with a ClusterIP in the pod's
 * namespace when spec.enableServiceLinks is not false, and always the master services of
 * "default" (a same-named Service of the pod's namespace wins over them). Sorted by
 * name: Kubernetes iterates a map here, so its order is unspecified.
 */
export function linkedServices(services: Iterable<Service>, pod: Pod): Service[] {
  const ns = pod.metadata?.namespace || 'default';
  const enabled = pod.spec?.enableServiceLinks !== false;
  const byName = new Map<string, Service>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const svcNs = svc.metadata?.namespace || 'default';
    if (svcNs === 'default' && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (svcNs === ns && enabled) {
      byName.set(name, svc);
    }
  }
  const key = (s: Service) => s.metadata?.name ?? '';
  return [...byName.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** host:port, with brackets for IPv6 (Go's net.JoinHostPort). */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The variables of the given Services, in Kubernetes' order (envvars.FromServices):
 * <NAME>_SERVICE_HOST, <NAME>_SERVICE_PORT (first port), <NAME>_SERVICE_PORT_<PORTNAME>
 * per named port, then the Docker-link ones: <NAME>_PORT (first port) and, per port,
 * <NAME>_PORT_<port>_<PROTO> and its _PROTO, _PORT and _ADDR.
 */
export function serviceLinkVars(services: Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const ip = svc.spec?.clusterIP ?? '';
    const ports = svc.spec?.ports ?? [];
    const prefix = envVarName(svc.metadata?.name ?? '');
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    // Validation requires a port on a ClusterIP Service; Kubernetes would index [0]
    // blindly, here a port-less Service only gets its host.
    if (ports.length === 0) continue;
    out.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port ?? 0) });
    for (const p of ports) {
      if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envVarName(p.name)}`, value: String(p.port ?? 0) });
    }
    ports.forEach((p, i) => {
      const proto = p.protocol || 'TCP';
      const lower = proto.toLowerCase();
      const url = `${lower}://${joinHostPort(ip, p.port ?? 0)}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
      const pp = `${prefix}_PORT_${p.port ?? 0}_${proto.toUpperCase()}`;
      out.push({ name: pp, value: url }, { name: `${pp}_PROTO`, value: lower }, { name: `${pp}_PORT`, value: String(p.port ?? 0) }, { name: `${pp}_ADDR`, value: ip });
    });
  }
  return out;
}

/** The service link variables of a pod's containers, from the Services cached when they start. */
export function serviceEnv(services: Iterable<Service>, pod: Pod): EnvVar[] {
  return serviceLinkVars(linkedServices(services, pod));
}

/** Why a container cannot be configured: the kubelet's CreateContainerConfigError. */
export class EnvError extends Error {}

/** The ConfigMaps and Secrets a container's env refers to. */
export function envReferences(c: Container): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const e of c.envFrom ?? []) {
    if (e.configMapRef?.name) configMaps.add(e.configMapRef.name);
    if (e.secretRef?.name) secrets.add(e.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

/** Expands $(VAR) from vars; $$ is a literal $; unknown references stay as written. */
export function expandVars(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : m;
  });
}

export function fieldRefValue(pod: Pod, path: string, ctx: Pick<EnvContext, 'podIP' | 'hostIP'>): string {
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[sub[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw new EnvError(`unsupported fieldPath: ${path}`);
  }
}

/** limits.cpu / requests.memory ... in units of the divisor, rounded up (as Kubernetes). */
export function resourceFieldValue(pod: Pod, containerName: string, resource: string, divisor: string | undefined, alloc: EnvContext['nodeAllocatable']): string {
  const c = pod.spec?.containers?.find((x) => x.name === containerName);
  if (!c) throw new EnvError(`container ${containerName} not found`);
  const [kind, res] = resource.split('.') as [string, 'cpu' | 'memory' | string];
  if ((kind !== 'limits' && kind !== 'requests') || (res !== 'cpu' && res !== 'memory')) throw new EnvError(`unsupported container resource: ${resource}`);
  let q = c.resources?.[kind]?.[res];
  if (q === undefined && kind === 'limits') q = alloc[res];
  if (q === undefined) q = '0';
  const milli = parseQuantity(q);
  const div = parseQuantity(divisor && divisor !== '0' ? divisor : '1');
  const v = (milli + div - 1n) / div;
  return String(v);
}

/** The environment of container `c`, or an EnvError saying what is missing. */
export function resolveEnv(pod: Pod, c: Container, ctx: EnvContext): Record<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: Record<string, string> = {};
  const links: Record<string, string> = {};
  for (const e of ctx.serviceEnv ?? []) if (e.name) links[e.name] = e.value ?? '';
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef?.name) {
      const data = ctx.configMaps.get(from.configMapRef.name);
      if (!data) {
        if (from.configMapRef.optional) continue;
        throw new EnvError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(data)) out[prefix + k] = v;
    }
    if (from.secretRef?.name) {
      const data = ctx.secrets.get(from.secretRef.name);
      if (!data) {
        if (from.secretRef.optional) continue;
        throw new EnvError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(data)) out[prefix + k] = v;
    }
  }
  for (const e of c.env ?? []) {
    if (!e.name) continue;
    const vf = e.valueFrom;
    if (!vf) {
      // $(VAR) sees the variables defined so far, then the service links (as kubelet's
      // MappingFuncFor(tmpEnv, serviceEnv)).
      const v = e.value ?? '';
      out[e.name] = expandVars(v, v.includes('$(') ? { ...links, ...out } : out);
    } else if (vf.fieldRef?.fieldPath) {
      out[e.name] = fieldRefValue(pod, vf.fieldRef.fieldPath, ctx);
    } else if (vf.resourceFieldRef?.resource) {
      out[e.name] = resourceFieldValue(pod, vf.resourceFieldRef.containerName || c.name || '', vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, ctx.nodeAllocatable);
    } else if (vf.configMapKeyRef?.name) {
      const ref = vf.configMapKeyRef;
      const data = ctx.configMaps.get(ref.name!);
      const v = data?.[ref.key ?? ''];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvError(data ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      out[e.name] = v;
    } else if (vf.secretKeyRef?.name) {
      const ref = vf.secretKeyRef;
      const data = ctx.secrets.get(ref.name!);
      const v = data?.[ref.key ?? ''];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvError(data ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      out[e.name] = v;
    }
  }
  // Service links first, then what the container sets itself, which wins on a clash.
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(links)) if (!Object.prototype.hasOwnProperty.call(out, k)) result[k] = v;
  return Object.assign(result, out);
}
