// @kubesim/dns: the cluster DNS (`kubesim dns`), as CoreDNS's kubernetes plugin: informers
// on Services and Endpoints in all namespaces, answering `<svc>.<ns>.svc.<domain>` over UDP
// and TCP from the caches. Pods get it as their resolver from the node agent.
import type { Logger } from 'pino';
import { Client, InformerFactory, NAMESPACE_INDEX, newLogger } from '@kubesim/client';
import { DnsServer } from './server.js';
import type { ClusterRecords } from './resolve.js';

export { resolve, normalizeName, soaRecord, isIPv4, DNS_TTL, type ClusterRecords, type DnsRecord, type Rcode, type Resolution } from './resolve.js';
export { answerQuery } from './wire.js';
export { probeDns } from './probe.js';
export { DnsServer, type DnsServerOptions } from './server.js';

export interface DnsOptions {
  servers: string[];
  /** Address to serve on (default 0.0.0.0). */
  host?: string;
  /** Port (default 53; 0 = any free port). */
  port?: number;
  /** The cluster domain (default cluster.local). */
  clusterDomain?: string;
  logger?: Logger;
}

export interface RunningDns {
  /** The port bound (UDP and TCP). */
  readonly port: number;
  stop(): Promise<void>;
}

export async function startDns(opts: DnsOptions): Promise<RunningDns> {
  const log = opts.logger ?? newLogger('dns');
  const domain = opts.clusterDomain || 'cluster.local';
  const client = new Client({ endpoints: opts.servers, userAgent: 'kubesim-dns' });
  const factory = new InformerFactory(client, { logger: log });
  const services = factory.informerFor('services');
  const endpoints = factory.informerFor('endpoints');
  const records: ClusterRecords = {
    service: (ns, name) => services.indexer.get(`${ns}/${name}`),
    endpoints: (ns, name) => endpoints.indexer.get(`${ns}/${name}`),
    hasNamespace: (ns) => services.indexer.byIndex(NAMESPACE_INDEX, ns).length > 0,
  };
  factory.start();
  const server = new DnsServer({ host: opts.host ?? '0.0.0.0', port: opts.port ?? 53, domain, records, logger: log });
  let port: number;
  try {
    // Answer only from a full cache: before sync every name would be NXDOMAIN.
    await factory.waitForSync();
    port = await server.listen();
  } catch (err) {
    await factory.stop();
    client.close();
    throw err;
  }
  log.info({ host: opts.host ?? '0.0.0.0', port, domain }, 'cluster DNS serving');
  return {
    port,
    async stop() {
      await server.close();
      await factory.stop();
      client.close();
    },
  };
}
