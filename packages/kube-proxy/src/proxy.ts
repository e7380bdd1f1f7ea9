// KubeProxy: the service proxy of one node. Informers on Services and Endpoints (all
// namespaces) feed a rate-bounded sync loop, like kube-proxy's BoundedFrequencyRunner: a
// change syncs at once unless the last sync started less than minSyncMs ago, and a full
// sync runs every resyncMs anyway. A sync regenerates the node's whole rule set from the
// caches and writes it only if it changed. Rules are never removed because the apiserver
// is unreachable (informers keep their caches) nor on stop (as kube-proxy).
import type { Endpoints, Service } from '@kubesim/api';
import { InformerFactory, newLogger, type Client, type Logger, type SharedIndexInformer, type HandlerRegistration } from '@kubesim/client';
import { IptablesApplier } from './applier.js';
import { healthCheckServices, type ServicePortInfo } from './endpoints.js';
import { HealthCheckServers } from './healthcheck.js';
import { generateProxyRules, type ProxyMode } from './rules.js';
import type { CommandRunner } from './runner.js';

export interface KubeProxyOptions {
  /** The API client; may be omitted when `informers` is given. */
  client?: Client;
  nodeName: string;
  mode: ProxyMode;
  /** The node's InternalIP: NodePorts (shared-host) and health-check servers use it. */
  nodeAddress: string;
  podCIDR: string;
  clusterCIDR: string;
  logger?: Logger;
  /** A factory to share with the rest of the node agent; a private one otherwise. */
  informers?: InformerFactory;
  /** Where iptables runs (default: this network namespace). */
  runner?: CommandRunner;
  /** Minimum time between the starts of two syncs (default 100 ms). */
  minSyncMs?: number;
  /** Full re-sync period (default 30 s). */
  resyncMs?: number;
  /** Serve healthCheckNodePorts (default true). */
  healthChecks?: boolean;
  /** Address the health-check servers bind (default nodeAddress). */
  healthCheckAddress?: string;
}

export interface SyncInfo {
  at: Date;
  written: boolean;
  servicePorts: number;
  endpoints: number;
  durationMs: number;
}

const MAX_RETRY_MS = 30_000;

export class KubeProxy {
  private readonly log: Logger;
  private readonly applier: IptablesApplier;
  private readonly health: HealthCheckServers | undefined;
  private readonly factory: InformerFactory;
  private readonly ownFactory: boolean;
  private readonly minSyncMs: number;
  private readonly resyncMs: number;
  private services?: SharedIndexInformer<Service>;
  private endpoints?: SharedIndexInformer<Endpoints>;
  private registrations: HandlerRegistration[] = [];
  private ready = false;
  private stopped = false;
  private syncing: Promise<void> | undefined;
  private pending = false;
  private forceNext = true;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private lastSyncStart = 0;
  private retryMs = 0;
  private lastPorts = new Map<string, string>();
  private firstSync: { promise: Promise<void>; resolve: () => void };
  private last: SyncInfo | undefined;

  constructor(private readonly opts: KubeProxyOptions) {
    this.log = (opts.logger ?? newLogger('kube-proxy')).child({ component: 'kube-proxy', node: opts.nodeName });
    this.applier = new IptablesApplier({ nodeName: opts.nodeName, runner: opts.runner, logger: this.log });
    this.health = opts.healthChecks === false ? undefined : new HealthCheckServers({ address: opts.healthCheckAddress ?? opts.nodeAddress, logger: this.log });
    this.ownFactory = !opts.informers;
    if (!opts.informers && !opts.client) throw new Error('KubeProxy needs a client or an informer factory');
    this.factory = opts.informers ?? new InformerFactory(opts.client!, { logger: this.log });
    this.minSyncMs = opts.minSyncMs ?? 100;
    this.resyncMs = opts.resyncMs ?? 30_000;
    let resolve!: () => void;
    this.firstSync = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    // Validate the network options now rather than at the first sync.
    generateProxyRules({ ...this.input(), services: [], endpoints: [] });
  }

  /** The last completed sync. */
  get lastSync(): SyncInfo | undefined {
    return this.last;
  }

