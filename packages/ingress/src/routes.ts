// The routing table of every Ingress this controller serves, merged, and the choice of a
// route for a request. Pure functions.
//
// Merging: Ingresses are taken oldest first (creationTimestamp, then namespace/name).
// Rules for the same host from several Ingresses share one host entry; a path that an
// older Ingress already routes (same host, same match: Exact path, or Prefix path with
// the same elements) is a conflict and the older route stays, as ingress-nginx resolves
// them. ImplementationSpecific paths are Prefix paths here.
//
// Choosing: the host entry is the exact host, else the wildcard one ("*.foo.com" for
// "bar.foo.com"), else the entry of rules without a host. Within it an Exact path that
// equals the request path wins; else the Prefix path with the most elements that matches.
// A request whose host entry has no matching path goes to that host's default backend
// (the defaultBackend of the oldest Ingress routing the host that has one), else to the
// cluster-wide default backend (the oldest Ingress's defaultBackend), else nowhere (404).
// There is no fall-through from a host entry to the host-less rules, as with
// ingress-nginx's server blocks.
import type { Ingress, IngressBackend } from '@kubesim/api';
import { exactMatches, pathElements, prefixMatches, wildcardFor } from './match.js';

export interface BackendRef {
  /** The namespace of the Ingress, where its backend Services live. */
  namespace: string;
  /** "namespace/name" of the Ingress the route comes from. */
  ingress: string;
  backend: IngressBackend;
}

export interface PathRoute {
  path: string;
  /** How it matches: Exact, or Prefix (Prefix and ImplementationSpecific). */
  match: 'Exact' | 'Prefix';
  /** The pathType as written. */
  pathType: string;
  /** Number of path elements (Prefix only), the length that ranks Prefix matches. */
  elements: number;
  ref: BackendRef;
}

export interface HostRoutes {
  /** The rule host: exact, "*.suffix", or "" for rules without a host. */
  host: string;
  exact: Map<string, PathRoute>;
  /** Prefix routes, most elements first. */
  prefixes: PathRoute[];
  defaultBackend?: BackendRef;
}

export interface Conflict {
  host: string;
  path: string;
  pathType: string;
  /** The Ingress whose route is used (the older). */
  kept: string;
  /** The Ingress whose route is ignored. */
  dropped: string;
}

export interface RouteTable {
  hosts: Map<string, HostRoutes>;
  defaultBackend?: BackendRef;
  conflicts: Conflict[];
}

export interface RouteMatch {
  ref: BackendRef;
  /** The host entry chosen ("" = rules without host); undefined for the cluster-wide default. */
  host?: string;
  /** The path route that matched; undefined when a default backend was used. */
  route?: PathRoute;
}

const keyOf = (o: Ingress) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** Oldest first: creationTimestamp, then namespace/name for a stable order among equals. */
export function ingressOrder(a: Ingress, b: Ingress): number {
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The identity of a path within a host: two routes with the same identity conflict. */
function pathIdentity(match: 'Exact' | 'Prefix', path: string): string {
  return match === 'Exact' ? `E ${path}` : `P /${pathElements(path).join('/')}`;
}

export function buildRouteTable(ingresses: readonly Ingress[]): RouteTable {
  const hosts = new Map<string, HostRoutes>();
  const owners = new Map<string, string>(); // host + path identity -> ingress key
  const conflicts: Conflict[] = [];
  let defaultBackend: BackendRef | undefined;

  const entry = (host: string): HostRoutes => {
    let h = hosts.get(host);
    if (!h) hosts.set(host, (h = { host, exact: new Map(), prefixes: [] }));
    return h;
  };

  for (const ing of [...ingresses].sort(ingressOrder)) {
    const namespace = ing.metadata?.namespace ?? '';
    const ingress = keyOf(ing);
    const ref = (backend: IngressBackend): BackendRef => ({ namespace, ingress, backend });
    const own = ing.spec?.defaultBackend ? ref(ing.spec.defaultBackend) : undefined;
    if (own && !defaultBackend) defaultBackend = own;
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const h = entry(host);
      if (own && !h.defaultBackend) h.defaultBackend = own;
      for (const p of rule.http?.paths ?? []) {
        if (!p.backend) continue;
        const pathType = p.pathType ?? 'ImplementationSpecific';
        const match = pathType === 'Exact' ? 'Exact' : 'Prefix';
        const path = p.path || '/';
        const id = `${host} ${pathIdentity(match, path)}`;
        const owner = owners.get(id);
        if (owner !== undefined) {
          if (owner !== ingress) conflicts.push({ host, path, pathType, kept: owner, dropped: ingress });
          continue;
        }
        owners.set(id, ingress);
        const route: PathRoute = { path, match, pathType, elements: match === 'Prefix' ? pathElements(path).length : 0, ref: ref(p.backend) };
        if (match === 'Exact') h.exact.set(path, route);
        else h.prefixes.push(route);
      }
    }
  }
  // Stable sort: among equal lengths the older route stays first (they cannot both match).
  for (const h of hosts.values()) h.prefixes.sort((a, b) => b.elements - a.elements);
  return { hosts, defaultBackend, conflicts };
}

/** The host entry a request host falls into: exact, wildcard, then host-less rules. */
export function hostEntry(table: RouteTable, host: string): HostRoutes | undefined {
  const exact = host ? table.hosts.get(host) : undefined;
  if (exact) return exact;
  const wildcard = wildcardFor(host);
  const wild = wildcard ? table.hosts.get(wildcard) : undefined;
  return wild ?? table.hosts.get('');
}

/** The best path route of a host entry for a request path. */
export function pathRoute(h: HostRoutes, path: string): PathRoute | undefined {
  const exact = h.exact.get(path);
  if (exact && exactMatches(exact.path, path)) return exact;
  return h.prefixes.find((r) => prefixMatches(r.path, path));
}

/** Where a request for `host` (as requestHost gives it) and `path` goes; undefined: 404. */
export function findRoute(table: RouteTable, host: string, path: string): RouteMatch | undefined {
  const h = hostEntry(table, host);
  if (h) {
    const route = pathRoute(h, path);
    if (route) return { ref: route.ref, host: h.host, route };
    if (h.defaultBackend) return { ref: h.defaultBackend, host: h.host };
  }
  return table.defaultBackend ? { ref: table.defaultBackend } : undefined;
}
