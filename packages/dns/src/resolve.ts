// Pure cluster-DNS resolution, as CoreDNS's kubernetes plugin answers: a question (name,
// type) and the cached Services/Endpoints in, an rcode and records out. No I/O here, so
// every case is unit-tested without sockets (server.ts does the wire).
import type { Endpoints, Service } from '@kubesim/api';

/** What the resolver reads: lookups over the informer caches (or fixtures in tests). */
export interface ClusterRecords {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
  /** True when some Service lives in the namespace (so `<ns>.svc.<domain>` exists). */
  hasNamespace(namespace: string): boolean;
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'SERVFAIL';

export interface SoaRecord {
  type: 'SOA';
  name: string;
  ttl: number;
  data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
}
export type DnsRecord = { type: 'A' | 'CNAME'; name: string; ttl: number; data: string } | SoaRecord;

export interface Resolution {
  rcode: Rcode;
  /** True for names inside the cluster domain: this server is their authority. */
  authoritative: boolean;
  answers: DnsRecord[];
  authority: DnsRecord[];
}

/** Record TTL, as CoreDNS's kubernetes plugin default (ttl 5). */
export const DNS_TTL = 5;

/** The SOA of the cluster zone, sent with NXDOMAIN and empty answers (negative caching for TTL s). */
export function soaRecord(domain: string, serial: number = Math.floor(Date.now() / 1000)): SoaRecord {
  return {
    type: 'SOA',
    name: domain,
    ttl: DNS_TTL,
    data: { mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial, refresh: 7200, retry: 1800, expire: 86400, minimum: DNS_TTL },
  };
}

/** Lower-case, no trailing dot: DNS names compare case-insensitively. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/** The A records of a Service: its ClusterIP(s), or for a headless one its endpoints' addresses. */
function serviceAddresses(svc: Service, eps: Endpoints | undefined): string[] {
  const spec = svc.spec ?? {};
  if (spec.clusterIP && spec.clusterIP !== 'None') {
    const ips = spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP];
    return ips.filter(isIPv4);
  }
  const out: string[] = [];
  for (const s of eps?.subsets ?? []) {
    // Not-ready pods are published only when the Service asks for it (StatefulSet peers).
    const addrs = [...(s.addresses ?? []), ...(spec.publishNotReadyAddresses ? (s.notReadyAddresses ?? []) : [])];
    for (const a of addrs) if (a.ip && isIPv4(a.ip) && !out.includes(a.ip)) out.push(a.ip);
  }
  return out;
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Answers one question. `qtype` is the record type asked for ("A", "AAAA", "ANY", ...).
 * Names outside the cluster domain are REFUSED: this server does not recurse (no
 * upstream is reachable offline).
 */
export function resolve(qname: string, qtype: string, domain: string, records: ClusterRecords): Resolution {
  const name = normalizeName(qname);
  const zone = normalizeName(domain);
  if (name !== zone && !name.endsWith(`.${zone}`)) {
    // Search-path forms (`my-svc.my-ns` tried as is) end in a namespace or "svc": an upstream
    // would say NXDOMAIN (no such TLD). Saying so matters: REFUSED makes musl/busybox
    // resolvers abandon the whole search list.
    const tld = name.slice(name.lastIndexOf('.') + 1);
    if (name.includes('.') && (tld === 'svc' || tld === 'pod' || records.hasNamespace(tld))) return { rcode: 'NXDOMAIN', authoritative: false, answers: [], authority: [] };
    return { rcode: 'REFUSED', authoritative: false, answers: [], authority: [] };
  }
  const soa = soaRecord(zone);
  const nx: Resolution = { rcode: 'NXDOMAIN', authoritative: true, answers: [], authority: [soa] };
  // An existing name with no records of the asked type: NOERROR, empty, SOA for negative caching.
  const empty: Resolution = { rcode: 'NOERROR', authoritative: true, answers: [], authority: [soa] };
  const found = (answers: DnsRecord[]): Resolution => (answers.length ? { rcode: 'NOERROR', authoritative: true, answers, authority: [] } : empty);
  const wantsA = qtype === 'A' || qtype === 'ANY';

  if (name === zone) return qtype === 'SOA' || qtype === 'ANY' ? found([soa]) : empty;
  const labels = name.slice(0, -zone.length - 1).split('.');
  const kind = labels[labels.length - 1];

  if (kind === 'svc') {
    const rest = labels.slice(0, -1);
    if (rest.length === 0) return empty;
    const ns = rest[rest.length - 1]!;
    if (rest.length === 1) return records.hasNamespace(ns) ? empty : nx;
    const svcName = rest[rest.length - 2]!;
    const svc = records.service(ns, svcName);
    if (!svc) return nx;
    const type = svc.spec?.type;
    if (rest.length === 2) {
      if (type === 'ExternalName') {
        const target = normalizeName(svc.spec?.externalName ?? '');
        if (!target) return nx;
        // CoreDNS answers the CNAME whatever the type asked; the client chases it.
        return found([{ type: 'CNAME', name, ttl: DNS_TTL, data: target }]);
      }
      const ips = serviceAddresses(svc, records.endpoints(ns, svcName));
      return wantsA ? found(ips.map((ip) => ({ type: 'A' as const, name, ttl: DNS_TTL, data: ip }))) : empty;
    }
    if (rest.length === 3 && svc.spec?.clusterIP === 'None') {
      // <hostname>.<svc>.<ns>.svc.<domain>: one endpoint of a headless Service by its hostname.
      const host = rest[0]!;
      const eps = records.endpoints(ns, svcName);
      for (const s of eps?.subsets ?? []) {
        const addrs = [...(s.addresses ?? []), ...(svc.spec.publishNotReadyAddresses ? (s.notReadyAddresses ?? []) : [])];
        const a = addrs.find((x) => x.hostname?.toLowerCase() === host && x.ip && isIPv4(x.ip));
        if (a) return wantsA ? found([{ type: 'A', name, ttl: DNS_TTL, data: a.ip! }]) : empty;
      }
    }
    return nx;
  }

  if (kind === 'pod') {
    const rest = labels.slice(0, -1);
    if (rest.length === 0) return empty;
    if (rest.length === 1) return empty;
    if (rest.length !== 2) return nx;
    // <a-b-c-d>.<ns>.pod.<domain>: the IP spelt in the name (CoreDNS "pods insecure").
    const ip = rest[0]!.replace(/-/g, '.');
    if (!isIPv4(ip)) return nx;
    return wantsA ? found([{ type: 'A', name, ttl: DNS_TTL, data: ip }]) : empty;
  }
  return nx;
}
