// @kubesim/cloud-controller: the emulated cloud (`kubesim cloud-controller-manager`). Its
// service controller gives each LoadBalancer Service an address from --lb-cidr and shows
// it in status.loadBalancer.ingress; the same process is the "cloud" and serves the load
// balancers themselves: TCP listeners on those addresses spreading connections over the
// nodes' NodePorts (healthy nodes only with externalTrafficPolicy Local).
import { Client, EventRecorder, InformerFactory, WorkQueue, newLogger, type Logger } from '@kubesim/client';
import { IpAddrAliases, NO_ALIASES, type AddressAliases } from './alias.js';
import { Cloud } from './balancer.js';
import { ServiceController } from './controller.js';
import type { Probe } from './health.js';
import { AddressPool } from './pool.js';

export { AddressPool, PoolError, parseCidr, inPool, nextFree, ipToInt, intToIp, type CidrRange } from './pool.js';
export { activeBackends, eligibleBackends, eligibleNode, nodeInternalIP, nodeReady, EXCLUDE_LB_LABEL, TO_BE_DELETED_TAINT, type Backend } from './targets.js';
export { RoundRobin, rotation } from './roundrobin.js';
export { nextHealth, INITIAL_HEALTH, DEFAULT_THRESHOLDS, type HealthState, type HealthThresholds } from './health-state.js';
export { HealthChecker, httpProbe, HEALTH_CHECK_PATH, type Probe } from './health.js';
export { LB_FINALIZER, wantsLoadBalancer, needsCleanup, lbSpecOf, needsSync, type LbPort, type LbSpec } from './service-lb.js';
export { Cloud, type CloudOptions } from './balancer.js';
export { IpAddrAliases, NO_ALIASES, type AddressAliases } from './alias.js';
export { ServiceController, type Balancers, type ServiceClient, type ServiceControllerDeps } from './controller.js';

export interface CloudControllerManagerOptions {
  servers: string[];
  /** The load-balancer address pool (the design's last /24 of the cluster CIDR). */
  lbCidr: string;
  /** Interface to add each address to as a /32 alias; none: the addresses are already local. */
  lbInterface?: string;
  /** Service workers (Kubernetes' --concurrent-service-syncs; default 1). */
  concurrentServiceSyncs?: number;
  /** Health-check interval of Local balancers (default 1000 ms). */
  healthCheckIntervalMs?: number;
  /** How long a node may take to accept before the next is tried (default 2000 ms). */
  connectTimeoutMs?: number;
  logger?: Logger;
  /** Tests: a health check of their own; an alias mechanism of their own. */
  probe?: Probe;
  aliases?: AddressAliases;
}

export interface RunningCloudControllerManager {
  readonly cloud: Cloud;
  readonly pool: AddressPool;
  stop(): Promise<void>;
}

export async function startCloudControllerManager(opts: CloudControllerManagerOptions): Promise<RunningCloudControllerManager> {
  const log = opts.logger ?? newLogger('cloud-controller-manager');
  const pool = new AddressPool(opts.lbCidr);
  const client = new Client({ endpoints: opts.servers, userAgent: 'cloud-controller-manager' });
  const factory = new InformerFactory(client, { logger: log });
  const services = factory.informerFor('services');
  const nodes = factory.informerFor('nodes');
  const cloud = new Cloud({
    nodes: () => nodes.indexer.list(),
    logger: log.child({ controller: 'cloud' }),
    probe: opts.probe,
    healthCheckIntervalMs: opts.healthCheckIntervalMs,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  const queue = new WorkQueue<string>({ name: 'service' });
  const recorder = new EventRecorder(client, { component: 'service-controller', logger: log });
  const aliases = opts.aliases ?? (opts.lbInterface ? new IpAddrAliases(opts.lbInterface) : NO_ALIASES);
  const controller = new ServiceController({ client, services, nodes, queue, recorder, pool, cloud, aliases, logger: log.child({ controller: 'service' }) });

  const stopping = new AbortController();
  factory.start();
  const stopAll = async () => {
    queue.shutDown();
    await cloud.stop();
    await factory.stop();
    await recorder.shutdown();
    client.close();
  };
  if (!(await factory.waitForSync(stopping.signal))) {
    await stopAll();
    throw new Error('caches did not sync');
  }
  await controller.restore();

  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await controller.reconcile(key);
        queue.forget(key);
      } catch (err) {
        log.warn({ key, requeues: queue.numRequeues(key), err: err instanceof Error ? err.message : String(err) }, `error syncing service ${key}; will retry`);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  const workers = Promise.all(Array.from({ length: Math.max(1, opts.concurrentServiceSyncs ?? 1) }, worker));
  log.info({ pool: pool.range.cidr, interface: opts.lbInterface ?? null }, `cloud controller manager running (load-balancer pool ${pool.range.cidr})`);

  return {
    cloud,
    pool,
    async stop() {
      stopping.abort();
      queue.shutDown();
      await workers;
      await stopAll();
    },
  };
}
