// Pure rules of which Service needs which allocated values, and how an update carries
// allocated values over or drops them when the type changes (Kubernetes'
// patchAllocatedValues and dropTypeDependentFields).
import type { Service, ServicePort } from '@kubesim/api';

export function needsClusterIP(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
}

/** NodePort and LoadBalancer services may hold node ports. */
export function holdsNodePorts(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'NodePort' || t === 'LoadBalancer';
}

/** Whether ports without a nodePort get one (a LoadBalancer may opt out). */
export function assignsNodePorts(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'NodePort' || (t === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);
}

/**
 * Kubernetes gives a healthCheckNodePort to LoadBalancer services with
 * externalTrafficPolicy Local only (the load balancer probes it); validation refuses it
 * elsewhere.
 */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';
}

/** What a stored Service holds: its cluster IP and its distinct node ports. */
export function heldValues(svc: Service): { ips: string[]; ports: number[] } {
  const spec = svc.spec ?? {};
  const ips = needsClusterIP(svc) && spec.clusterIP ? [spec.clusterIP] : [];
  const ports = new Set<number>();
  if (holdsNodePorts(svc)) for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
  if (needsHealthCheck(svc) && spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  return { ips, ports: [...ports] };
}

function findOldPort(old: ServicePort[], p: ServicePort): ServicePort | undefined {
  const proto = p.protocol || 'TCP';
  return old.find((o) => o.port === p.port && (o.protocol || 'TCP') === proto) ?? (p.name ? old.find((o) => o.name === p.name) : undefined);
}

/**
 * Prepares an updated Service: values the client left out (it sent an object read
 * before allocation, or a manifest) keep what the stored Service holds, and values that
 * only belonged to the old type are dropped when they are unchanged. In place.
 */
export function carryOverAllocations(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const was = old.spec ?? {};
  if (needsClusterIP(old) && was.clusterIP) {
    if (spec.type === 'ExternalName') {
      // Becoming an alias: the address goes, unless the client changed it (validation then speaks).
      if (!spec.clusterIP || spec.clusterIP === was.clusterIP) {
        delete spec.clusterIP;
        delete spec.clusterIPs;
        delete spec.ipFamilies;
        delete spec.ipFamilyPolicy;
        delete spec.internalTrafficPolicy;
      }
    } else if (!spec.clusterIP) {
      spec.clusterIP = was.clusterIP;
      spec.clusterIPs = was.clusterIPs?.length ? [...was.clusterIPs] : [was.clusterIP];
    }
  }
  const oldPorts = holdsNodePorts(old) ? was.ports ?? [] : [];
  if (holdsNodePorts(svc)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const o = findOldPort(oldPorts, p);
      if (o?.nodePort) p.nodePort = o.nodePort;
    }
  } else {
    for (const p of spec.ports ?? []) {
      if (p.nodePort && oldPorts.some((o) => o.nodePort === p.nodePort)) delete p.nodePort;
    }
  }
  if (needsHealthCheck(old) && was.healthCheckNodePort) {
    if (needsHealthCheck(svc)) spec.healthCheckNodePort ||= was.healthCheckNodePort;
    else if (spec.healthCheckNodePort === was.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
}
