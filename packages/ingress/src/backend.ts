// From an Ingress backend to the addresses to proxy to, as kube-proxy resolves a Service
// port: the backend names a Service port (by number or by name); that port's name picks
// the Endpoints port (an unnamed Service port matches the unnamed Endpoints port); every
// READY address of every subset carrying that port is a target. Pure functions.
import type { Endpoints, IngressBackend, Service, ServicePort } from '@kubesim/api';

export interface Target {
  ip: string;
  port: number;
}

export type Resolution =
  | { ok: true; /** Round-robin key: namespace/service:port. */ key: string; targets: Target[] }
  | { ok: false; /** Why no target: for logs and the error page. */ reason: string };

/** The Service port a backend names, or undefined. */
export function servicePortFor(svc: Service, backend: IngressBackend): ServicePort | undefined {
  const want = backend.service?.port;
  const ports = svc.spec?.ports ?? [];
  if (want?.number) return ports.find((p) => p.port === want.number);
  if (want?.name) return ports.find((p) => p.name === want.name);
  return undefined;
}

/**
 * Resolves `backend` (of an Ingress in `namespace`) against the Service and Endpoints of
 * the caches. Every failure is a reason to answer 503: the route exists, its backend cannot
 * take the request now.
 */
export function resolveBackend(namespace: string, backend: IngressBackend, svc: Service | undefined, ep: Endpoints | undefined): Resolution {
  if (!backend.service) return { ok: false, reason: 'resource backends are not supported' };
  const name = backend.service.name ?? '';
  const id = `${namespace}/${name}`;
  if (!svc) return { ok: false, reason: `service ${id} not found` };
  if (svc.spec?.type === 'ExternalName') return { ok: false, reason: `service ${id} is an ExternalName service` };
  const sp = servicePortFor(svc, backend);
  const want = backend.service.port?.number ?? backend.service.port?.name ?? '';
  if (!sp) return { ok: false, reason: `service ${id} has no port ${want}` };
  const portName = sp.name ?? '';
  const targets: Target[] = [];
  for (const ss of ep?.subsets ?? []) {
    const p = (ss.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === 'TCP');
    if (!p?.port) continue;
    for (const a of ss.addresses ?? []) if (a.ip) targets.push({ ip: a.ip, port: p.port });
  }
  if (!targets.length) return { ok: false, reason: `service ${id} has no ready endpoints for port ${want}` };
  return { ok: true, key: `${id}:${sp.port}`, targets };
}

/** Round robin over the targets of each backend, remembered by key. */
export class RoundRobin {
  private readonly next = new Map<string, number>();

  /** The targets of `key` in the order to try them: the next one first, then the rest. */
  order(key: string, targets: readonly Target[]): Target[] {
    const n = targets.length;
    const start = (this.next.get(key) ?? 0) % n;
    this.next.set(key, (start + 1) % n);
    return [...targets.slice(start), ...targets.slice(0, start)];
  }
}
