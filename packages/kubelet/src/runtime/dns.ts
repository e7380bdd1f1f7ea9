// A pod's resolver settings (kubelet's dns.go): ClusterFirst pods resolve through the
// cluster DNS with search domains <ns>.svc.<domain> svc.<domain> <domain> and ndots:5;
// Default keeps the node's (Docker's) resolv.conf; None takes only spec.dnsConfig.
// The sandbox gets them; app containers joined with --network container: share its
// /etc/resolv.conf (Docker copies the joined container's ResolvConfPath).
import type { Pod } from '@kubesim/api';

export interface PodDnsSettings {
  /** Docker HostConfig.Dns / DnsSearch / DnsOptions; undefined fields keep Docker's defaults. */
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
}

export interface ClusterDnsConfig {
  clusterDNS?: string;
  clusterDomain?: string;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Docker's option form: "ndots:5", "edns0"; pod options override earlier ones of the same name. */
function mergeOptions(base: string[], extra: Array<{ name?: string; value?: string }>): string[] {
  const out = new Map<string, string>();
  for (const o of base) out.set(o.split(':')[0]!, o);
  for (const o of extra) if (o.name) out.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return [...out.values()];
}

export function podDnsSettings(pod: Pod, cfg: ClusterDnsConfig): PodDnsSettings {
  const spec = pod.spec ?? {};
  const ns = pod.metadata?.namespace || 'default';
  const domain = (cfg.clusterDomain || 'cluster.local').replace(/\.+$/, '');
  let policy = spec.dnsPolicy || 'ClusterFirst';
  // As kubelet: host-network pods use the node's resolver unless ClusterFirstWithHostNet;
  // with no cluster DNS configured, ClusterFirst falls back to Default.
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && !cfg.clusterDNS) policy = 'Default';
  const extra = spec.dnsConfig ?? {};
  let base: PodDnsSettings;
  if (policy === 'ClusterFirst') {
    base = { Dns: [cfg.clusterDNS!], DnsSearch: [`${ns}.svc.${domain}`, `svc.${domain}`, domain], DnsOptions: ['ndots:5'] };
  } else if (policy === 'None') {
    base = { Dns: [], DnsSearch: [], DnsOptions: [] };
  } else {
    base = {};
  }
  const out: PodDnsSettings = {};
  const dns = uniq([...(base.Dns ?? []), ...(extra.nameservers ?? [])]);
  const search = uniq([...(base.DnsSearch ?? []), ...(extra.searches ?? [])]);
  const options = mergeOptions(base.DnsOptions ?? [], extra.options ?? []);
  // Kubernetes' limits: 3 nameservers, 32 search domains.
  if (dns.length) out.Dns = dns.slice(0, 3);
  if (search.length) out.DnsSearch = search.slice(0, 32);
  if (options.length) out.DnsOptions = options;
  return out;
}
