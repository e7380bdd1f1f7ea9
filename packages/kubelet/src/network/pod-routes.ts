// Pod routes of the own-netns mode (docker-compose): every node container routes each other
// node's pod CIDR through that node's address on the compose network, as a cloud's route
// table or kube-router would. Pure decision logic: which routes should exist, and what to
// change to get there from what the kernel has.
import { type Node, cidrContains, parseCIDR } from '@kubesim/api';

/** The routing protocol number marking kubesim's routes, so that only they are ever removed. */
export const POD_ROUTE_PROTO = '77';

export interface PodRoute {
  /** The other node's pod CIDR. */
  cidr: string;
  /** The other node's InternalIP. */
  via: string;
}

export interface NodeRouteInfo {
  name: string;
  podCIDR?: string;
  internalIP?: string;
}

export function nodeRouteInfo(node: Node): NodeRouteInfo {
  return {
    name: node.metadata?.name ?? '',
    podCIDR: node.spec?.podCIDR || undefined,
    internalIP: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address || undefined,
  };
}

/**
 * The routes node `self` needs: one per other node with a pod CIDR and an address, sorted by
 * CIDR. A CIDR claimed twice (never, with the IPAM controller) goes to the first node by name.
 */
export function desiredPodRoutes(nodes: readonly NodeRouteInfo[], self: string): PodRoute[] {
  const byCIDR = new Map<string, PodRoute>();
  for (const n of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) {
    if (n.name === self || !n.podCIDR || !n.internalIP) continue;
    const cidr = parseCIDR(n.podCIDR);
    if (!cidr || byCIDR.has(cidr.text)) continue;
    byCIDR.set(cidr.text, { cidr: cidr.text, via: n.internalIP });
  }
  return [...byCIDR.values()].sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** What to change: routes to add or repoint (`ip route replace`), and stale ones to delete. */
export function podRouteChanges(current: readonly PodRoute[], desired: readonly PodRoute[]): { replace: PodRoute[]; remove: PodRoute[] } {
  const have = new Map(current.map((r) => [r.cidr, r.via]));
  const want = new Set(desired.map((r) => r.cidr));
  return {
    replace: desired.filter((r) => have.get(r.cidr) !== r.via),
    remove: current.filter((r) => !want.has(r.cidr)),
  };
}

/** Parses `ip -j -4 route show proto 77`. */
export function parseIpRoutes(json: string): PodRoute[] {
  const text = json.trim();
  if (!text) return [];
  const rows = JSON.parse(text) as Array<{ dst?: string; gateway?: string }>;
  return rows
    .filter((r) => r.dst && r.gateway)
    .map((r) => {
      const dst = r.dst ?? '';
      // `ip` prints a /32 without its length.
      return { cidr: dst.includes('/') ? dst : `${dst}/32`, via: r.gateway ?? '' };
    });
}

/** Keeps the routes whose pod CIDR lies wholly inside `cluster` (host mode never routes outside the cluster's range). */
export function insideCluster(routes: readonly PodRoute[], clusterCIDR: string): PodRoute[] {
  const cluster = parseCIDR(clusterCIDR);
  if (!cluster) return [];
  return routes.filter((r) => {
    const c = parseCIDR(r.cidr);
    return !!c && c.bits >= cluster.bits && cidrContains(cluster, r.cidr.split('/')[0]!);
  });
}

/**
 * Host mode (`kubesim pod-routes`, in the host's namespace beside other software): from the
 * whole `ip -j -4 route show`, kubesim's routes are those of proto 77 through `device`, and
 * every other route's destination is someone else's, never replaced.
 */
export function hostRoutes(json: string, device: string): { ours: PodRoute[]; foreign: Set<string> } {
  const text = json.trim();
  const rows = text ? (JSON.parse(text) as Array<{ dst?: string; gateway?: string; dev?: string; protocol?: string }>) : [];
  const ours: PodRoute[] = [];
  const foreign = new Set<string>();
  for (const r of rows) {
    if (!r.dst || r.dst === 'default') continue;
    const cidr = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    if (r.protocol === POD_ROUTE_PROTO && r.dev === device && r.gateway) ours.push({ cidr, via: r.gateway });
    else foreign.add(cidr);
  }
  return { ours, foreign };
}
