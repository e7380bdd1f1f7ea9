// The columns kubectl prints for each kind, as pure functions object -> cells.
import {
  selectorFromSpec,
  selectorToString,
  type ConfigMap,
  type Deployment,
  type Endpoints,
  type Event,
  type Ingress,
  type IngressClass,
  type IngressLoadBalancerStatus,
  type KubeObject,
  type LabelSelector,
  type Lease,
  type Namespace,
  type Node,
  type Pod,
  type PodTemplateSpec,
  type ReplicaSet,
  type Secret,
  type Service,
} from '@kubesim/api';
import { age } from './age.js';

export interface Column {
  header: string;
  /** Shown only with -o wide. */
  wide?: boolean;
}

export interface KindTable<T extends KubeObject = KubeObject> {
  columns: Column[];
  /** One cell per column (wide ones included). */
  cells(obj: T, now: Date): string[];
  /** The first column is the object's name (false for events). */
  nameFirst: boolean;
}

const NONE = '<none>';
const str = (n: number | undefined): string => String(n ?? 0);
const cols = (...h: string[]): Column[] => h.map((header) => ({ header }));
const wideCols = (...h: string[]): Column[] => h.map((header) => ({ header, wide: true }));

export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : NONE;
}

export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return NONE;
  return selectorToString(selectorFromSpec(sel)) || NONE;
}

function templateContainers(t: PodTemplateSpec | undefined): [string, string] {
  const cs = t?.spec?.containers ?? [];
  return [cs.map((c) => c.name ?? '').join(',') || NONE, cs.map((c) => c.image ?? '').join(',') || NONE];
}

// ---------- pods ----------

function lastTerminationTime(p: Pod): string | undefined {
  let last: string | undefined;
  for (const cs of p.status?.containerStatuses ?? []) {
    const t = cs.lastState?.terminated?.finishedAt;
    if (t && (!last || Date.parse(t) > Date.parse(last))) last = t;
  }
  return last;
}

