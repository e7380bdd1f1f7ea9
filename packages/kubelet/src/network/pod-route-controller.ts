// Keeps this node's routes to the other nodes' pod CIDRs (own-netns mode) in line with the
// Nodes: an informer on Nodes enqueues one key, reconcile reads the cache, asks the kernel
// for kubesim's routes (proto 77) and replaces or deletes only what differs. Level-triggered
// and idempotent; failures retry with backoff.
import type { Node } from '@kubesim/api';
import { SharedIndexInformer, WorkQueue, listerWatcherFor, type Client, type Logger } from '@kubesim/client';
import { hostRunner, type CommandRunner } from '@kubesim/kube-proxy';
import { desiredPodRoutes, nodeRouteInfo, parseIpRoutes, podRouteChanges, POD_ROUTE_PROTO } from './pod-routes.js';

export interface PodRouteControllerOptions {
  client: Client;
  nodeName: string;
  logger: Logger;
  runner?: CommandRunner;
  /** Full re-check period, repairing routes removed behind our back (default 30 s). */
  resyncMs?: number;
}

const KEY = 'routes';

export class PodRouteController {
  private readonly informer: SharedIndexInformer<Node>;
  private readonly queue = new WorkQueue<string>({ name: 'pod-routes' });
  private readonly runner: CommandRunner;
  private readonly log: Logger;
  private worker: Promise<void> | undefined;
  private resync: NodeJS.Timeout | undefined;

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
    const desired = desiredPodRoutes(this.informer.indexer.list().map(nodeRouteInfo), this.opts.nodeName);
    const shown = await this.run(['-j', '-4', 'route', 'show', 'proto', POD_ROUTE_PROTO]);
    const { replace, remove } = podRouteChanges(parseIpRoutes(shown), desired);
    for (const r of replace) {
      await this.run(['-4', 'route', 'replace', r.cidr, 'via', r.via, 'proto', POD_ROUTE_PROTO]);
      this.log.info({ cidr: r.cidr, via: r.via }, `route to pods ${r.cidr} via ${r.via}`);
    }
    for (const r of remove) {
      await this.run(['-4', 'route', 'del', r.cidr, 'proto', POD_ROUTE_PROTO]);
      this.log.info({ cidr: r.cidr, via: r.via }, `removed route to ${r.cidr}`);
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
  }
}
