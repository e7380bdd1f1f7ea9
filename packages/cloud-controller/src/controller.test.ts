// The service controller against in-memory Services and Nodes (FakeListerWatcher), a fake
// apiserver for its writes (resourceVersion checks, finalizers holding a deleted Service)
// and a fake cloud: which writes, events and cloud calls each situation makes.
import { afterEach, describe, expect, it } from 'vitest';
import { conflict, deepCopy, notFound, objectKey, type Event, type Node, type Service } from '@kubesim/api';
import { EventRecorder, FakeListerWatcher, type EventSink, SharedIndexInformer, WorkQueue, byNamespace, NAMESPACE_INDEX, newLogger, waitFor } from '@kubesim/client';
import { ServiceController, type Balancers, type ServiceClient } from './controller.js';
import { AddressPool } from './pool.js';
import { LB_FINALIZER, lbSpecEqual, type LbSpec } from './service-lb.js';
import type { AddressAliases } from './alias.js';

class FakeApi implements ServiceClient {
  readonly writes: string[] = [];
  constructor(private readonly lw: FakeListerWatcher<Service>) {}
  private stored = new Map<string, Service>();

  seed(svc: Service): Service {
    const s = this.lw.add(svc);
    this.stored.set(objectKey(s), s);
    return s;
  }

  current(key: string): Service | undefined {
    return this.stored.get(key);
  }

  private check(obj: Service): Service {
    const cur = this.stored.get(objectKey(obj));
    if (!cur) throw notFound('services', obj.metadata?.name ?? '');
    if (cur.metadata?.resourceVersion !== obj.metadata?.resourceVersion) throw conflict('services', obj.metadata?.name ?? '');
    return cur;
  }

  private store(obj: Service): Service {
    const s = this.lw.modify(obj);
    this.stored.set(objectKey(s), s);
    return s;
  }

  /** Deletes as the apiserver does: marked while finalizers remain, gone when none. */
  delete(key: string): void {
    const cur = this.stored.get(key)!;
    if (cur.metadata?.finalizers?.length) this.store({ ...cur, metadata: { ...cur.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } });
    else this.remove(key);
  }

  remove(key: string): void {
    this.lw.remove(this.stored.get(key)!);
    this.stored.delete(key);
  }

  patchSpec(key: string, spec: Service['spec']): void {
    const cur = this.stored.get(key)!;
    this.store({ ...cur, spec: { ...cur.spec, ...spec } });
  }

  async update(svc: Service): Promise<Service> {
    const cur = this.check(svc);
    this.writes.push(`update ${objectKey(svc)} finalizers=${(svc.metadata?.finalizers ?? []).join(',')}`);
    const next: Service = { ...deepCopy(svc), status: cur.status };
    if (cur.metadata?.deletionTimestamp && !next.metadata?.finalizers?.length) {
      this.remove(objectKey(svc));
      return next;
    }
    return this.store(next);
  }

  async updateStatus(svc: Service): Promise<Service> {
    const cur = this.check(svc);
    this.writes.push(`status ${objectKey(svc)} ingress=${(svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).join(',')}`);
    return this.store({ ...cur, status: deepCopy(svc.status) });
  }
}

class FakeCloud implements Balancers {
  readonly lbs = new Map<string, { ip: string; spec: LbSpec }>();
  readonly calls: string[] = [];
  failEnsure: Error | undefined;
  has(key: string): boolean {
    return this.lbs.has(key);
  }
  matches(key: string, ip: string, spec: LbSpec): boolean {
    const lb = this.lbs.get(key);
    return !!lb && lb.ip === ip && lbSpecEqual(lb.spec, spec);
  }
  async ensure(key: string, ip: string, spec: LbSpec): Promise<void> {
    this.calls.push(`ensure ${key} ${ip}`);
    if (this.failEnsure) throw this.failEnsure;
    this.lbs.set(key, { ip, spec });
  }
  async delete(key: string): Promise<boolean> {
    this.calls.push(`delete ${key}`);
    return this.lbs.delete(key);
  }
}

