// startApiServer: etcd client, watch cache, system namespaces, the gRPC server and the
// background loops (compaction, namespace cleanup, bookmarks), and a clean stop.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { StatusError } from '@kubesim/api';
import { pino, type Logger } from 'pino';
import { DEFAULT_SERVICE_CLUSTER_IP_RANGE, DEFAULT_SERVICE_NODE_PORT_RANGE, ServiceAllocator } from './allocator/allocator.js';
import { parseIPRange, parsePortRange } from './allocator/range.js';
import { ensureSystemNamespaces } from './bootstrap.js';
import { startCompactor } from './compactor.js';
import { serviceDefinition, serviceHandlers } from './grpc-service.js';
import { LogsProxy } from './logs-proxy.js';
import { NamespaceFinalizer } from './namespace-finalizer.js';
import { Registry } from './registry/registry.js';
import { LeaseManager } from './storage/leases.js';
import { EtcdKv } from './storage/etcd-kv.js';
import { Store } from './storage/store.js';
import { versionInfo } from './version.js';
import { WatchCache } from './watch/cache.js';

export interface ApiServerOptions {
  /** etcd client URLs, e.g. ["http://127.0.0.1:2379"]. */
  etcdServers: string[];
  /** host:port to serve gRPC on; port 0 picks a free one. */
  listen: string;
  logger?: Logger;
  /** Compact etcd this often (default 300; 0 = never), as --etcd-compaction-interval. */
  compactionIntervalSeconds?: number;
  /** Events expire this long after their last write (default 3600), as --event-ttl. */
  eventTtlSeconds?: number;
  /** Largest object accepted, as stored JSON (default 1.5 MiB, etcd's request limit). */
  maxObjectBytes?: number;
  /** How often idle watches that asked for them get a BOOKMARK (default 5). */
  bookmarkIntervalSeconds?: number;
  /** Recent changes kept in memory per resource for resuming watches (default 1000). */
  watchCacheSize?: number;
  /** How long to wait for etcd at start before giving up (default 60). */
  etcdStartTimeoutSeconds?: number;
  /** Where Services' cluster IPs come from (default 10.96.0.0/16), as --service-cluster-ip-range. */
  serviceClusterIPRange?: string;
  /** Where NodePorts come from (default 30000-32767), as --service-node-port-range. */
  serviceNodePortRange?: string;
  /** tolerationSeconds of the not-ready toleration added to every pod (default 300), as --default-not-ready-toleration-seconds. */
  defaultNotReadyTolerationSeconds?: number;
  /** the same for unreachable, as --default-unreachable-toleration-seconds. */
  defaultUnreachableTolerationSeconds?: number;
}

export interface RunningApiServer {
  /** host:port actually bound. */
  address: string;
  stop(): Promise<void>;
}

/** 16 MiB: far above maxObjectBytes, so a too-big object gets our message, not a transport error. */
const MAX_MESSAGE = 16 * 1024 * 1024;
/** Live events a watch client may lag behind before it is cut off. */
const MAX_WATCH_QUEUE = 10_000;

