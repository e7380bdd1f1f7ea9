// Keeps this node's routes to the other nodes' pod CIDRs (own-netns mode) in line with the
// Nodes: an informer on Nodes enqueues one key, reconcile reads the cache, asks the kernel
// for kubesim's routes (proto 77) and replaces or deletes only what differs. Level-triggered
// and idempotent; failures retry with backoff.
// Host mode (`kubesim pod-routes`, docker-compose's pod-routes service): the same controller
// in the host's network namespace, with no node of its own, so that the host reaches every
// pod. There it shares the routing table with other software: only proto-77 routes through
// its interface are its own, a destination someone else routes is left alone, and it removes
// its routes when it stops.
import type { Node } from '@kubesim/api';
import { Client, SharedIndexInformer, WorkQueue, listerWatcherFor, newLogger, type Logger } from '@kubesim/client';
import { hostRunner, type CommandRunner } from '@kubesim/kube-proxy';
import { desiredPodRoutes, hostRoutes, insideCluster, nodeRouteInfo, parseIpRoutes, podRouteChanges, POD_ROUTE_PROTO, type PodRoute } from './pod-routes.js';

export interface PodRouteControllerOptions {
  client: Client;
  /** This node, which needs no route to its own pods; '' in host mode (every node is routed). */
  nodeName: string;
  logger: Logger;
  runner?: CommandRunner;
  /** Full re-check period, repairing routes removed behind our back (default 30 s). */
  resyncMs?: number;
  /** Host mode: routes go through this interface, and only proto-77 routes on it are ours. */
  device?: string;
  /** Only pod CIDRs inside this range are routed. */
  clusterCIDR?: string;
  /** Delete our routes on stop (a host component leaves the host as it found it). */
  removeOnStop?: boolean;
}

const KEY = 'routes';

export class PodRouteController {
  private readonly informer: SharedIndexInformer<Node>;
  private readonly queue = new WorkQueue<string>({ name: 'pod-routes' });
  private readonly runner: CommandRunner;
  private readonly log: Logger;
  private worker: Promise<void> | undefined;
  private resync: NodeJS.Timeout | undefined;
  private lastTaken = '';

  constructor(private readonly opts: PodRouteControllerOptions) {
    this.runner = opts.runner ?? hostRunner;
    this.log = opts.logger.child({ controller: 'pod-routes' });
    this.informer = new SharedIndexInformer<Node>(listerWatcherFor(opts.client, 'nodes'), { name: 'nodes for pod routes', logger: this.log });
    const enqueue = () => this.queue.add(KEY);
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (a, b) => a !== b && enqueue(), onDelete: enqueue });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
    this.worker = this.work();
    this.queue.add(KEY);
    this.resync = setInterval(() => this.queue.add(KEY), this.opts.resyncMs ?? 30_000);
    this.resync.unref();
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcile();
        this.queue.forget(key);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not sync pod routes; retrying');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async reconcile(): Promise<void> {
    let desired = desiredPodRoutes(this.informer.indexer.list().map(nodeRouteInfo), this.opts.nodeName);
    if (this.opts.clusterCIDR) desired = insideCluster(desired, this.opts.clusterCIDR);
    const { ours, foreign } = await this.current();
    // Said once per change: Node heartbeats reconcile every few seconds.
    const taken = desired.filter((r) => foreign.has(r.cidr));
    const takenKey = taken.map((r) => r.cidr).join(',');
    if (takenKey !== this.lastTaken) for (const r of taken) this.log.warn({ cidr: r.cidr, via: r.via }, `not routing ${r.cidr}: another route to it exists`);
    this.lastTaken = takenKey;
    const { replace, remove } = podRouteChanges(ours, desired.filter((r) => !foreign.has(r.cidr)));
    const dev = this.opts.device ? ['dev', this.opts.device] : [];
    for (const r of replace) {
      await this.run(['-4', 'route', 'replace', r.cidr, 'via', r.via, ...dev, 'proto', POD_ROUTE_PROTO]);
      this.log.info({ cidr: r.cidr, via: r.via }, `route to pods ${r.cidr} via ${r.via}`);
    }
    for (const r of remove) {
      await this.run(['-4', 'route', 'del', r.cidr, ...dev, 'proto', POD_ROUTE_PROTO]);
      this.log.info({ cidr: r.cidr, via: r.via }, `removed route to ${r.cidr}`);
    }
  }

  /** Our routes now, and (host mode) the destinations other routes hold. */
  private async current(): Promise<{ ours: PodRoute[]; foreign: Set<string> }> {
    if (!this.opts.device) return { ours: parseIpRoutes(await this.run(['-j', '-4', 'route', 'show', 'proto', POD_ROUTE_PROTO])), foreign: new Set() };
    return hostRoutes(await this.run(['-j', '-4', 'route', 'show']), this.opts.device);
  }

  /** Deletes every route of ours (host mode, on stop). A route already gone is fine. */
  private async removeAll(): Promise<void> {
    const { ours } = await this.current();
    const dev = this.opts.device ? ['dev', this.opts.device] : [];
    for (const r of ours) {
      const res = await this.runner('ip', ['-4', 'route', 'del', r.cidr, ...dev, 'proto', POD_ROUTE_PROTO]);
      if (res.code === 0) this.log.info({ cidr: r.cidr, via: r.via }, `removed route to ${r.cidr}`);
    }
  }

  private async run(args: string[]): Promise<string> {
    const r = await this.runner('ip', args);
    if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  async stop(): Promise<void> {
    if (this.resync) clearInterval(this.resync);
    this.queue.shutDown();
    await this.informer.stop();
    await this.worker;
    if (this.opts.removeOnStop) await this.removeAll().catch((err: Error) => this.log.warn({ err: err.message }, 'could not remove the pod routes'));
  }
}

export interface HostPodRoutesOptions {
  servers: string[];
  /** The interface the node addresses are on (the docker-compose network's bridge). */
  device: string;
  /** Only pod CIDRs inside this range are routed. */
  clusterCIDR?: string;
  logger?: Logger;
  runner?: CommandRunner;
}

/**
 * `kubesim pod-routes`: routes each Node's pod CIDR via its InternalIP through `device`, in
 * this (the host's) network namespace, until stopped; then removes those routes.
 */
export async function startHostPodRoutes(opts: HostPodRoutesOptions): Promise<{ stop(): Promise<void> }> {
  const client = new Client({ endpoints: opts.servers, userAgent: 'pod-routes' });
  const controller = new PodRouteController({
    client,
    nodeName: '',
    logger: opts.logger ?? newLogger('pod-routes'),
    ...(opts.runner ? { runner: opts.runner } : {}),
    device: opts.device,
    ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
    removeOnStop: true,
  });
  try {
    await controller.start();
  } catch (err) {
    client.close();
    throw err;
  }
  return {
    stop: async () => {
      await controller.stop();
      client.close();
    },
  };
}
