// kubectl-like descriptions per kind, as pure functions of the object, its events and
// the related objects the command fetched (pods of a ReplicaSet, a Service's Endpoints).
import {
  controllerOf,
  type ConfigMap,
  type Container,
  type ContainerState,
  type ContainerStatus,
  type Deployment,
  type Endpoints,
  type Event,
  type Ingress,
  type IngressBackend,
  type KubeObject,
  type Namespace,
  type Node,
  type Pod,
  type PodTemplateSpec,
  type Probe,
  type ReplicaSet,
  type Secret,
  type Service,
} from '@kubesim/api';
import { age } from '../printers/age.js';
import { formatEndpoints, formatLabelSelector, formatLabels, ingressAddress, nodeRoles } from '../printers/kinds.js';
import { DescribeWriter, LAST_APPLIED, formatTime, writeEvents } from './writer.js';

export interface Related {
  /** The object's events; undefined when they could not be listed (section left out). */
  events?: Event[];
  /** Pods selected by a ReplicaSet, or running on a Node. */
  pods?: Pod[];
  /** A Service's Endpoints. */
  endpoints?: Endpoints;
  /** An Ingress's backend Services and their Endpoints, by Service name (an absent entry: not found). */
  backends?: Map<string, { service?: Service; endpoints?: Endpoints }>;
}

const NONE = '<none>';

function header(w: DescribeWriter, obj: KubeObject, opts: { namespace?: boolean; created?: boolean } = {}): void {
  const m = obj.metadata ?? {};
  w.line(0, 'Name:', m.name ?? '');
  if (opts.namespace !== false) w.line(0, 'Namespace:', m.namespace ?? '');
  if (opts.created) w.line(0, 'CreationTimestamp:', formatTime(m.creationTimestamp));
  w.map(0, 'Labels', m.labels);
  w.map(0, 'Annotations', m.annotations, { skip: [LAST_APPLIED], sep: ': ' });
}

function controlledBy(w: DescribeWriter, obj: KubeObject): void {
  const c = controllerOf(obj);
  if (c) w.line(0, 'Controlled By:', `${c.kind}/${c.name}`);
}

// ---------- containers ----------

function portText(c: Container): { ports: string; hostPorts: string } {
  const ps = c.ports ?? [];
  if (!ps.length) return { ports: NONE, hostPorts: NONE };
  return {
    ports: ps.map((p) => `${p.containerPort ?? 0}/${p.protocol || 'TCP'}`).join(', '),
    hostPorts: ps.map((p) => `${p.hostPort ?? 0}/${p.protocol || 'TCP'}`).join(', '),
  };
}