function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  if (i < 0) throw new Error(`--listen must be host:port, got "${listen}"`);
  const port = Number(listen.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port in "${listen}"`);
  return { host: listen.slice(0, i), port };
}

async function waitForEtcd(store: Store, timeoutMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  for (;;) {
    try {
      await store.revision();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`etcd is not reachable: ${(err as Error).message}`);
      if (!warned) log.warn({ err: (err as Error).message }, 'waiting for etcd');
      warned = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * The apiserver logs every write at info. One write(2) per line costs more than the
 * request under load, so lines are batched (4 KiB) and flushed at least every 200 ms.
 */
function defaultLogger(): Logger {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => dest.flush(), 200).unref();
  return pino({ level: process.env.KUBESIM_LOG_LEVEL ?? 'info' }, dest);
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  if (!opts.etcdServers.length) throw new Error('no etcd server given');
  const log = (opts.logger ?? defaultLogger()).child({ component: 'apiserver' });
  const { host, port } = splitHostPort(opts.listen);
  // Bad ranges fail the start, before anything connects.
  const rangeOpts = { serviceClusterIPRange: opts.serviceClusterIPRange, serviceNodePortRange: opts.serviceNodePortRange };
  parseIPRange(opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE);
  parsePortRange(opts.serviceNodePortRange ?? DEFAULT_SERVICE_NODE_PORT_RANGE);

  // Reads and writes go through the lean KV client (storage/etcd-kv.ts); watches and
  // leases through etcd3. No channelz bookkeeping or gRPC-level retry buffering on
  // etcd3's channel: nothing reads the one, etcd3 retries by itself.
  const etcd = new Etcd3({ hosts: opts.etcdServers, dialTimeout: 5000, grpcOptions: { 'grpc.enable_channelz': 0, 'grpc.enable_retries': 0 } });
  const kv = new EtcdKv({ endpoints: opts.etcdServers });
  const store = new Store(kv);
  const stops: (() => void | Promise<void>)[] = [async () => etcd.close(), () => kv.close()];
  const stopAll = async () => {
    for (const fn of stops.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'error while stopping');
      }
    }
  };

  try {
    await waitForEtcd(store, (opts.etcdStartTimeoutSeconds ?? 60) * 1000, log);
    let etcdVersion = '';
    try {
      etcdVersion = (await etcd.maintenance.status()).version;
    } catch {
      // only informational
    }

    const cache = new WatchCache(etcd, store, { capacity: opts.watchCacheSize ?? 1000, logger: log });
    await cache.start();
    stops.push(() => cache.stop());

    await ensureSystemNamespaces(store, log);

    const registry = new Registry(store, cache, new LeaseManager(etcd, opts.eventTtlSeconds ?? 3600), {
      maxObjectBytes: opts.maxObjectBytes ?? 1.5 * 1024 * 1024,
      logger: log,
      services: new ServiceAllocator(store, rangeOpts),
      defaultTolerations: { notReadySeconds: opts.defaultNotReadyTolerationSeconds, unreachableSeconds: opts.defaultUnreachableTolerationSeconds },
    });

    const finalizer = new NamespaceFinalizer(registry, store, cache, log);
    finalizer.start();
    stops.push(() => finalizer.stop());

    stops.push(startCompactor(store, opts.compactionIntervalSeconds ?? 300, log));

    const bookmarkMs = (opts.bookmarkIntervalSeconds ?? 5) * 1000;
    const bookmarkTimer = setInterval(() => cache.sendBookmarks(), bookmarkMs);
    bookmarkTimer.unref();
    stops.push(() => clearInterval(bookmarkTimer));

    const logs = new LogsProxy(registry);
    stops.push(() => logs.close());

    const serverId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Clients ping every 10 s; allow it.
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
      'grpc.http2.min_time_between_pings_ms': 5_000,
      // Channelz call/message counters cost on every call, and nothing here serves channelz.
      'grpc.enable_channelz': 0,
    });
    const service = serviceHandlers(registry, { registry, store, cache, maxQueue: MAX_WATCH_QUEUE }, () => versionInfo(etcdVersion, serverId), log, logs, MAX_MESSAGE);
    server.addService(serviceDefinition(), service.handlers);
    const boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    stops.push(
      async () => {
        // Request streams answer what they took, then end, so tryShutdown can finish.
        await service.requestStreams.drain(1000);
        await new Promise<void>((resolve) => {
          // Give in-flight calls a moment, then cut the rest (watches never end by themselves).
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 1000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
      },
    );
    // Watches are closed before the server waits for calls to end.
    stops.push(() => cache.stop(new StatusError('ServiceUnavailable', 'the apiserver is shutting down')));

    const address = `${host}:${boundPort}`;
    log.info({ address, etcd: opts.etcdServers, etcdVersion, serverId }, 'apiserver serving');
    let stopping: Promise<void> | undefined;
    return {
      address,
      stop: () => (stopping ??= stopAll().then(() => log.info({ address }, 'apiserver stopped'))),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
