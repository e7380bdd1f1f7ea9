// @kubesim/ingress: the ingress controller (`kubesim ingress-controller`), an HTTP reverse
// proxy in this process, as ingress-nginx is one in its pod: informers on Ingresses,
// Services and Endpoints in all namespaces; the routing table is rebuilt from the Ingress
// cache when it changed; each request is routed, its backend resolved to ready endpoints
// from the caches, and forwarded. It reports its addresses in the status of the Ingresses
// it serves.
import type { Logger } from 'pino';
import type { Ingress } from '@kubesim/api';
import { Client, InformerFactory, newLogger } from '@kubesim/client';
import { servesIngress, type ClassOptions } from './class.js';
import { IngressProxy } from './proxy.js';
import { buildRouteTable, findRoute, type RouteTable } from './routes.js';
import { StatusWriter } from './status.js';

export { requestHost, requestPath, hostMatches, wildcardFor, pathElements, prefixMatches, exactMatches } from './match.js';
export { buildRouteTable, findRoute, hostEntry, pathRoute, ingressOrder, type BackendRef, type Conflict, type HostRoutes, type PathRoute, type RouteMatch, type RouteTable } from './routes.js';
export { resolveBackend, servicePortFor, RoundRobin, type Resolution, type Target } from './backend.js';
export { servesIngress, desiredLoadBalancer, statusUpToDate, type ClassOptions } from './class.js';
export { IngressProxy, type ProxyDeps } from './proxy.js';
export { StatusWriter, type StatusWriterOptions } from './status.js';

/** The class name this controller implements unless told otherwise. */
export const DEFAULT_INGRESS_CLASS = 'kubesim';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface IngressControllerOptions {
  servers: string[];
  /** Where to serve HTTP (port 0 = any free port). */
  listen: ListenAddress[];
  /** The IngressClass name served (default "kubesim"). */
  ingressClass?: string;
  /** Also serve Ingresses that name no class (default true). */
  watchWithoutClass?: boolean;
  /**
   * The addresses written to status.loadBalancer.ingress. Default: the listen hosts that
   * are specific IPv4 addresses; 127.0.0.1 when every listen host is a wildcard.
   */
  publishAddresses?: string[];
  /** Write Ingress status (default true). */
  updateStatus?: boolean;
  logger?: Logger;
}

export interface RunningIngressController {
  /** The addresses bound, in the order of `listen`. */
  readonly addresses: ListenAddress[];
  stop(): Promise<void>;
}

/** Parses "ADDR:PORT[,ADDR:PORT...]" ("[::1]:80" for IPv6). */
export function parseListen(text: string): ListenAddress[] {
  const out: ListenAddress[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.lastIndexOf(':');
    const port = Number(part.slice(i + 1));
    if (i <= 0 || !/^\d+$/.test(part.slice(i + 1)) || port > 65535) throw new Error(`invalid listen address "${part}": must be host:port`);
    out.push({ host: part.slice(0, i).replace(/^\[|\]$/g, ''), port });
  }
  if (!out.length) throw new Error('no listen address given');
  return out;
}

/** The addresses to publish when none are configured. */
export function defaultPublishAddresses(listen: readonly ListenAddress[]): string[] {
  const specific = listen.map((l) => l.host).filter((h) => h !== '0.0.0.0' && h !== '::' && h !== '' && !h.includes(':'));
  return specific.length ? [...new Set(specific)] : ['127.0.0.1'];
}

export async function startIngressController(opts: IngressControllerOptions): Promise<RunningIngressController> {
  const log = opts.logger ?? newLogger('ingress-controller');
  const cls: ClassOptions = { ingressClass: opts.ingressClass || DEFAULT_INGRESS_CLASS, watchWithoutClass: opts.watchWithoutClass ?? true };
  const client = new Client({ endpoints: opts.servers, userAgent: 'kubesim-ingress-controller' });
  const factory = new InformerFactory(client, { logger: log });
  const ingresses = factory.informerFor('ingresses');
  const services = factory.informerFor('services');
  const endpoints = factory.informerFor('endpoints');

  // The table is rebuilt lazily, on the first request after an Ingress changed.
  let table: RouteTable | undefined;
  const invalidate = () => {
    table = undefined;
  };
  ingresses.addEventHandler({ onAdd: invalidate, onUpdate: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion && invalidate(), onDelete: invalidate });
  const currentTable = (): RouteTable => {
    if (table) return table;
    const served = ingresses.indexer.list().filter((i: Ingress) => servesIngress(i, cls));
    table = buildRouteTable(served);
    for (const c of table.conflicts) log.warn({ ...c }, `ingress: ${c.dropped} routes host "${c.host}" path ${c.path} (${c.pathType}) that ${c.kept} routes already; the older route is used`);
    log.info({ ingresses: served.length, hosts: table.hosts.size }, 'ingress: routing table rebuilt');
    return table;
  };

  const proxy = new IngressProxy({
    route: (host, path) => findRoute(currentTable(), host, path),
    service: (ns, name) => services.indexer.get(`${ns}/${name}`),
    endpoints: (ns, name) => endpoints.indexer.get(`${ns}/${name}`),
    logger: log,
  });
  const publish = opts.publishAddresses?.length ? opts.publishAddresses : defaultPublishAddresses(opts.listen);
  const status = opts.updateStatus === false ? undefined : new StatusWriter({ ...cls, client, informer: ingresses, addresses: publish, logger: log });

  factory.start();
  const addresses: ListenAddress[] = [];
  try {
    // Route only from full caches: before sync every request would be a 404 or a 503.
    await factory.waitForSync();
    for (const l of opts.listen) {
      const a = await proxy.listen(l.host, l.port);
      addresses.push({ host: a.address, port: a.port });
    }
  } catch (err) {
    await proxy.close();
    await factory.stop();
    client.close();
    throw err;
  }
  status?.start();
  log.info({ listen: addresses.map((a) => `${a.host}:${a.port}`), ingressClass: cls.ingressClass, watchWithoutClass: cls.watchWithoutClass, publish }, 'ingress controller serving');
  return {
    addresses,
    async stop() {
      await status?.stop();
      await proxy.close();
      await factory.stop();
      client.close();
    },
  };
}
