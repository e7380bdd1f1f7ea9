// What a Service's Endpoints should say, as pure functions over the Service and its pods
// (Kubernetes' endpoints controller: ShouldPodBeInEndpoints, FindPort, addEndpointSubset
// and RepackSubsets). The result is canonical (sorted) so that equal states compare equal
// and the controller writes only when something really changed.
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from '@kubesim/api';

/** Label Kubernetes puts on the Endpoints of a headless Service. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** Annotation of leader-election records kept in Endpoints (never treated as leftovers). */
export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function podIP(pod: Pod): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.find((p) => p.ip)?.ip || undefined;
}

/**
 * Whether a pod is listed at all: not finished, with an IP, and not terminating (unless the
 * Service publishes not-ready addresses, which keeps terminating pods too).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** The pod port a service port sends to: a number as is, a name looked up in the containers. */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target > 0 ? target : port.port;
  if (target === undefined || target === '') return port.port;
  const protocol = port.protocol || 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol || 'TCP') === protocol && p.containerPort) return p.containerPort;
    }
  }
  return undefined;
}

/** Whether the address carries the pod's hostname (pod.spec.subdomain names the Service). */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

export function podToAddress(pod: Pod, svc: Service): EndpointAddress {
  const addr: EndpointAddress = {
    ip: podIP(pod),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
      resourceVersion: pod.metadata?.resourceVersion,
    },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec?.hostname;
  return addr;
}

function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const p: EndpointPort = { port, protocol: sp.protocol || 'TCP' };
  if (sp.name) p.name = sp.name;
  if (sp.appProtocol) p.appProtocol = sp.appProtocol;
  return p;
}

export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === 'None';
}

/** One (address, readiness, port) fact before repacking; port undefined = no ports (headless). */
interface Entry {
  address: EndpointAddress;
  ready: boolean;
  port: EndpointPort | undefined;
}

/** The subsets of a Service's Endpoints given the pods its selector matches. */
export function computeSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const ports = svc.spec?.ports ?? [];
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podToAddress(pod, svc);
    const ready = publishNotReady || isPodReady(pod);
    if (ports.length === 0) {
      // Only a headless Service may have no ports; its addresses are listed without any.
      if (svc.spec?.clusterIP === 'None') entries.push({ address, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const n = findPort(pod, sp);
      // A pod without the named port is simply not an endpoint for that port.
      if (n === undefined) continue;
      entries.push({ address, ready, port: endpointPort(sp, n) });
    }
  }
  return repackSubsets(entries);
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip ?? ''}/${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort | undefined): string {
  return p ? `${p.name ?? ''}/${p.port ?? 0}/${p.protocol ?? ''}/${p.appProtocol ?? ''}` : '';
}

/** Orders IPv4 addresses numerically (10.0.0.9 before 10.0.0.10), anything else as text. */
export function compareIPs(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every((x) => /^\d+$/.test(x))) {
    for (let i = 0; i < 4; i++) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d) return d;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return compareIPs(a.ip ?? '', b.ip ?? '') || cmp(a.targetRef?.namespace, b.targetRef?.namespace) || cmp(a.targetRef?.name, b.targetRef?.name) || cmp(a.targetRef?.uid, b.targetRef?.uid);
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return cmp(a.name, b.name) || (a.port ?? 0) - (b.port ?? 0) || cmp(a.protocol, b.protocol);
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Groups ports by the exact set of (address, readiness) that serves them, so each subset
 * lists addresses that all offer the same ports (Kubernetes' RepackSubsets), then sorts.
 */
export function repackSubsets(entries: readonly Entry[]): EndpointSubset[] {
  // port key -> (address key -> [address, ready])
  const byPort = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, { address: EndpointAddress; ready: boolean }> }>();
  for (const e of entries) {
    const pk = portKey(e.port);
    let slot = byPort.get(pk);
    if (!slot) byPort.set(pk, (slot = { port: e.port, addrs: new Map() }));
    slot.addrs.set(`${addressKey(e.address)}/${e.ready}`, { address: e.address, ready: e.ready });
  }
  // address-set key -> ports offered by exactly that set
  const groups = new Map<string, { addrs: Array<{ address: EndpointAddress; ready: boolean }>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const setKey = [...addrs.keys()].sort().join(',');
    let g = groups.get(setKey);
    if (!g) groups.set(setKey, (g = { addrs: [...addrs.values()], ports: [] }));
    if (port) g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const s: EndpointSubset = {};
    const ready = g.addrs.filter((a) => a.ready).map((a) => a.address).sort(compareAddresses);
    const notReady = g.addrs.filter((a) => !a.ready).map((a) => a.address).sort(compareAddresses);
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (g.ports.length) s.ports = g.ports.sort(comparePorts);
    subsets.push(s);
  }
  return subsets.sort((a, b) => cmp(subsetSortKey(a), subsetSortKey(b)));
}

function subsetSortKey(s: EndpointSubset): string {
  const first = s.addresses?.[0] ?? s.notReadyAddresses?.[0];
  return `${(s.ports ?? []).map(portKey).join(',')}|${first ? addressKey(first) : ''}`;
}

/** A normal form for comparison: empty lists dropped, pod resourceVersions ignored. */
function normalize(subsets: readonly EndpointSubset[] | undefined): unknown {
  const addr = (a: EndpointAddress) => ({
    ip: a.ip ?? '',
    hostname: a.hostname ?? '',
    nodeName: a.nodeName ?? '',
    ref: a.targetRef ? [a.targetRef.kind ?? '', a.targetRef.namespace ?? '', a.targetRef.name ?? '', a.targetRef.uid ?? ''] : null,
  });
  return (subsets ?? [])
    .map((s) => ({
      addresses: (s.addresses ?? []).map(addr),
      notReadyAddresses: (s.notReadyAddresses ?? []).map(addr),
      ports: (s.ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol || 'TCP', p.appProtocol ?? '']),
    }))
    .filter((s) => s.addresses.length || s.notReadyAddresses.length);
}

/**
 * Whether two subset lists say the same thing, ignoring the pods' resourceVersions (a pod's
 * unrelated change, e.g. an annotation, must not rewrite its Service's Endpoints).
 */
export function subsetsEqual(a: readonly EndpointSubset[] | undefined, b: readonly EndpointSubset[] | undefined): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** The labels the Endpoints carry: the Service's, plus the headless marker when headless. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

export function labelsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = Object.entries(a ?? {}).sort(([k1], [k2]) => cmp(k1, k2));
  const y = Object.entries(b ?? {}).sort(([k1], [k2]) => cmp(k1, k2));
  return JSON.stringify(x) === JSON.stringify(y);
}

/** Whether the Service gets its Endpoints from this controller (a selector, not ExternalName). */
export function managesEndpoints(svc: Service): boolean {
  if (svc.spec?.type === 'ExternalName') return false;
  // An empty selector cannot be told from none once it went through the proto encoding.
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** Whether a Service's selector matches a pod (same namespace, every selector label equal). */
export function selectsPod(svc: Service, pod: Pod): boolean {
  if (!managesEndpoints(svc) || svc.metadata?.namespace !== pod.metadata?.namespace) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(svc.spec?.selector ?? {}).every(([k, v]) => labels[k] === v);
}
