// Writes status.loadBalancer.ingress of the Ingresses this controller serves: informer
// events enqueue Ingress keys; reconcile compares the cached status with the published
// addresses and writes only a difference (UpdateStatus; a conflict retries with backoff).
import { deepCopy, isNotFound, objectKey, type Ingress } from '@kubesim/api';
import { WorkQueue, deletedObject, type Client, type Logger, type SharedIndexInformer } from '@kubesim/client';
import { desiredLoadBalancer, servesIngress, statusUpToDate, type ClassOptions } from './class.js';

export interface StatusWriterOptions extends ClassOptions {
  client: Client;
  informer: SharedIndexInformer<Ingress>;
  /** The addresses the Ingresses are reachable at. */
  addresses: string[];
  logger: Logger;
}

export class StatusWriter {
  private readonly queue = new WorkQueue<string>({ name: 'ingress-status' });
  private worker?: Promise<void>;

  constructor(private readonly opts: StatusWriterOptions) {
    const enqueue = (ing: Ingress) => this.queue.add(objectKey(ing));
    opts.informer.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, ing) => enqueue(ing),
      onDelete: (obj) => this.queue.forget(objectKey(deletedObject(obj))),
    });
  }

  start(): void {
    this.worker ??= this.run();
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.worker;
  }

  private async run(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcile(key);
        this.queue.forget(key);
      } catch (err) {
        this.opts.logger.warn({ ingress: key, err: (err as Error).message }, 'ingress: status update failed, retrying');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async reconcile(key: string): Promise<void> {
    const ing = this.opts.informer.indexer.get(key);
    if (!ing || ing.metadata?.deletionTimestamp || !servesIngress(ing, this.opts)) return;
    const want = desiredLoadBalancer(this.opts.addresses);
    if (statusUpToDate(ing, want)) return;
    const next = deepCopy(ing);
    next.status = { ...next.status, loadBalancer: { ingress: want } };
    try {
      await this.opts.client.updateStatus(next);
    } catch (err) {
      // Gone: nothing to report. Anything else (a conflict: the cache was stale) is retried
      // with backoff, and the retry reads the newer object.
      if (isNotFound(err)) return;
      throw err;
    }
    this.opts.logger.info({ ingress: key, addresses: want.map((w) => w.ip) }, `ingress: status of ${key} set`);
  }
}
