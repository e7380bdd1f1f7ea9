// What a Service asks of the cloud, as Kubernetes' service controller reads it: whether
// it wants a load balancer, whether one must be cleaned up (the finalizer), which ports
// the balancer serves, and whether a Service change is worth a sync. Pure.
import type { LoadBalancerIngress, Service } from '@kubesim/api';

/** Kubernetes' finalizer: a Service that had a load balancer goes only once it is torn down. */
export const LB_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

/** type LoadBalancer, and no loadBalancerClass (a class names another implementation). */
export function wantsLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

export function hasFinalizer(svc: Service): boolean {
  return svc.metadata?.finalizers?.includes(LB_FINALIZER) ?? false;
}

/** The load balancer must go: the Service is being deleted, or no longer wants one. */
export function needsCleanup(svc: Service): boolean {
  if (!hasFinalizer(svc)) return false;
  return !!svc.metadata?.deletionTimestamp || !wantsLoadBalancer(svc);
}

export function withFinalizer(svc: Service): Service {
  if (hasFinalizer(svc)) return svc;
  return { ...svc, metadata: { ...svc.metadata, finalizers: [...(svc.metadata?.finalizers ?? []), LB_FINALIZER] } };
}

export function withoutFinalizer(svc: Service): Service {
  if (!hasFinalizer(svc)) return svc;
  return { ...svc, metadata: { ...svc.metadata, finalizers: svc.metadata?.finalizers?.filter((f) => f !== LB_FINALIZER) } };
}

/** The addresses status.loadBalancer.ingress shows. */
export function ingressIPs(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);
}

/** The status a load balancer on `ip` gives (ipMode VIP: traffic arrives for that address). */
export function ingressFor(ip: string | undefined): LoadBalancerIngress[] {
  return ip ? [{ ip, ipMode: 'VIP' }] : [];
}

export function sameIngress(svc: Service, ip: string | undefined): boolean {
  const have = ingressIPs(svc);
  return ip ? have.length === 1 && have[0] === ip : have.length === 0;
}

/** One port the balancer listens on: externalIP:port -> node:nodePort. */
export interface LbPort {
  name: string;
  port: number;
  nodePort: number;
}

/** The load balancer a Service asks for (its address aside). */
export interface LbSpec {
  ports: LbPort[];
  /** externalTrafficPolicy Local: only nodes passing the health check get connections. */
  local: boolean;
  healthCheckNodePort: number;
}

export interface LbSpecResult {
  spec: LbSpec;
  /** Ports the emulated cloud cannot serve (UDP/SCTP, or no nodePort), with why. */
  skipped: string[];
}

export function lbSpecOf(svc: Service): LbSpecResult {
  const ports: LbPort[] = [];
  const skipped: string[] = [];
  for (const p of svc.spec?.ports ?? []) {
    const label = `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol || 'TCP'}`;
    if ((p.protocol || 'TCP') !== 'TCP') skipped.push(`${label}: only TCP is load-balanced`);
    else if (!p.nodePort) skipped.push(`${label}: no nodePort (allocateLoadBalancerNodePorts is false)`);
    else if (!p.port) skipped.push(`${label}: no port`);
    else ports.push({ name: p.name ?? '', port: p.port, nodePort: p.nodePort });
  }
  const local = svc.spec?.externalTrafficPolicy === 'Local';
  return { spec: { ports, local, healthCheckNodePort: local ? (svc.spec?.healthCheckNodePort ?? 0) : 0 }, skipped };
}

export function lbSpecEqual(a: LbSpec, b: LbSpec): boolean {
  return (
    a.local === b.local &&
    a.healthCheckNodePort === b.healthCheckNodePort &&
    a.ports.length === b.ports.length &&
    a.ports.every((p, i) => p.name === b.ports[i].name && p.port === b.ports[i].port && p.nodePort === b.ports[i].nodePort)
  );
}

/**
 * Whether a Service update is worth a sync (so the controller's own writes, a finalizer
 * added or a status set to what it holds, do not echo back as work). `held` is the
 * address the pool holds for the Service.
 */
export function needsSync(old: Service, svc: Service, held: string | undefined): boolean {
  if (!wantsLoadBalancer(old) && !wantsLoadBalancer(svc) && !hasFinalizer(svc)) return false;
  if (wantsLoadBalancer(old) !== wantsLoadBalancer(svc)) return true;
  if (!!old.metadata?.deletionTimestamp !== !!svc.metadata?.deletionTimestamp) return true;
  if (old.metadata?.uid !== svc.metadata?.uid) return true;
  // Someone removed the finalizer or rewrote the status: put them right. (Only changes
  // count: the update adding the finalizer still shows the old, empty status.)
  if (wantsLoadBalancer(svc) && hasFinalizer(old) && !hasFinalizer(svc)) return true;
  if (wantsLoadBalancer(svc) && !sameIngress(svc, ingressIPs(old)[0]) && !sameIngress(svc, held)) return true;
  if ((old.spec?.loadBalancerIP ?? '') !== (svc.spec?.loadBalancerIP ?? '')) return true;
  return !lbSpecEqual(lbSpecOf(old).spec, lbSpecOf(svc).spec);
}
