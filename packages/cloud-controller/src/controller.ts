// The service controller of the emulated cloud (Kubernetes' cloud-provider service
// controller): informers on Services and Nodes; Service events enqueue keys; reconcile(key)
// makes the cloud match the cached Service: an address from the pool, a /32 alias when an
// interface is configured, the balancer (balancer.ts), the cleanup finalizer and
// status.loadBalancer.ingress; and the reverse when the Service is deleted or stops being
// a LoadBalancer. Nodes need no sync: the balancers read the node cache per connection.
import { deepCopy, isConflict, isNotFound, objectKey, type Node, type Service } from '@kubesim/api';
import type { EventRecorder, Logger, SharedIndexInformer, WorkQueue } from '@kubesim/client';
import { deletedObject } from '@kubesim/client';
import type { AddressAliases } from './alias.js';
import type { Cloud } from './balancer.js';
import type { AddressPool } from './pool.js';
import { hasFinalizer, ingressFor, ingressIPs, lbSpecOf, needsCleanup, needsSync, sameIngress, wantsLoadBalancer, withFinalizer, withoutFinalizer } from './service-lb.js';
import { eligibleBackends } from './targets.js';

/** The writes the controller makes (a Client, or a fake in unit tests). */
export interface ServiceClient {
  update(svc: Service): Promise<Service>;
  updateStatus(svc: Service): Promise<Service>;
}
/** What the controller asks of the cloud's balancers (a fake in unit tests). */
export type Balancers = Pick<Cloud, 'has' | 'matches' | 'ensure' | 'delete'>;