  /** Starts the informers; rules are first written once both caches have synced. */
  async start(): Promise<void> {
    this.services = this.factory.informerFor('services');
    this.endpoints = this.factory.informerFor('endpoints');
    const handler = {
      onAdd: () => this.requestSync(),
      onUpdate: (a: unknown, b: unknown) => {
        if (a !== b) this.requestSync();
      },
      onDelete: () => this.requestSync(),
    };
    this.registrations = [this.services.addEventHandler(handler), this.endpoints.addEventHandler(handler)];
    this.services.start();
    this.endpoints.start();
    this.log.info({ mode: this.opts.mode, nodeAddress: this.opts.nodeAddress, podCIDR: this.opts.podCIDR, clusterCIDR: this.opts.clusterCIDR }, 'kube-proxy starting');
    void Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]).then(([a, b]) => {
      if (!a || !b || this.stopped) return;
      this.ready = true;
      this.requestSync();
      this.resyncTimer = setInterval(() => {
        this.forceNext = true;
        this.requestSync();
      }, this.resyncMs);
      this.resyncTimer.unref();
    });
  }

  /** Resolves after the first successful write of the rules (false if the signal aborts first). */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    return Promise.race([
      this.firstSync.promise.then(() => true),
      new Promise<boolean>((resolve) => signal?.addEventListener('abort', () => resolve(false), { once: true })),
    ]);
  }

  /** Stops syncing and the health-check servers; the iptables rules stay in place. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    for (const r of this.registrations) r.remove();
    this.registrations = [];
    await this.syncing;
    await this.health?.closeAll();
    if (this.ownFactory) await this.factory.stop();
    this.log.info('kube-proxy stopped (rules left in place)');
  }

  /** Asks for a sync (used by event handlers; also by callers that changed something outside the caches). */
  requestSync(): void {
    if (!this.ready || this.stopped) return;
    if (this.syncing) {
      this.pending = true;
      return;
    }
    if (this.timer) return;
    const delay = Math.max(this.retryMs, this.lastSyncStart + this.minSyncMs - Date.now(), 0);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.syncing = this.sync().finally(() => {
        this.syncing = undefined;
        if (this.pending) {
          this.pending = false;
          this.requestSync();
        }
      });
    }, delay);
  }

  private input() {
    const { mode, nodeName, nodeAddress, podCIDR, clusterCIDR } = this.opts;
    return { mode, nodeName, nodeAddress, podCIDR, clusterCIDR };
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const start = Date.now();
    this.lastSyncStart = start;
    const force = this.forceNext;
    this.forceNext = false;
    const services = this.services!.indexer.list();
    const endpoints = this.endpoints!.indexer.list();
    try {
      const rules = generateProxyRules({ ...this.input(), services, endpoints });
      const result = await this.applier.apply(rules, { force });
      await this.health?.sync(healthCheckServices(services, endpoints, this.opts.nodeName));
      this.logChanges(rules.ports);
      this.retryMs = 0;
      this.last = { at: new Date(), written: result.written, servicePorts: rules.stats.servicePorts, endpoints: rules.stats.endpoints, durationMs: Date.now() - start };
      if (result.written) {
        this.log.debug({ ...rules.stats, force, staleChains: result.staleChains.length, durationMs: this.last.durationMs }, 'iptables rules synced');
      }
      this.firstSync.resolve();
    } catch (err) {
      // Keep what is in the kernel; try again with backoff.
      this.retryMs = Math.min(Math.max(this.retryMs * 2, 1000), MAX_RETRY_MS);
      this.forceNext = true;
      this.applier.invalidate();
      this.log.error({ err: (err as Error).message, retryMs: this.retryMs }, 'syncing iptables rules failed');
      this.pending = true;
    }
  }

  /** One info line per service port whose programmed endpoints changed. */
  private logChanges(ports: ServicePortInfo[]): void {
    const now = new Map<string, string>();
    for (const p of ports) now.set(`${p.display}/${p.protocol}`, p.endpoints.map((e) => `${e.ip}:${e.port}`).join(','));
    for (const [key, eps] of now) {
      if (this.lastPorts.get(key) === eps) continue;
      const [service, protocol] = splitKey(key);
      this.log.info({ service, protocol, endpoints: eps ? eps.split(',') : [] }, eps ? 'service endpoints programmed' : 'service has no ready endpoints: rejecting');
    }
    for (const key of this.lastPorts.keys()) {
      if (now.has(key)) continue;
      const [service, protocol] = splitKey(key);
      this.log.info({ service, protocol }, 'service rules removed');
    }
    this.lastPorts = now;
  }
}

function splitKey(key: string): [string, string] {
  const i = key.lastIndexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
