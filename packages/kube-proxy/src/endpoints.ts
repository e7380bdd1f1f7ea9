// From Service and Endpoints objects to the flat list of service ports the rules are made
// of, each with its ready endpoints. Pure; every field is validated (see net.ts).
import type { Endpoints, Service } from '@kubesim/api';
import { isIPv4, isPort } from './net.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface EndpointInfo {
  ip: string;
  port: number;
  nodeName: string;
  /** The endpoint runs on this node (externalTrafficPolicy Local, health checks). */
  local: boolean;
}

export interface ServicePortInfo {
  namespace: string;
  name: string;
  /** The service port's name ('' when the service has a single unnamed port). */
  portName: string;
  /** Kubernetes' ServicePortName: "ns/name:port" ("ns/name" for an unnamed port). */
  display: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the service has no NodePort (ClusterIP type, or not allocated). */
  nodePort: number;
  /** IPv4 addresses from status.loadBalancer.ingress (LoadBalancer services only). */
  loadBalancerIPs: string[];
  externalPolicyLocal: boolean;
  /** Seconds of ClientIP affinity; 0 = no session affinity. */
  affinitySeconds: number;
  /** Ready endpoints, sorted by ip then port. */
  endpoints: EndpointInfo[];
}

export const DEFAULT_AFFINITY_SECONDS = 10800;

const PROTOCOLS: Record<string, Protocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

function protocolOf(p: string | undefined): Protocol | undefined {
  return PROTOCOLS[p || 'TCP'];
}

/** Services the proxy programs: those with an IPv4 cluster IP (headless and ExternalName are DNS only). */
export function isProxied(svc: Service): boolean {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return false;
  return isIPv4(spec.clusterIP);
}

function endpointsFor(ep: Endpoints | undefined, portName: string, protocol: Protocol, nodeName: string): EndpointInfo[] {
  const seen = new Map<string, EndpointInfo>();
  for (const subset of ep?.subsets ?? []) {
    // Named target ports are resolved by the endpoints controller: the endpoint port
    // carries the service port's name and the pod's number.
    const port = (subset.ports ?? []).find((p) => (p.name ?? '') === portName && protocolOf(p.protocol) === protocol);
    if (!port || !isPort(port.port)) continue;
    // Only ready addresses; notReadyAddresses never receive traffic.
    for (const addr of subset.addresses ?? []) {
      if (!isIPv4(addr.ip)) continue;
      const node = addr.nodeName ?? '';
      seen.set(`${addr.ip}:${port.port}`, { ip: addr.ip, port: port.port, nodeName: node, local: node !== '' && node === nodeName });
    }
  }
  return [...seen.values()].sort((a, b) => compareIP(a.ip, b.ip) || a.port - b.port);
}

export function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Every proxied service port with its ready endpoints, sorted by service then port name. */
export function servicePorts(services: Service[], endpoints: Endpoints[], nodeName: string): ServicePortInfo[] {
  const epByKey = new Map(endpoints.map((e) => [keyOf(e), e]));
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    if (!isProxied(svc)) continue;
    const spec = svc.spec ?? {};
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    if (!namespace || !name) continue;
    const type = spec.type || 'ClusterIP';
    const external = type === 'NodePort' || type === 'LoadBalancer';
    const lbIPs =
      type === 'LoadBalancer'
        ? [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4))].sort(compareIP)
        : [];
    const affinitySeconds =
      spec.sessionAffinity === 'ClientIP' ? positiveOr(spec.sessionAffinityConfig?.clientIP?.timeoutSeconds, DEFAULT_AFFINITY_SECONDS) : 0;
    const ep = epByKey.get(keyOf(svc));
    for (const sp of spec.ports ?? []) {
      const protocol = protocolOf(sp.protocol);
      if (!protocol || !isPort(sp.port)) continue;
      const portName = sp.name ?? '';
      out.push({
        namespace,
        name,
        portName,
        display: `${namespace}/${name}${portName ? `:${portName}` : ''}`,
        protocol,
        clusterIP: spec.clusterIP!,
        port: sp.port,
        nodePort: external && isPort(sp.nodePort) ? sp.nodePort : 0,
        loadBalancerIPs: lbIPs,
        externalPolicyLocal: external && spec.externalTrafficPolicy === 'Local',
        affinitySeconds,
        endpoints: endpointsFor(ep, portName, protocol, nodeName),
      });
    }
  }
  return out.sort(
    (a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.portName, b.portName) || cmp(a.protocol, b.protocol) || a.port - b.port,
  );
}

function positiveOr(n: number | undefined, dflt: number): number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : dflt;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface HealthCheckService {
  namespace: string;
  name: string;
  port: number;
  /** Ready endpoints of the service on this node (distinct addresses, all ports). */
  localEndpoints: number;
}

/**
 * The health-check servers this node must run: one per LoadBalancer service with
 * externalTrafficPolicy Local and a healthCheckNodePort, as kube-proxy's healthcheck server.
 */
export function healthCheckServices(services: Service[], endpoints: Endpoints[], nodeName: string): HealthCheckService[] {
  const epByKey = new Map(endpoints.map((e) => [keyOf(e), e]));
  const out: HealthCheckService[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    if (!isProxied(svc) || spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local' || !isPort(spec.healthCheckNodePort)) continue;
    const local = new Set<string>();
    for (const subset of epByKey.get(keyOf(svc))?.subsets ?? []) {
      for (const a of subset.addresses ?? []) if (a.ip && a.nodeName === nodeName) local.add(a.ip);
    }
    out.push({ namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '', port: spec.healthCheckNodePort, localEndpoints: local.size });
  }
  return out.sort((a, b) => a.port - b.port);
}