function podReadyCondition(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** READY, STATUS and RESTARTS of a pod, with kubectl's rules for what STATUS shows. */
export function podStatusSummary(p: Pod, now: Date): { ready: string; status: string; restarts: string } {
  const total = p.spec?.containers?.length ?? 0;
  let restarts = 0;
  let readyCount = 0;
  let reason = p.status?.reason || p.status?.phase || 'Pending';

  let initializing = false;
  const inits = p.status?.initContainerStatuses ?? [];
  const initSpecs = p.spec?.initContainers?.length ?? inits.length;
  for (let i = 0; i < inits.length; i++) {
    const cs = inits[i];
    restarts += cs.restartCount ?? 0;
    const term = cs.state?.terminated;
    const wait = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (wait?.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs}`;
    }
    initializing = true;
    break;
  }

  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses = p.status?.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      const wait = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    // A pod whose finished containers say Completed but which still runs one is Running.
    if (reason === 'Completed' && hasRunning) reason = podReadyCondition(p) ? 'Running' : 'NotReady';
  }

  if (p.metadata?.deletionTimestamp) reason = p.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';

  const lastRestart = lastTerminationTime(p);
  const restartText = restarts > 0 && lastRestart ? `${restarts} (${age(lastRestart, now)} ago)` : String(restarts);
  return { ready: `${readyCount}/${total}`, status: reason, restarts: restartText };
}

const pods: KindTable<Pod> = {
  nameFirst: true,
  columns: [...cols('NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'), ...wideCols('IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES')],
  cells(p, now) {
    const s = podStatusSummary(p, now);
    const gates = p.spec?.readinessGates ?? [];
    const gateText = gates.length
      ? `${gates.filter((g) => (p.status?.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`
      : NONE;
    return [
      p.metadata?.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      age(p.metadata?.creationTimestamp, now),
      p.status?.podIP || NONE,
      p.spec?.nodeName || NONE,
      p.status?.nominatedNodeName || NONE,
      gateText,
    ];
  },
};

// ---------- workloads ----------

const deployments: KindTable<Deployment> = {
  nameFirst: true,
  columns: [...cols('NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'), ...wideCols('CONTAINERS', 'IMAGES', 'SELECTOR')],
  cells(d, now) {
    const [names, images] = templateContainers(d.spec?.template);
    return [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      str(d.status?.updatedReplicas),
      str(d.status?.availableReplicas),
      age(d.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(d.spec?.selector),
    ];
  },
};

const replicasets: KindTable<ReplicaSet> = {
  nameFirst: true,
  columns: [...cols('NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'), ...wideCols('CONTAINERS', 'IMAGES', 'SELECTOR')],
  cells(rs, now) {
    const [names, images] = templateContainers(rs.spec?.template);
    return [
      rs.metadata?.name ?? '',
      str(rs.spec?.replicas),
      str(rs.status?.replicas),
      str(rs.status?.readyReplicas),
      age(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

// ---------- networking ----------

export function serviceExternalIP(s: Service): string {
  const external = s.spec?.externalIPs ?? [];
  switch (s.spec?.type || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : NONE;
    case 'LoadBalancer': {
      const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return s.spec?.externalName || NONE;
    default:
      return '<unknown>';
  }
}

export function servicePorts(s: Service): string {
  const ports = s.spec?.ports ?? [];
  if (!ports.length) return NONE;
  return ports.map((p) => `${p.port ?? 0}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol || 'TCP'}`).join(',');
}

const services: KindTable<Service> = {
  nameFirst: true,
  columns: [...cols('NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'), ...wideCols('SELECTOR')],
  cells(s, now) {
    return [
      s.metadata?.name ?? '',
      s.spec?.type || 'ClusterIP',
      s.spec?.clusterIP || NONE,
      serviceExternalIP(s),
      servicePorts(s),
      age(s.metadata?.creationTimestamp, now),
      formatLabels(s.spec?.selector),
    ];
  },
};

/** "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..." */
export function formatEndpoints(e: Endpoints, max = 3): string {
  const all: string[] = [];
  for (const ss of e.subsets ?? []) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (!ports.length) for (const a of addrs) all.push(a.ip ?? '');
    for (const p of ports) for (const a of addrs) all.push(`${a.ip}:${p.port}`);
  }
  if (!all.length) return NONE;
  const shown = all.slice(0, max).join(',');
  return all.length > max ? `${shown} + ${all.length - max} more...` : shown;
}

const endpoints: KindTable<Endpoints> = {
  nameFirst: true,
  columns: cols('NAME', 'ENDPOINTS', 'AGE'),
  cells: (e, now) => [e.metadata?.name ?? '', formatEndpoints(e), age(e.metadata?.creationTimestamp, now)],
};

/** HOSTS of an Ingress: up to three rule hosts, "*" when no rule names one. */
export function ingressHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const max = 3;
  const hosts: string[] = [];
  // As kubectl counts: once three hosts are listed, any further rule means "more".
  let more = false;
  for (const r of rules) {
    if (hosts.length === max) more = true;
    if (!more && r.host) hosts.push(r.host);
  }
  if (!hosts.length) return '*';
  const text = hosts.join(',');
  return more ? `${text} + ${rules.length - max} more...` : text;
}

/** ADDRESS of an Ingress: its load-balancer IPs (else hostnames), sorted, unique; cut to 16 characters unless wide. */
export function ingressAddress(lb: IngressLoadBalancerStatus | undefined, wide: boolean): string {
  const set = new Set<string>();
  for (const i of lb?.ingress ?? []) {
    const a = i.ip || i.hostname;
    if (a) set.add(a);
  }
  const text = [...set].sort().join(',');
  return !wide && text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

const ingresses: KindTable<Ingress> = {
  nameFirst: true,
  columns: cols('NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'),
  cells: (ing, now) => [
    ing.metadata?.name ?? '',
    ing.spec?.ingressClassName ?? NONE,
    ingressHosts(ing),
    // kubectl cuts the address only without -o wide; the table has no wide column to tell, so keep it whole.
    ingressAddress(ing.status?.loadBalancer, true),
    ing.spec?.tls?.length ? '80, 443' : '80',
    age(ing.metadata?.creationTimestamp, now),
  ],
};

const ingressclasses: KindTable<IngressClass> = {
  nameFirst: true,
  columns: cols('NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'),
  cells(ic, now) {
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : NONE;
    return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', params, age(ic.metadata?.creationTimestamp, now)];
  },
};

// ---------- cluster ----------

export function nodeStatus(n: Node): string {
  const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (n.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(n: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : NONE;
}

const nodeAddress = (n: Node, type: string): string => (n.status?.addresses ?? []).find((a) => a.type === type)?.address || NONE;

const nodes: KindTable<Node> = {
  nameFirst: true,
  columns: [...cols('NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'), ...wideCols('INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME')],
  cells(n, now) {
    const info = n.status?.nodeInfo;
    return [
      n.metadata?.name ?? '',
      nodeStatus(n),
      nodeRoles(n),
      age(n.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      nodeAddress(n, 'InternalIP'),
      nodeAddress(n, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

const namespaces: KindTable<Namespace> = {
  nameFirst: true,
  columns: cols('NAME', 'STATUS', 'AGE'),
  cells: (ns, now) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', age(ns.metadata?.creationTimestamp, now)],
};

const configmaps: KindTable<ConfigMap> = {
  nameFirst: true,
  columns: cols('NAME', 'DATA', 'AGE'),
  cells: (cm, now) => [cm.metadata?.name ?? '', String(Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length), age(cm.metadata?.creationTimestamp, now)],
};

const secrets: KindTable<Secret> = {
  nameFirst: true,
  columns: cols('NAME', 'TYPE', 'DATA', 'AGE'),
  cells: (s, now) => [s.metadata?.name ?? '', s.type || 'Opaque', String(Object.keys(s.data ?? {}).length), age(s.metadata?.creationTimestamp, now)],
};

const leases: KindTable<Lease> = {
  nameFirst: true,
  columns: cols('NAME', 'HOLDER', 'AGE'),
  cells: (l, now) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', age(l.metadata?.creationTimestamp, now)],
};

// ---------- events ----------

/** When an event was last and first seen (series and legacy count/timestamps both). */
export function eventTimes(e: Event): { first?: string; last?: string } {
  if (e.series) return { first: e.eventTime, last: e.series.lastObservedTime ?? e.eventTime };
  const first = e.firstTimestamp || e.eventTime || e.metadata?.creationTimestamp;
  return { first, last: e.lastTimestamp || first };
}

export function eventCount(e: Event): number {
  return e.series?.count ?? e.count ?? 1;
}

export function eventSource(e: Event): string {
  const comp = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || '';
  return host ? `${comp}, ${host}` : comp;
}

const events: KindTable<Event> = {
  nameFirst: false,
  columns: [...cols('LAST SEEN', 'TYPE', 'REASON', 'OBJECT'), ...wideCols('SUBOBJECT', 'SOURCE'), ...cols('MESSAGE'), ...wideCols('FIRST SEEN', 'COUNT', 'NAME')],
  cells(e, now) {
    const { first, last } = eventTimes(e);
    const io = e.involvedObject ?? {};
    const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
    return [age(last, now), e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', eventSource(e), (e.message ?? '').trim(), age(first, now), String(eventCount(e)), e.metadata?.name ?? ''];
  },
};

const generic: KindTable = {
  nameFirst: true,
  columns: cols('NAME', 'AGE'),
  cells: (o, now) => [o.metadata?.name ?? '', age(o.metadata?.creationTimestamp, now)],
};

const TABLES: Record<string, KindTable> = {
  Pod: pods as KindTable,
  Deployment: deployments as KindTable,
  ReplicaSet: replicasets as KindTable,
  Service: services as KindTable,
  Endpoints: endpoints as KindTable,
  Ingress: ingresses as KindTable,
  IngressClass: ingressclasses as KindTable,
  Node: nodes as KindTable,
  Namespace: namespaces as KindTable,
  ConfigMap: configmaps as KindTable,
  Secret: secrets as KindTable,
  Lease: leases as KindTable,
  Event: events as KindTable,
};

export function tableFor(kind: string): KindTable {
  return TABLES[kind] ?? generic;
}