class FakeAliases implements AddressAliases {
  readonly addrs = new Set<string>();
  async add(ip: string): Promise<void> {
    this.addrs.add(ip);
  }
  async remove(ip: string): Promise<void> {
    this.addrs.delete(ip);
  }
  async list(): Promise<string[]> {
    return [...this.addrs];
  }
}

const readyNode: Node = { kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] } };

function lbService(name: string, extra: Partial<Service['spec']> = {}, meta: Service['metadata'] = {}, ip?: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name, uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z', ...meta },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }], externalTrafficPolicy: 'Cluster', ...extra },
    status: ip ? { loadBalancer: { ingress: [{ ip }] } } : {},
  };
}

interface Env {
  api: FakeApi;
  cloud: FakeCloud;
  aliases: FakeAliases;
  pool: AddressPool;
  queue: WorkQueue<string>;
  events: Event[];
  controller: ServiceController;
  services: SharedIndexInformer<Service>;
  /** Reconciles `key` once the cache shows the latest write. */
  sync(key: string): Promise<void>;
  reasons(): string[];
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function setup(seed: Service[] = [], nodes: Node[] = [readyNode], aliases = new FakeAliases()): Promise<Env> {
  const svcLw = new FakeListerWatcher<Service>();
  const nodeLw = new FakeListerWatcher<Node>();
  const api = new FakeApi(svcLw);
  for (const s of seed) api.seed(s);
  for (const n of nodes) nodeLw.add(n);
  const logger = newLogger('cloud-controller-test');
  const services = new SharedIndexInformer<Service>(svcLw, { indexers: { [NAMESPACE_INDEX]: byNamespace }, logger });
  const nodeInf = new SharedIndexInformer<Node>(nodeLw, { logger });
  const events: Event[] = [];
  // Writes take a turn of the event loop, as real ones do (an all-microtask sink can leave an
  // event queued until the next: see the report on EventRecorder.drain).
  const turn = () => new Promise((r) => setImmediate(r));
  const sink: EventSink = {
    create: async (e) => (await turn(), events.push(e), e),
    patch: async (_ns, _n, p) => (await turn(), events.push(p as Event), p as Event),
  };
  const recorder = new EventRecorder(sink, { component: 'service-controller', logger });
  const cloud = new FakeCloud();
  const pool = new AddressPool('10.244.255.0/24');
  const queue = new WorkQueue<string>();
  const controller = new ServiceController({ client: api, services, nodes: nodeInf, queue, recorder, pool, cloud, aliases, logger });
  services.start();
  nodeInf.start();
  await services.waitForSync();
  await nodeInf.waitForSync();
  stops.push(async () => {
    queue.shutDown();
    await services.stop();
    await nodeInf.stop();
  });
  const sync = async (key: string) => {
    const want = api.current(key)?.metadata?.resourceVersion;
    await waitFor(() => services.indexer.get(key)?.metadata?.resourceVersion === want, { timeoutMs: 2000, intervalMs: 1, what: `cache of ${key}` });
    try {
      await controller.reconcile(key);
    } finally {
      await recorder.flush();
    }
  };
  const reasons = () => events.map((e) => e.reason ?? '');
  return { api, cloud, aliases, pool, queue, events, controller, services, sync, reasons };
}

describe('ServiceController', () => {
  it('gives a LoadBalancer Service an address: finalizer, balancer, alias, status, events', async () => {
    const env = await setup([lbService('web')]);
    expect(env.queue.len()).toBe(1);
    await env.sync('default/web');
    expect(env.api.writes).toEqual([`update default/web finalizers=${LB_FINALIZER}`, 'status default/web ingress=10.244.255.2']);
    expect(env.cloud.calls).toEqual(['ensure default/web 10.244.255.2']);
    expect([...env.aliases.addrs]).toEqual(['10.244.255.2']);
    expect(env.reasons()).toEqual(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);
    expect(env.api.current('default/web')?.status?.loadBalancer?.ingress).toEqual([{ ip: '10.244.255.2', ipMode: 'VIP' }]);
    // Level-triggered: a second sync finds everything in place and does nothing.
    await env.sync('default/web');
    expect(env.api.writes).toHaveLength(2);
    expect(env.cloud.calls).toHaveLength(1);
    expect(env.reasons()).toHaveLength(2);
  });

  it('ignores Services that are not LoadBalancers or name another loadBalancerClass', async () => {
    const env = await setup([lbService('plain', { type: 'ClusterIP', ports: [{ port: 80 }] }), lbService('other', { loadBalancerClass: 'example.com/lb' })]);
    expect(env.queue.len()).toBe(0);
    await env.sync('default/plain');
    await env.sync('default/other');
    expect(env.api.writes).toEqual([]);
    expect(env.cloud.calls).toEqual([]);
  });

  it('does not enqueue its own writes', async () => {
    const env = await setup([lbService('web')]);
    const key = await env.queue.get();
    await env.sync(key!);
    env.queue.done(key!);
    await env.sync('default/web'); // waits for the cache to have both writes
    expect(env.queue.len()).toBe(0);
    env.api.patchSpec('default/web', { selector: { app: 'x' } });
    await env.sync('default/web');
    expect(env.queue.len()).toBe(0);
    env.api.patchSpec('default/web', { ports: [{ name: 'http', port: 81, protocol: 'TCP', nodePort: 30080 }] });
    await waitFor(() => env.queue.len() === 1, { timeoutMs: 2000, intervalMs: 1, what: 'a port change enqueued' });
  });

  it('honours a free loadBalancerIP and reports a taken one', async () => {
    const env = await setup([lbService('a', { loadBalancerIP: '10.244.255.50' }), lbService('b', { loadBalancerIP: '10.244.255.50' })]);
    await env.sync('default/a');
    expect(env.pool.addressOf('default/a')).toBe('10.244.255.50');
    await expect(env.sync('default/b')).rejects.toThrow(/already allocated to service default\/a/);
    expect(env.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'SyncLoadBalancerFailed', message: expect.stringMatching(/^Error syncing load balancer: failed to ensure load balancer: requested loadBalancerIP 10.244.255.50 is already allocated/) });
    // b still got the finalizer (it may hold cloud resources later) but no status.
    expect(env.api.current('default/b')?.metadata?.finalizers).toEqual([LB_FINALIZER]);
    expect(env.api.current('default/b')?.status?.loadBalancer?.ingress).toBeUndefined();
    // Moving a to another requested address frees .50 for b.
    env.api.patchSpec('default/a', { loadBalancerIP: '10.244.255.51' });
    await env.sync('default/a');
    expect(env.cloud.calls.slice(-2)).toEqual(['delete default/a', 'ensure default/a 10.244.255.51']);
    expect([...env.aliases.addrs]).toEqual(['10.244.255.51']);
    await env.sync('default/b');
    expect(env.api.current('default/b')?.status?.loadBalancer?.ingress?.[0]?.ip).toBe('10.244.255.50');
  });

  it('records a failure to create the balancer and retries', async () => {
    const env = await setup([lbService('web')]);
    env.cloud.failEnsure = new Error('cannot listen on 10.244.255.2:80: listen EADDRINUSE');
    await expect(env.sync('default/web')).rejects.toThrow(/EADDRINUSE/);
    expect(env.reasons()).toEqual(['EnsuringLoadBalancer', 'SyncLoadBalancerFailed']);
    env.cloud.failEnsure = undefined;
    await env.sync('default/web');
    expect(env.api.current('default/web')?.status?.loadBalancer?.ingress?.[0]?.ip).toBe('10.244.255.2');
  });

  it('warns when no node can take traffic', async () => {
    const env = await setup([lbService('web')], [{ ...readyNode, status: { ...readyNode.status, conditions: [{ type: 'Ready', status: 'False' }] } }]);
    await env.sync('default/web');
    expect(env.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toContain('Warning UnAvailableLoadBalancer: There are no available nodes for LoadBalancer');
  });

  it('tears the balancer down before a deleted Service goes', async () => {
    const env = await setup([lbService('web')]);
    await env.sync('default/web');
    env.api.delete('default/web');
    await env.sync('default/web');
    expect(env.cloud.calls.at(-1)).toBe('delete default/web');
    expect(env.aliases.addrs.size).toBe(0);
    expect(env.pool.used).toBe(0);
    expect(env.api.current('default/web')).toBeUndefined();
    expect(env.reasons().slice(-2)).toEqual(['DeletingLoadBalancer', 'DeletedLoadBalancer']);
    // The Service is gone from the cache too; a last sync finds nothing to do.
    await waitFor(() => env.services.indexer.get('default/web') === undefined, { timeoutMs: 2000, intervalMs: 1, what: 'cache delete' });
    await env.controller.reconcile('default/web');
    expect(env.cloud.calls.at(-1)).toBe('delete default/web');
  });

  it('cleans up a Service that stops being a LoadBalancer, clearing its status', async () => {
    const env = await setup([lbService('web')]);
    await env.sync('default/web');
    env.api.patchSpec('default/web', { type: 'ClusterIP', ports: [{ port: 80 }], externalTrafficPolicy: undefined });
    await env.sync('default/web');
    const svc = env.api.current('default/web')!;
    expect(svc.metadata?.finalizers).toEqual([]);
    expect(svc.status?.loadBalancer?.ingress).toBeUndefined();
    expect(env.cloud.has('default/web')).toBe(false);
    expect(env.pool.used).toBe(0);
    expect(env.reasons().slice(-2)).toEqual(['DeletingLoadBalancer', 'DeletedLoadBalancer']);
  });

  it('tears down a balancer whose Service vanished without the finalizer', async () => {
    const env = await setup([lbService('web')]);
    await env.sync('default/web');
    env.api.remove('default/web');
    await waitFor(() => env.services.indexer.get('default/web') === undefined, { timeoutMs: 2000, intervalMs: 1, what: 'cache delete' });
    await env.controller.reconcile('default/web');
    expect(env.cloud.has('default/web')).toBe(false);
    expect(env.pool.used).toBe(0);
  });

  it('restores addresses from status at start and removes stale aliases', async () => {
    const aliases = new FakeAliases();
    aliases.addrs.add('10.244.255.9'); // left by a crash: no Service holds it
    aliases.addrs.add('10.244.255.7');
    aliases.addrs.add('10.244.3.1'); // a node address: not the pool's, never touched
    const fin = { finalizers: [LB_FINALIZER] };
    const env = await setup(
      [lbService('a', {}, { ...fin, creationTimestamp: '2024-01-01T00:00:01Z' }, '10.244.255.7'), lbService('b', {}, { ...fin, creationTimestamp: '2024-01-01T00:00:02Z' }, '10.244.255.7'), lbService('c')],
      [readyNode],
      aliases,
    );
    await env.controller.restore();
    expect(env.pool.addressOf('default/a')).toBe('10.244.255.7');
    expect(env.pool.addressOf('default/b')).toBeUndefined();
    expect([...aliases.addrs].sort()).toEqual(['10.244.255.7', '10.244.3.1']);
    await env.sync('default/a');
    // Same address, the status already right: only the balancer is re-created.
    expect(env.api.writes).toEqual([]);
    expect(env.cloud.calls).toEqual(['ensure default/a 10.244.255.7']);
    // The loser of the duplicate gets a fresh address, and so does a new Service.
    await env.sync('default/b');
    await env.sync('default/c');
    expect(env.pool.addressOf('default/b')).toBe('10.244.255.2');
    expect(env.pool.addressOf('default/c')).toBe('10.244.255.3');
    expect(env.api.current('default/b')?.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(['10.244.255.2']);
  });
});
