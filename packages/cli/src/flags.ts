// Flags of the components that `kubesim <component>` starts, with their defaults, kept in
// one place so `kubesim up` (which starts them as child processes) and the component
// commands agree on names and defaults.

export interface FlagSpec {
  /** commander flag form: "--etcd-servers <urls>" */
  flag: string;
  description: string;
  default?: string;
}

export const APISERVER_FLAGS = {
  etcdServers: { flag: '--etcd-servers <urls>', description: 'comma-separated etcd client URLs', default: 'http://127.0.0.1:2379' },
  listen: { flag: '--listen <host:port>', description: 'address to serve gRPC on', default: '127.0.0.1:6443' },
  compactionInterval: { flag: '--compaction-interval <seconds>', description: 'compact etcd this often (0 = never; default 300)' },
  eventTtl: { flag: '--event-ttl <seconds>', description: 'events expire this long after their last write (default 3600)' },
  maxObjectBytes: { flag: '--max-object-bytes <bytes>', description: 'largest object accepted, as stored JSON (default 1.5 MiB)' },
  bookmarkInterval: { flag: '--bookmark-interval <seconds>', description: 'send watch bookmarks this often (fractions allowed; default 5)' },
  watchCacheSize: { flag: '--watch-cache-size <n>', description: 'recent changes kept in memory per resource to resume watches from (default 1000)' },
} as const satisfies Record<string, FlagSpec>;

type Required = 'etcdServers' | 'listen';
export type ApiServerFlagValues = { [K in Required]: string } & { [K in Exclude<keyof typeof APISERVER_FLAGS, Required>]?: string };

/** A non-negative integer flag value, or undefined when the flag was not given. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid value "${value}" for ${name}: must be a non-negative integer`);
  return n;
}

/** A positive number flag value (fractions allowed), or undefined when the flag was not given. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`invalid value "${value}" for ${name}: must be a positive number`);
  return n;
}

/** The default apiserver address clients use when nothing else is configured. */
export const DEFAULT_SERVER = APISERVER_FLAGS.listen.default;