export function probeText(p: Probe): string {
  let what = 'unknown';
  if (p.httpGet) what = `http-get ${(p.httpGet.scheme || 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port ?? ''}${p.httpGet.path ?? '/'}`;
  else if (p.tcpSocket) what = `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port ?? ''}`;
  else if (p.exec) what = `exec [${(p.exec.command ?? []).join(' ')}]`;
  else if (p.grpc) what = `grpc <pod>:${p.grpc.port ?? ''} ${p.grpc.service ?? ''}`.trimEnd();
  return `${what} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}

function stateLines(w: DescribeWriter, level: number, title: string, s: ContainerState | undefined): void {
  if (s?.running) {
    w.line(level, `${title}:`, 'Running');
    w.line(level + 1, 'Started:', formatTime(s.running.startedAt));
  } else if (s?.waiting) {
    w.line(level, `${title}:`, 'Waiting');
    if (s.waiting.reason) w.line(level + 1, 'Reason:', s.waiting.reason);
    if (s.waiting.message) w.line(level + 1, 'Message:', s.waiting.message);
  } else if (s?.terminated) {
    const t = s.terminated;
    w.line(level, `${title}:`, 'Terminated');
    if (t.reason) w.line(level + 1, 'Reason:', t.reason);
    if (t.message) w.line(level + 1, 'Message:', t.message);
    w.line(level + 1, 'Exit Code:', String(t.exitCode ?? 0));
    if (t.signal) w.line(level + 1, 'Signal:', String(t.signal));
    w.line(level + 1, 'Started:', formatTime(t.startedAt));
    w.line(level + 1, 'Finished:', formatTime(t.finishedAt));
  } else w.line(level, `${title}:`, title === 'State' ? 'Waiting' : '');
}

function resourcesLines(w: DescribeWriter, level: number, title: string, m: Record<string, string> | undefined): void {
  const keys = Object.keys(m ?? {}).sort();
  if (!keys.length) return;
  w.line(level, `${title}:`);
  for (const k of keys) w.line(level + 1, `${k}:`, m![k]);
}

function containerLines(w: DescribeWriter, c: Container, status: ContainerStatus | undefined, level: number): void {
  w.line(level, `${c.name}:`);
  const l = level + 1;
  if (status) w.line(l, 'Container ID:', status.containerID ?? '');
  w.line(l, 'Image:', c.image ?? '');
  if (status) w.line(l, 'Image ID:', status.imageID ?? '');
  const { ports, hostPorts } = portText(c);
  w.line(l, (c.ports?.length ?? 0) > 1 ? 'Ports:' : 'Port:', ports);
  w.line(l, (c.ports?.length ?? 0) > 1 ? 'Host Ports:' : 'Host Port:', hostPorts);
  if (c.command?.length) {
    w.line(l, 'Command:');
    for (const x of c.command) w.line(l + 1, x);
  }
  if (c.args?.length) {
    w.line(l, 'Args:');
    for (const x of c.args) w.line(l + 1, x);
  }
  if (status) {
    stateLines(w, l, 'State', status.state);
    if (status.lastState && Object.keys(status.lastState).length) stateLines(w, l, 'Last State', status.lastState);
    w.line(l, 'Ready:', status.ready ? 'True' : 'False');
    w.line(l, 'Restart Count:', String(status.restartCount ?? 0));
  }
  resourcesLines(w, l, 'Limits', c.resources?.limits);
  resourcesLines(w, l, 'Requests', c.resources?.requests);
  if (c.livenessProbe) w.line(l, 'Liveness:', probeText(c.livenessProbe));
  if (c.readinessProbe) w.line(l, 'Readiness:', probeText(c.readinessProbe));
  if (c.startupProbe) w.line(l, 'Startup:', probeText(c.startupProbe));
  const env = c.env ?? [];
  if (!env.length) w.line(l, 'Environment:', NONE);
  else {
    w.line(l, 'Environment:');
    for (const e of env) {
      const from = e.valueFrom;
      const v =
        e.value ??
        (from?.configMapKeyRef
          ? `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>`
          : from?.secretKeyRef
            ? `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>`
            : from?.fieldRef
              ? ` (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})`
              : '');
      w.line(l + 1, `${e.name}:`, v);
    }
  }
  const mounts = c.volumeMounts ?? [];
  if (!mounts.length) w.line(l, 'Mounts:', NONE);
  else {
    w.line(l, 'Mounts:');
    for (const m of mounts) w.line(l + 1, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
  }
}

function templateLines(w: DescribeWriter, t: PodTemplateSpec | undefined): void {
  w.line(0, 'Pod Template:');
  w.map(1, 'Labels', t?.metadata?.labels);
  const cs = t?.spec?.containers ?? [];
  if (!cs.length) w.line(1, 'Containers:', NONE);
  else {
    w.line(1, 'Containers:');
    for (const c of cs) containerLines(w, c, undefined, 2);
  }
  const vols = t?.spec?.volumes ?? [];
  w.line(1, 'Volumes:', vols.length ? vols.map((v) => v.name).join(', ') : NONE);
}

// ---------- kinds ----------

export function describePod(p: Pod, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  const m = p.metadata ?? {};
  w.line(0, 'Name:', m.name ?? '');
  w.line(0, 'Namespace:', m.namespace ?? '');
  w.line(0, 'Priority:', String(p.spec?.priority ?? 0));
  w.line(0, 'Service Account:', p.spec?.serviceAccountName || 'default');
  w.line(0, 'Node:', p.spec?.nodeName ? `${p.spec.nodeName}${p.status?.hostIP ? `/${p.status.hostIP}` : ''}` : NONE);
  if (p.status?.startTime) w.line(0, 'Start Time:', formatTime(p.status.startTime));
  w.map(0, 'Labels', m.labels);
  w.map(0, 'Annotations', m.annotations, { skip: [LAST_APPLIED], sep: ': ' });
  const status = p.status?.phase ?? 'Pending';
  if (m.deletionTimestamp) {
    w.line(0, 'Status:', `Terminating (lasts ${age(m.deletionTimestamp, now)})`);
    w.line(0, 'Termination Grace Period:', `${m.deletionGracePeriodSeconds ?? 0}s`);
  } else w.line(0, 'Status:', status);
  if (p.status?.reason) w.line(0, 'Reason:', p.status.reason);
  if (p.status?.message) w.line(0, 'Message:', p.status.message);
  w.line(0, 'IP:', p.status?.podIP ?? '');
  const ips = p.status?.podIPs ?? (p.status?.podIP ? [{ ip: p.status.podIP }] : []);
  if (!ips.length) w.line(0, 'IPs:', NONE);
  else {
    w.line(0, 'IPs:');
    for (const ip of ips) w.line(1, 'IP:', ip.ip ?? '');
  }
  controlledBy(w, p);
  const statusOf = (list: ContainerStatus[] | undefined, name: string | undefined) => list?.find((s) => s.name === name);
  const inits = p.spec?.initContainers ?? [];
  if (inits.length) {
    w.line(0, 'Init Containers:');
    for (const c of inits) containerLines(w, c, statusOf(p.status?.initContainerStatuses, c.name), 1);
  }
  w.line(0, 'Containers:');
  for (const c of p.spec?.containers ?? []) containerLines(w, c, statusOf(p.status?.containerStatuses, c.name), 1);
  const conds = p.status?.conditions ?? [];
  if (conds.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type', 'Status');
    for (const c of conds) w.line(1, c.type ?? '', c.status ?? '');
  }
  const vols = p.spec?.volumes ?? [];
  if (!vols.length) w.line(0, 'Volumes:', NONE);
  else {
    w.line(0, 'Volumes:');
    for (const v of vols) {
      w.line(1, `${v.name}:`);
      if (v.emptyDir) w.line(2, 'Type:', 'EmptyDir (a temporary directory that shares a pod\'s lifetime)');
      else if (v.configMap) w.line(2, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)').line(2, 'Name:', v.configMap.name ?? '');
      else if (v.secret) w.line(2, 'Type:', 'Secret (a volume populated by a Secret)').line(2, 'SecretName:', v.secret.secretName ?? '');
      else if (v.hostPath) w.line(2, 'Type:', 'HostPath (bare host directory volume)').line(2, 'Path:', v.hostPath.path ?? '');
      else if (v.persistentVolumeClaim) w.line(2, 'Type:', 'PersistentVolumeClaim').line(2, 'ClaimName:', v.persistentVolumeClaim.claimName ?? '');
    }
  }
  w.line(0, 'QoS Class:', p.status?.qosClass || 'BestEffort');
  w.map(0, 'Node-Selectors', p.spec?.nodeSelector);
  const tol = p.spec?.tolerations ?? [];
  if (!tol.length) w.line(0, 'Tolerations:', NONE);
  tol.forEach((t, i) => {
    const text = `${t.key ?? ''}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}${t.effect ? `:${t.effect}` : ''}${t.operator === 'Exists' && !t.key ? ' op=Exists' : ''}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ''}`;
    w.line(0, i === 0 ? 'Tolerations:' : '', text);
  });
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeDeployment(d: Deployment, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  header(w, d, { created: true });
  w.line(0, 'Selector:', formatLabelSelector(d.spec?.selector));
  const s = d.status ?? {};
  w.line(0, 'Replicas:', `${d.spec?.replicas ?? 0} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`);
  const strategy = d.spec?.strategy?.type || 'RollingUpdate';
  w.line(0, 'StrategyType:', strategy);
  w.line(0, 'MinReadySeconds:', String(d.spec?.minReadySeconds ?? 0));
  if (strategy === 'RollingUpdate') {
    const ru = d.spec?.strategy?.rollingUpdate;
    w.line(0, 'RollingUpdateStrategy:', `${ru?.maxUnavailable ?? '25%'} max unavailable, ${ru?.maxSurge ?? '25%'} max surge`);
  }
  templateLines(w, d.spec?.template);
  const conds = s.conditions ?? [];
  if (conds.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type', 'Status', 'Reason');
    w.line(1, '----', '------', '------');
    for (const c of conds) w.line(1, c.type ?? '', c.status ?? '', c.reason ?? '');
  }
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeReplicaSet(rs: ReplicaSet, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', rs.metadata?.name ?? '');
  w.line(0, 'Namespace:', rs.metadata?.namespace ?? '');
  w.line(0, 'Selector:', formatLabelSelector(rs.spec?.selector));
  w.map(0, 'Labels', rs.metadata?.labels);
  w.map(0, 'Annotations', rs.metadata?.annotations, { skip: [LAST_APPLIED], sep: ': ' });
  controlledBy(w, rs);
  w.line(0, 'Replicas:', `${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 0} desired`);
  if (rel.pods) {
    const count = (phase: string) => rel.pods!.filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
    w.line(0, 'Pods Status:', `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`);
  }
  templateLines(w, rs.spec?.template);
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeService(s: Service, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  header(w, s);
  w.line(0, 'Selector:', formatLabels(s.spec?.selector));
  const type = s.spec?.type || 'ClusterIP';
  w.line(0, 'Type:', type);
  if (type !== 'ExternalName') {
    w.line(0, 'IP Family Policy:', s.spec?.ipFamilyPolicy || 'SingleStack');
    w.line(0, 'IP Families:', (s.spec?.ipFamilies ?? ['IPv4']).join(','));
    w.line(0, 'IP:', s.spec?.clusterIP || NONE);
    w.line(0, 'IPs:', (s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).join(',') || NONE);
  } else w.line(0, 'External Name:', s.spec?.externalName ?? '');
  if (s.spec?.externalIPs?.length) w.line(0, 'External IPs:', s.spec.externalIPs.join(','));
  const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter(Boolean);
  if (ingress.length) w.line(0, 'LoadBalancer Ingress:', ingress.join(', '));
  for (const p of s.spec?.ports ?? []) {
    const name = p.name || '<unset>';
    const proto = p.protocol || 'TCP';
    w.line(0, 'Port:', `${name}  ${p.port}/${proto}`);
    const tp = p.targetPort ?? p.port;
    w.line(0, 'TargetPort:', `${tp}${typeof tp === 'number' ? `/${proto}` : ''}`);
    if (p.nodePort) w.line(0, 'NodePort:', `${name}  ${p.nodePort}/${proto}`);
    if (rel.endpoints) {
      const e: Endpoints = { subsets: (rel.endpoints.subsets ?? []).map((ss) => ({ ...ss, ports: (ss.ports ?? []).filter((ep) => (ep.name ?? '') === (p.name ?? '')) })) };
      w.line(0, 'Endpoints:', formatEndpoints(e).replace(NONE, ''));
    }
  }
  w.line(0, 'Session Affinity:', s.spec?.sessionAffinity || 'None');
  if (type === 'NodePort' || type === 'LoadBalancer') w.line(0, 'External Traffic Policy:', s.spec?.externalTrafficPolicy || 'Cluster');
  w.line(0, 'Internal Traffic Policy:', s.spec?.internalTrafficPolicy || 'Cluster');
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeNode(n: Node, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', n.metadata?.name ?? '');
  w.line(0, 'Roles:', nodeRoles(n));
  w.map(0, 'Labels', n.metadata?.labels);
  w.map(0, 'Annotations', n.metadata?.annotations, { skip: [LAST_APPLIED], sep: ': ' });
  w.line(0, 'CreationTimestamp:', formatTime(n.metadata?.creationTimestamp));
  const taints = n.spec?.taints ?? [];
  if (!taints.length) w.line(0, 'Taints:', NONE);
  taints.forEach((t, i) => w.line(0, i === 0 ? 'Taints:' : '', `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  w.line(0, 'Unschedulable:', String(!!n.spec?.unschedulable));
  const conds = n.status?.conditions ?? [];
  w.line(0, 'Conditions:');
  w.line(1, 'Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message');
  w.line(1, '----', '------', '-----------------', '------------------', '------', '-------');
  for (const c of conds) w.line(1, c.type ?? '', c.status ?? '', formatTime(c.lastHeartbeatTime), formatTime(c.lastTransitionTime), c.reason ?? '', c.message ?? '');
  w.line(0, 'Addresses:');
  for (const a of n.status?.addresses ?? []) w.line(1, `${a.type}:`, a.address ?? '');
  for (const [title, m] of [['Capacity', n.status?.capacity], ['Allocatable', n.status?.allocatable]] as const) {
    w.line(0, `${title}:`);
    for (const k of Object.keys(m ?? {}).sort()) w.line(1, `${k}:`, m![k]);
  }
  const info = n.status?.nodeInfo;
  if (info) {
    w.line(0, 'System Info:');
    const rows: [string, string | undefined][] = [
      ['Machine ID', info.machineID], ['System UUID', info.systemUUID], ['Boot ID', info.bootID], ['Kernel Version', info.kernelVersion],
      ['OS Image', info.osImage], ['Operating System', info.operatingSystem], ['Architecture', info.architecture],
      ['Container Runtime Version', info.containerRuntimeVersion], ['Kubelet Version', info.kubeletVersion], ['Kube-Proxy Version', info.kubeProxyVersion],
    ];
    for (const [k, v] of rows) w.line(1, `${k}:`, v ?? '');
  }
  if (n.spec?.podCIDR) w.line(0, 'PodCIDR:', n.spec.podCIDR);
  if (rel.pods) {
    const live = rel.pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    w.line(0, 'Non-terminated Pods:', `(${live.length} in total)`);
    if (live.length) {
      w.line(1, 'Namespace', 'Name', 'Age');
      w.line(1, '---------', '----', '---');
      for (const p of live) w.line(1, p.metadata?.namespace ?? '', p.metadata?.name ?? '', age(p.metadata?.creationTimestamp, now));
    }
  }
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeNamespace(ns: Namespace): string {
  const w = new DescribeWriter();
  header(w, ns, { namespace: false });
  w.line(0, 'Status:', ns.status?.phase ?? '');
  w.blank();
  w.line(0, 'No resource quota.');
  w.blank();
  w.line(0, 'No LimitRange resource.');
  return w.toString();
}

