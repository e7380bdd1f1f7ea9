// The resource registry: every kind the API serves, with the names kubectl users type.
// One table, used by the apiserver (storage keys, scope), the client and the CLI.
import type { Kind, KindMap } from './gen/types.js';

export interface ResourceInfo<K extends Kind = Kind> {
  kind: K;
  /** Plural lowercase name: the resource in API calls and the etcd key (/registry/<plural>/...). */
  plural: string;
  singular: string;
  shortNames: string[];
  /** "v1" or "group/v1" */
  apiVersion: string;
  namespaced: boolean;
  /** The kind has a status that only UpdateStatus changes. */
  hasStatus: boolean;
  /** Served through its own verb (Bind), never stored. */
  virtual?: boolean;
}

function r<K extends Kind>(kind: K, plural: string, apiVersion: string, namespaced: boolean, hasStatus: boolean, shortNames: string[] = [], virtual = false): ResourceInfo<K> {
  return { kind, plural, singular: kind.toLowerCase(), shortNames, apiVersion, namespaced, hasStatus, ...(virtual ? { virtual } : {}) };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r('Namespace', 'namespaces', 'v1', false, true, ['ns']),
  r('Node', 'nodes', 'v1', false, true, ['no']),
  r('Pod', 'pods', 'v1', true, true, ['po']),
  r('ReplicaSet', 'replicasets', 'apps/v1', true, true, ['rs']),
  r('Deployment', 'deployments', 'apps/v1', true, true, ['deploy']),
  r('Service', 'services', 'v1', true, true, ['svc']),
  r('Endpoints', 'endpoints', 'v1', true, false, ['ep']),
  r('ConfigMap', 'configmaps', 'v1', true, false, ['cm']),
  r('Secret', 'secrets', 'v1', true, false),
  r('Event', 'events', 'v1', true, false, ['ev']),
  r('Lease', 'leases', 'coordination.k8s.io/v1', true, false),
  r('Binding', 'bindings', 'v1', true, false, [], true),
  r('Ingress', 'ingresses', 'networking.k8s.io/v1', true, true, ['ing']),
  r('IngressClass', 'ingressclasses', 'networking.k8s.io/v1', false, false),
];

/** The API group of a resource: "" for the core group, "apps" for apps/v1. */
export function groupOf(info: Pick<ResourceInfo, 'apiVersion'>): string {
  const slash = info.apiVersion.indexOf('/');
  return slash < 0 ? '' : info.apiVersion.slice(0, slash);
}

const byKind = new Map<string, ResourceInfo>(RESOURCES.map((x) => [x.kind, x]));
const byName = new Map<string, ResourceInfo>();
for (const x of RESOURCES) {
  for (const n of [x.plural, x.singular, x.kind.toLowerCase(), ...x.shortNames]) byName.set(n, x);
}

/** Looks a resource up by kind ("Pod"). */
export function resourceForKind<K extends Kind>(kind: K): ResourceInfo<K>;
export function resourceForKind(kind: string): ResourceInfo | undefined;
export function resourceForKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

/**
 * Looks a resource up by any name a kubectl user would type: plural, singular, short
 * name or kind, case-insensitively, optionally with a group ("deployments.apps").
 */
export function resolveResource(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const direct = byName.get(lower);
  if (direct) return direct;
  const dot = lower.indexOf('.');
  if (dot > 0) {
    const x = byName.get(lower.slice(0, dot));
    const group = lower.slice(dot + 1);
    if (x && (x.apiVersion.startsWith(group + '/') || group === 'v1' || group === 'core')) return x;
  }
  return undefined;
}

/** The typed kind served under a plural resource name. */
export type ResourceKinds = {
  namespaces: KindMap['Namespace'];
  nodes: KindMap['Node'];
  pods: KindMap['Pod'];
  replicasets: KindMap['ReplicaSet'];
  deployments: KindMap['Deployment'];
  services: KindMap['Service'];
  endpoints: KindMap['Endpoints'];
  configmaps: KindMap['ConfigMap'];
  secrets: KindMap['Secret'];
  events: KindMap['Event'];
  leases: KindMap['Lease'];
  ingresses: KindMap['Ingress'];
  ingressclasses: KindMap['IngressClass'];
};
export type ResourceName = keyof ResourceKinds;
