// A container's environment as the kubelet builds it: envFrom (ConfigMaps, Secrets),
// then env in order (value, fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef),
// with $(VAR) references expanded from the variables defined before; command and args
// are expanded with the result. Pure: ConfigMaps and Secrets are looked up beforehand.
import { parseQuantity, type Container, type Pod } from '@kubesim/api';

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
      out[e.name] = expandVars(e.value ?? '', out);
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
  return out;
}