export function describeConfigMap(cm: ConfigMap, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  header(w, cm);
  w.blank().line(0, 'Data').line(0, '====');
  for (const k of Object.keys(cm.data ?? {}).sort()) {
    w.line(0, `${k}:`).line(0, '----');
    for (const l of cm.data![k].split('\n')) w.line(0, l);
  }
  w.blank().line(0, 'BinaryData').line(0, '====');
  for (const k of Object.keys(cm.binaryData ?? {}).sort()) w.line(0, `${k}: ${Buffer.from(cm.binaryData![k], 'base64').length} bytes`);
  w.blank();
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeSecret(s: Secret, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  header(w, s);
  w.blank().line(0, 'Type:', s.type || 'Opaque').blank();
  w.line(0, 'Data').line(0, '====');
  for (const k of Object.keys(s.data ?? {}).sort()) w.line(0, `${k}:`, `${Buffer.from(s.data![k], 'base64').length} bytes`);
  void rel;
  void now;
  return w.toString();
}

export function describeEndpoints(e: Endpoints, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  header(w, e);
  w.line(0, 'Subsets:');
  for (const ss of e.subsets ?? []) {
    w.line(1, 'Addresses:', (ss.addresses ?? []).map((a) => a.ip).join(',') || NONE);
    w.line(1, 'NotReadyAddresses:', (ss.notReadyAddresses ?? []).map((a) => a.ip).join(',') || NONE);
    w.line(1, 'Ports:');
    w.line(2, 'Name', 'Port', 'Protocol');
    w.line(2, '----', '----', '--------');
    for (const p of ss.ports ?? []) w.line(2, p.name || '<unset>', String(p.port ?? ''), p.protocol || 'TCP');
    w.blank();
  }
  writeEvents(w, rel.events, now);
  return w.toString();
}

/** "web:80 (10.244.1.5:8080,10.244.2.3:8080)", as kubectl describes an Ingress backend. */
export function ingressBackendText(b: IngressBackend | undefined, rel: Related): string {
  if (!b) return '<default>';
  if (b.resource) return `APIGroup: ${b.resource.apiGroup ?? ''}, Kind: ${b.resource.kind ?? ''}, Name: ${b.resource.name ?? ''}`;
  const svc = b.service;
  if (!svc) return '';
  const port = svc.port?.name || String(svc.port?.number ?? 0);
  const name = `${svc.name ?? ''}:${port}`;
  if (!rel.backends) return name;
  const found = rel.backends.get(svc.name ?? '');
  if (!found?.endpoints) return `${name} (<error: endpoints "${svc.name}" not found>)`;
  if (!found.service) return `${name} (<error: services "${svc.name}" not found>)`;
  // The Endpoints port the backend means: the one named like the Service port it picks.
  const sp = (found.service.spec?.ports ?? []).find((p) => (svc.port?.number ? p.port === svc.port.number : p.name === svc.port?.name));
  const portName = sp?.name ?? '';
  const e: Endpoints = { subsets: (found.endpoints.subsets ?? []).map((ss) => ({ ...ss, ports: (ss.ports ?? []).filter((ep) => (ep.name ?? '') === portName) })) };
  return `${name} (${formatEndpoints(e)})`;
}

export function describeIngress(ing: Ingress, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  const m = ing.metadata ?? {};
  w.line(0, 'Name:', m.name ?? '');
  w.map(0, 'Labels', m.labels);
  w.line(0, 'Namespace:', m.namespace ?? '');
  w.line(0, 'Address:', ingressAddress(ing.status?.loadBalancer, true));
  w.line(0, 'Ingress Class:', ing.spec?.ingressClassName ?? NONE);
  w.line(0, 'Default backend:', ingressBackendText(ing.spec?.defaultBackend, rel));
  const tls = ing.spec?.tls ?? [];
  if (tls.length) {
    w.line(0, 'TLS:');
    for (const t of tls) {
      const hosts = (t.hosts ?? []).join(',');
      w.line(1, t.secretName ? `${t.secretName} terminates ${hosts}` : `SNI routes ${hosts}`);
    }
  }
  w.line(0, 'Rules:');
  w.line(1, 'Host', 'Path', 'Backends');
  w.line(1, '----', '----', '--------');
  let shown = 0;
  for (const r of ing.spec?.rules ?? []) {
    if (!r.http) continue;
    shown++;
    w.line(1, r.host || '*', '');
    for (const p of r.http.paths ?? []) w.line(2, '', p.path ?? '', ingressBackendText(p.backend, rel));
  }
  if (!shown) w.line(1, '*', '*', ingressBackendText(ing.spec?.defaultBackend, rel));
  w.map(0, 'Annotations', m.annotations, { skip: [LAST_APPLIED], sep: ': ' });
  writeEvents(w, rel.events, now);
  return w.toString();
}

/** "holderIdentity" -> "Holder Identity", as kubectl titles fields of kinds it has no describer for. */
export function titleCase(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function genericValue(w: DescribeWriter, level: number, key: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    w.line(level, `${key}:`);
    for (const item of v) {
      if (typeof item === 'object' && item !== null) {
        for (const [k, x] of Object.entries(item)) genericValue(w, level + 1, titleCase(k), x);
      } else w.line(level + 1, String(item));
    }
  } else if (typeof v === 'object') {
    w.line(level, `${key}:`);
    for (const [k, x] of Object.entries(v)) genericValue(w, level + 1, titleCase(k), x);
  } else w.line(level, `${key}:`, String(v));
}

/** Any object: Name, Namespace, Labels, Annotations, then every other field, titled. */
export function describeGeneric(obj: KubeObject, rel: Related, now: Date): string {
  const w = new DescribeWriter();
  header(w, obj, { namespace: !!obj.metadata?.namespace });
  const { metadata: _m, ...rest } = obj as KubeObject & Record<string, unknown>;
  for (const [k, v] of Object.entries(rest)) genericValue(w, 0, titleCase(k), v);
  writeEvents(w, rel.events, now);
  return w.toString();
}

export function describeObject(obj: KubeObject, rel: Related, now: Date): string {
  switch (obj.kind) {
    case 'Pod':
      return describePod(obj, rel, now);
    case 'Deployment':
      return describeDeployment(obj, rel, now);
    case 'ReplicaSet':
      return describeReplicaSet(obj, rel, now);
    case 'Service':
      return describeService(obj, rel, now);
    case 'Node':
      return describeNode(obj, rel, now);
    case 'Namespace':
      return describeNamespace(obj);
    case 'ConfigMap':
      return describeConfigMap(obj, rel, now);
    case 'Secret':
      return describeSecret(obj, rel, now);
    case 'Endpoints':
      return describeEndpoints(obj, rel, now);
    case 'Ingress':
      return describeIngress(obj, rel, now);
    default:
      return describeGeneric(obj, rel, now);
  }
}