export interface ServiceControllerDeps {
  client: ServiceClient;
  services: SharedIndexInformer<Service>;
  nodes: SharedIndexInformer<Node>;
  queue: WorkQueue<string>;
  recorder: EventRecorder;
  pool: AddressPool;
  cloud: Balancers;
  aliases: AddressAliases;
  logger: Logger;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ServiceController {
  private readonly log: Logger;

  constructor(private readonly d: ServiceControllerDeps) {
    this.log = d.logger;
    d.services.addEventHandler({
      onAdd: (svc) => {
        if (wantsLoadBalancer(svc) || hasFinalizer(svc)) d.queue.add(objectKey(svc));
      },
      onUpdate: (old, svc) => {
        if (needsSync(old, svc, d.pool.addressOf(objectKey(svc)))) d.queue.add(objectKey(svc));
      },
      onDelete: (obj) => {
        const key = objectKey(deletedObject(obj));
        if (d.cloud.has(key) || d.pool.addressOf(key)) d.queue.add(key);
      },
    });
  }

  /**
   * Rebuilds the pool from the addresses Services show (call once the cache has synced,
   * before the workers start), so every Service keeps its address across restarts; then
   * removes /32 aliases in the pool that no Service holds (left by a crash).
   */
  async restore(): Promise<void> {
    const services = this.d.services.indexer
      .list()
      .filter((s) => wantsLoadBalancer(s) || hasFinalizer(s))
      .sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
    for (const svc of services) {
      for (const ip of ingressIPs(svc).slice(0, 1)) {
        if (!this.d.pool.restore(objectKey(svc), ip)) this.log.warn({ service: objectKey(svc), ip }, `address ${ip} in the status of ${objectKey(svc)} is not in the pool or is held by another Service; a new one will be given`);
      }
    }
    this.log.info({ allocated: this.d.pool.used, pool: this.d.pool.range.cidr }, `restored ${this.d.pool.used} load-balancer addresses from Service status`);
    try {
      for (const ip of await this.d.aliases.list()) {
        if (this.d.pool.contains(ip) && !this.d.pool.ownerOf(ip)) {
          await this.d.aliases.remove(ip);
          this.log.info({ ip }, `removed stale load-balancer address ${ip}`);
        }
      }
    } catch (err) {
      this.log.warn({ err: message(err) }, 'could not list load-balancer addresses on the interface');
    }
  }

  async reconcile(key: string): Promise<void> {
    const svc = this.d.services.indexer.get(key);
    if (!svc) {
      // Gone without our finalizer (it never had a balancer, or someone removed it).
      if (await this.teardown(key)) this.log.info({ service: key }, `deleted load balancer of deleted Service ${key}`);
      return;
    }
    if (!wantsLoadBalancer(svc) || needsCleanup(svc)) return this.cleanup(key, svc);
    return this.ensure(key, svc);
  }

  /** Releases everything the cloud holds for `key`; true when there was something. */
  private async teardown(key: string): Promise<boolean> {
    const had = await this.d.cloud.delete(key);
    const ip = this.d.pool.addressOf(key);
    if (ip) await this.d.aliases.remove(ip);
    this.d.pool.release(key);
    return had || !!ip;
  }

  private async cleanup(key: string, svc: Service): Promise<void> {
    const held = this.d.cloud.has(key) || !!this.d.pool.addressOf(key);
    if (!held && !hasFinalizer(svc)) return;
    if (held) this.d.recorder.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    let current = svc;
    try {
      const ip = this.d.pool.addressOf(key);
      await this.teardown(key);
      if (held) this.log.info({ service: key, ip }, `deleted load balancer of ${key}${ip ? ` on ${ip}` : ''}`);
      // Last: once the finalizer is gone a deleted Service disappears.
      if (hasFinalizer(svc)) current = await this.d.client.update(withoutFinalizer(deepCopy(svc)));
    } catch (err) {
      if (isNotFound(err)) return;
      this.failed(svc, `failed to remove load balancer cleanup finalizer: ${message(err)}`, err);
      throw err;
    }
    this.d.recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    if (current.metadata?.deletionTimestamp || sameIngress(current, undefined)) return;
    try {
      await this.d.client.updateStatus({ ...deepCopy(current), status: { ...current.status, loadBalancer: {} } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async ensure(key: string, svc: Service): Promise<void> {
    const { spec, skipped } = lbSpecOf(svc);
    const requested = svc.spec?.loadBalancerIP || undefined;
    const held = this.d.pool.addressOf(key);
    const inPlace = held !== undefined && (!requested || requested === held) && hasFinalizer(svc) && sameIngress(svc, held) && this.d.cloud.matches(key, held, spec);
    if (inPlace) return;

    this.d.recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    let current = svc;
    try {
      // The finalizer first: from now on the Service cannot go before its balancer does.
      if (!hasFinalizer(svc)) current = await this.d.client.update(withFinalizer(deepCopy(svc)));
    } catch (err) {
      if (isNotFound(err)) return;
      this.failed(svc, `failed to add load balancer cleanup finalizer: ${message(err)}`, err);
      throw err;
    }
    let ip: string;
    try {
      ip = this.d.pool.allocate(key, requested);
      if (held && held !== ip) {
        // Moved to the requested address: the old one goes.
        await this.d.cloud.delete(key);
        await this.d.aliases.remove(held);
      }
      await this.d.aliases.add(ip);
      await this.d.cloud.ensure(key, ip, spec);
    } catch (err) {
      this.failed(svc, `failed to ensure load balancer: ${message(err)}`, err);
      throw err;
    }
    if (skipped.length) this.d.recorder.event(svc, 'Warning', 'UnsupportedLoadBalancerPorts', `Ports not load-balanced: ${skipped.join('; ')}`);
    if (eligibleBackends(this.d.nodes.indexer.list()).length === 0) {
      this.d.recorder.event(svc, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    }
    this.d.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    this.log.info({ service: key, ip, ports: spec.ports.map((p) => `${p.port}->${p.nodePort}`), local: spec.local }, `ensured load balancer of ${key} on ${ip}`);
    if (sameIngress(current, ip)) return;
    try {
      await this.d.client.updateStatus({ ...deepCopy(current), status: { ...current.status, loadBalancer: { ingress: ingressFor(ip) } } });
    } catch (err) {
      if (isNotFound(err)) return;
      this.failed(svc, `failed to update load balancer status: ${message(err)}`, err);
      throw err;
    }
  }

  /** SyncLoadBalancerFailed as Kubernetes records it; a conflict (stale cache) is only retried. */
  private failed(svc: Service, what: string, err: unknown): void {
    if (isConflict(err)) return;
    this.d.recorder.event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: ${what}`);
  }
}
