// etcd keys of API objects: /registry/<plural>/<namespace>/<name>, or
// /registry/<plural>/<name> for cluster-scoped kinds, as kube-apiserver lays them out.
import { resolveResource, type ResourceInfo } from '@kubesim/api';

export const REGISTRY_PREFIX = '/registry/';

export function objectKey(info: ResourceInfo, namespace: string, name: string): string {
  return info.namespaced ? `${REGISTRY_PREFIX}${info.plural}/${namespace}/${name}` : `${REGISTRY_PREFIX}${info.plural}/${name}`;
}

/** The prefix of every key of a resource, or of one namespace of it. Ends with "/". */
export function resourcePrefix(info: ResourceInfo, namespace = ''): string {
  return info.namespaced && namespace ? `${REGISTRY_PREFIX}${info.plural}/${namespace}/` : `${REGISTRY_PREFIX}${info.plural}/`;
}

/** The end of the key range that holds every key starting with `prefix`. */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  // Names never contain 0xff bytes, so incrementing the last byte is enough.
  b[b.length - 1] += 1;
  return b;
}

export interface ParsedKey {
  info: ResourceInfo;
  namespace: string;
  name: string;
}

const infoCache = new Map<string, ResourceInfo | null>();

/** Splits an etcd key back into resource, namespace and name; undefined for foreign keys. */
export function parseKey(key: string): ParsedKey | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const rest = key.slice(REGISTRY_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const plural = rest.slice(0, slash);
  let info = infoCache.get(plural);
  if (info === undefined) {
    const found = resolveResource(plural);
    info = found && found.plural === plural && !found.virtual ? found : null;
    infoCache.set(plural, info);
  }
  if (!info) return undefined;
  const tail = rest.slice(slash + 1);
  if (info.namespaced) {
    const s = tail.indexOf('/');
    if (s <= 0 || s === tail.length - 1) return undefined;
    return { info, namespace: tail.slice(0, s), name: tail.slice(s + 1) };
  }
  if (!tail || tail.includes('/')) return undefined;
  return { info, namespace: '', name: tail };
}
