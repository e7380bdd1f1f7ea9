// The node agent: registers its Node, heartbeats its Lease, watches the pods bound to it
// and runs one serialized, level-triggered sync per pod through the runtime. It keeps no
// global state, so many hollow agents can share one process.
import { type Pod, type Service } from '@kubesim/api';
import {
  Client,
  EventRecorder,
  ItemExponentialRateLimiter,
  SharedIndexInformer,
  WorkQueue,
  deletedObject,
  listerWatcherFor,
  newLogger,
  realClock,
  type Clock,
  type Logger,
  type TimerHandle,
} from '@kubesim/client';
import { NodeLeaseRenewer } from './node/lease.js';
import { NodeRegistration } from './node/registration.js';
import { bindAddressFor, dockerBridgeIP, hostFacts, nodeIds } from './node/facts.js';
import type { NodeFacts } from './node/status.js';
import { PodSyncer } from './pods/sync.js';
import { NodeServer } from './server/node-server.js';
import type { BackoffPolicy } from './pods/backoff.js';
import { ProbeManager } from './prober/manager.js';
import { DockerRuntime } from './runtime/docker.js';
import { FakeRuntime } from './runtime/fake.js';
import type { Runtime } from './runtime/runtime.js';
import type { NodeAgentOptions } from './options.js';
import { setupSharedHostNetwork, type SharedHostNetwork } from './network/shared-host.js';
import { KubeProxy } from '@kubesim/kube-proxy';

/** The options, plus what tests and in-process hollow nodes set. */
export interface NodeAgentConfig extends NodeAgentOptions {
  /** Parallel pod syncs (default 8 for docker, 4 for fake). */
  podWorkers?: number;
  /** How often every pod is synced even without news (default 10 s docker, 60 s fake). */
  resyncSeconds?: number;
  /** CrashLoopBackOff schedule (default 10 s doubling to 5 min). */
  crashBackoff?: BackoffPolicy;
  /** A shared client (hollow nodes in one process); the agent then does not close it. */
  client?: Client;
  /** A runtime to use instead of the one `runtime` names (tests). */
  runtimeImpl?: Runtime;
  clock?: Clock;
  /**
   * The Services for service link env vars: a shared, started informer of all namespaces
   * (hollow nodes in one process share one), null for none (containers get no links).
   * Default: the agent's own informer on its client.
   */
  serviceInformer?: SharedIndexInformer<Service> | null;
}

export class NodeAgent {
  readonly nodeName: string;
  readonly runtime: Runtime;
  private readonly client: Client;
  private readonly ownClient: boolean;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private readonly informer: SharedIndexInformer<Pod>;
  /** All namespaces' Services, read at container start for the service link env vars. */
  private readonly services?: SharedIndexInformer<Service>;
  private readonly ownServices: boolean;
  private readonly queue: WorkQueue<string>;
  private readonly syncer: PodSyncer;
  private readonly prober?: ProbeManager;
  private readonly registration: NodeRegistration;
  private readonly lease: NodeLeaseRenewer;
  private readonly server: NodeServer;
  private readonly pods = new Map<string, Pod>();
  /** Pods deleted from the API, by uid, until their containers are cleaned up. */
  private readonly gone = new Map<string, Pod | undefined>();
  private readonly facts: NodeFacts;
  /** The pending timer of each periodic task. */
  private readonly timers = new Map<string, TimerHandle>();
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private stopped = false;
  private ready = false;
  /** The pod network, once set up (shared-host mode). */
  network: SharedHostNetwork | undefined;
  /** The node's service proxy (shared-host mode), once the pod network is up. */
  private proxy: KubeProxy | undefined;

  constructor(private readonly cfg: NodeAgentConfig) {
    this.nodeName = cfg.nodeName;
    this.clock = cfg.clock ?? realClock;
    this.log = (cfg.logger ?? newLogger('kubelet')).child({ node: cfg.nodeName });
    this.ownClient = !cfg.client;
    this.client = cfg.client ?? new Client({ endpoints: cfg.servers, userAgent: `kubelet/${cfg.nodeName}` });
    this.runtime =
      cfg.runtimeImpl ??
      (cfg.runtime === 'docker'
        ? new DockerRuntime({ nodeName: cfg.nodeName, socketPath: cfg.dockerSocket, network: cfg.dockerNetwork, clusterDNS: cfg.clusterDNS, clusterDomain: cfg.clusterDomain, logger: this.log })
        : new FakeRuntime({ nodeName: cfg.nodeName, startDelayMs: cfg.fakeStartDelayMs, clock: this.clock }));
    const hostIP = cfg.nodeIP ?? (this.runtime.kind === 'docker' ? dockerBridgeIP() : '127.0.0.1');
    this.facts = {
      nodeName: cfg.nodeName,
      capacity: { cpu: cfg.cpu ?? '2', memory: cfg.memory ?? '4Gi', pods: cfg.pods ?? '110' },
      labels: cfg.labels,
      hostIP,
      ...hostFacts(),
      ...nodeIds(cfg.nodeName),
      kubeletPort: cfg.kubeletPort ?? 0,
      containerRuntimeVersion: '',
      runtimeError: 'not checked yet',
      ...(cfg.networkMode === 'shared-host' ? { networkError: 'no pod CIDR assigned to the node yet' } : {}),
    };
    this.recorder = new EventRecorder(this.client, { component: 'kubelet', host: cfg.nodeName, logger: this.log, clock: this.clock });
    this.informer = new SharedIndexInformer<Pod>(listerWatcherFor(this.client, 'pods', { fieldSelector: `spec.nodeName=${cfg.nodeName}` }), {
      name: `pods on ${cfg.nodeName}`,
      logger: this.log,
      clock: this.clock,
    });
    this.ownServices = cfg.serviceInformer === undefined;
    this.services =
      cfg.serviceInformer === undefined
        ? new SharedIndexInformer<Service>(listerWatcherFor(this.client, 'services'), { name: `services for ${cfg.nodeName}`, logger: this.log, clock: this.clock })
        : (cfg.serviceInformer ?? undefined);
    this.queue = new WorkQueue<string>({ name: `pods/${cfg.nodeName}`, clock: this.clock, rateLimiter: new ItemExponentialRateLimiter<string>(500, 30_000) });
    if (this.runtime.kind === 'docker') {
      this.prober = new ProbeManager({
        exec: (id, cmd, timeoutMs) => this.runtime.exec(id, cmd, timeoutMs),
        onChange: (uid) => this.queue.add(uid),
        onFailure: (pod, _container, _kind, message) => this.recorder.event(pod, 'Warning', 'Unhealthy', message),
        clock: this.clock,
        logger: this.log,
      });
    }
    this.syncer = new PodSyncer({
      nodeName: cfg.nodeName,
      runtime: this.runtime,
      client: this.client,
      recorder: this.recorder,
      prober: this.prober,
      hostIP: () => this.facts.hostIP,
      allocatable: { cpu: this.facts.capacity.cpu, memory: this.facts.capacity.memory },
      clock: this.clock,
      log: this.log,
      crashBackoff: cfg.crashBackoff,
      services: this.services ? () => (this.services?.hasSynced() ? this.services.indexer.list() : undefined) : undefined,
    });
    this.server = new NodeServer({ runtime: this.runtime, pods: () => this.pods.values(), log: this.log });
    this.registration = new NodeRegistration(this.client, this.clock, this.log, this.recorder);
    this.lease = new NodeLeaseRenewer(this.client, cfg.nodeName, cfg.nodeLeaseDurationSeconds ?? 40, this.clock, this.log, () => this.registration.node);
  }

  /** Starts every loop; resolves once the pod cache synced and leftovers were adopted or removed. */
  async start(): Promise<void> {
    await this.checkRuntime();
    // Serve logs before registering, so that the Node publishes a port that answers.
    // In shared-host mode the node address is known only once a pod CIDR is assigned.
    const bind = this.cfg.kubeletAddress ?? (this.cfg.networkMode === 'shared-host' ? '0.0.0.0' : bindAddressFor(this.facts.hostIP));
    this.facts.kubeletPort = await this.server.start(bind, this.cfg.kubeletPort ?? 0);
    await this.registerUntilDone();
    if (this.cfg.networkMode === 'shared-host') await this.setupNetwork();
    this.every('status', (this.cfg.nodeStatusUpdateSeconds ?? 10) * 1000, () => this.postStatus());
    this.every('lease', ((this.cfg.nodeLeaseDurationSeconds ?? 40) * 1000) / 4, () => this.renewLease(), true);

    this.informer.addEventHandler({
      onAdd: (pod) => this.upsert(pod),
      onUpdate: (old, pod) => {
        if (old.metadata?.uid && old.metadata.uid !== pod.metadata?.uid) this.markGone(old);
        // Our own status writes come back as updates: only spec and deletion matter.
        if (old !== pod && old.metadata?.uid === pod.metadata?.uid && old.metadata?.deletionTimestamp === pod.metadata?.deletionTimestamp && JSON.stringify(old.spec) === JSON.stringify(pod.spec)) {
          this.pods.set(pod.metadata?.uid ?? '', pod);
          return;
        }
        this.upsert(pod);
      },
      onDelete: (obj) => this.markGone(deletedObject(obj)),
    });
    this.informer.start();
    if (this.ownServices) this.services?.start();
    // Containers started before the Services are read would lack their links.
    await Promise.all([this.informer.waitForSync(this.abort.signal), this.services?.waitForSync(this.abort.signal)]);
    if (this.stopped) return;
    await this.adopt();
    this.runtime.onPodEvent((uid) => {
      if (this.pods.has(uid) || this.gone.has(uid)) this.queue.add(uid);
    });
    const n = this.cfg.podWorkers ?? (this.runtime.kind === 'docker' ? 8 : 4);
    this.workers = Array.from({ length: n }, () => this.work());
    const resync = (this.cfg.resyncSeconds ?? (this.runtime.kind === 'docker' ? 10 : 60)) * 1000;
    this.every('housekeeping', resync, () => this.housekeeping());
    this.ready = true;
    this.log.info({ pods: this.pods.size, runtime: this.runtime.kind }, 'node agent started');
  }

  get isReady(): boolean {
    return this.ready;
  }

  private upsert(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.pods.set(uid, pod);
    this.queue.add(uid);
  }

  private markGone(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.pods.delete(uid);
    this.gone.set(uid, pod);
    this.queue.add(uid);
  }

  /**
   * Crash-only restart: what runs for pods still bound here is adopted as it is (the
   * pod workers find it running and leave it); what belongs to no such pod is removed.
   */
  private async adopt(): Promise<void> {
    let running;
    try {
      running = await this.runtime.listPods();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not list the runtime; adoption waits for housekeeping');
      return;
    }
    let adopted = 0;
    for (const [uid, state] of running) {
      if (this.pods.has(uid)) {
        adopted++;
        continue;
      }
      this.gone.delete(uid);
      await this.syncer.cleanup(uid, undefined, state).catch((err: Error) => this.log.warn({ uid, err: err.message }, 'could not remove orphaned containers'));
    }
    if (running.size) this.log.info({ adopted, removed: running.size - adopted }, 'adopted running pods');
  }

  /** Syncs every pod, and removes what runs for pods this agent no longer knows. */
  private async housekeeping(): Promise<void> {
    for (const uid of this.pods.keys()) this.queue.add(uid);
    if (this.runtime.kind !== 'docker') return;
    const running = await this.runtime.listPods();
    for (const uid of running.keys()) {
      if (this.pods.has(uid) || this.gone.has(uid)) continue;
      this.gone.set(uid, undefined);
      this.queue.add(uid);
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const uid = await this.queue.get();
      if (uid === undefined) return;
      try {
        const r = await this.process(uid);
        this.queue.forget(uid);
        if (r?.requeueAfterMs !== undefined) this.queue.addAfter(uid, r.requeueAfterMs);
      } catch (err) {
        this.log.warn({ uid, pod: this.describe(uid), err: (err as Error).message }, 'pod sync failed; retrying');
        this.queue.addRateLimited(uid);
      } finally {
        this.queue.done(uid);
      }
    }
  }

  private describe(uid: string): string | undefined {
    const p = this.pods.get(uid) ?? this.gone.get(uid);
    return p ? `${p.metadata?.namespace}/${p.metadata?.name}` : undefined;
  }

  private async process(uid: string): Promise<{ requeueAfterMs?: number } | undefined> {
    if (this.stopped) return undefined;
    const pod = this.pods.get(uid);
    if (pod) {
      if (pod.metadata?.deletionTimestamp) {
        await this.syncer.terminate(pod);
        return undefined;
      }
      return this.syncer.sync(pod);
    }
    if (this.gone.has(uid)) {
      await this.syncer.cleanup(uid, this.gone.get(uid));
      this.gone.delete(uid);
    }
    return undefined;
  }

  private async checkRuntime(): Promise<void> {
    try {
      const v = await this.runtime.version();
      if (this.facts.runtimeError) this.log.info({ runtime: v.containerRuntimeVersion }, 'container runtime is up');
      this.facts.containerRuntimeVersion = v.containerRuntimeVersion;
      this.facts.runtimeError = undefined;
    } catch (err) {
      if (!this.facts.runtimeError || this.facts.runtimeError === 'not checked yet') this.log.error({ err: (err as Error).message }, 'container runtime is down');
      this.facts.runtimeError = (err as Error).message;
    }
  }

  /**
   * Shared-host networking: waits for the node IPAM controller to assign a pod CIDR, puts the
   * node's address on the cluster bridge and from then on gives pods IPs from the CIDR.
   * Pods bound here meanwhile wait: the pod workers start only after this.
   */
  private async setupNetwork(): Promise<void> {
    if (!(this.runtime instanceof DockerRuntime)) throw new Error('--network-mode shared-host needs the docker runtime');
    const runtime = this.runtime;
    let waited = 0;
    for (let attempt = 0; !this.stopped; attempt++) {
      let podCIDR: string | undefined;
      try {
        podCIDR = (await this.client.get('nodes', '', this.nodeName)).spec?.podCIDR || undefined;
        if (podCIDR) {
          const net = await setupSharedHostNetwork(runtime.engine, this.cfg.dockerNetwork ?? 'bridge', podCIDR);
          runtime.setPodCIDR(net.podCIDR);
          this.facts.hostIP = net.nodeAddress;
          this.facts.networkError = undefined;
          this.network = net;
          this.log.info({ podCIDR: net.podCIDR.text, nodeAddress: net.nodeAddress, bridge: net.bridge }, `pod network ready: node address ${net.nodeAddress}, pods from ${net.podCIDR.text}`);
          this.proxy = new KubeProxy({
            client: this.client,
            nodeName: this.nodeName,
            mode: 'shared-host',
            nodeAddress: net.nodeAddress,
            podCIDR: net.podCIDR.text,
            clusterCIDR: this.cfg.clusterCIDR ?? net.podCIDR.text,
            logger: this.log,
          });
          await this.proxy.start();
          // Pods start only once Services answer (their DNS is a Service too).
          await this.proxy.waitForSync(this.abort.signal);
          await this.postStatus().catch((err: Error) => this.log.warn({ err: err.message }, 'could not post node status'));
          return;
        }
        if (attempt % 20 === 0) this.log.info({ waitedMs: waited }, 'waiting for a pod CIDR (the controller-manager assigns it: --allocate-node-cidrs)');
      } catch (err) {
        this.facts.networkError = (err as Error).message;
        this.log.warn({ err: (err as Error).message }, 'pod network setup failed; retrying');
      }
      const ms = podCIDR ? 2000 : 250;
      waited += ms;
      await new Promise<void>((resolve) => {
        const t = this.clock.setTimer(resolve, ms);
        this.abort.signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
      });
    }
  }

  private async registerUntilDone(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.registration.register(this.facts);
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not register the node; retrying');
        await new Promise<void>((resolve) => {
          const t = this.clock.setTimer(resolve, Math.min(7_000, 200 * 2 ** attempt));
          this.abort.signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
        });
      }
    }
  }

  private async postStatus(): Promise<void> {
    await this.checkRuntime();
    await this.registration.postStatus(this.facts);
  }

  private async renewLease(): Promise<void> {
    await this.lease.renew();
  }

  /** Runs fn every ms (and at once when `now`), never overlapping itself; errors are logged. */
  private every(name: string, ms: number, fn: () => Promise<void>, now = false): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (err) {
        this.log.warn({ task: name, err: (err as Error).message }, `${name} failed`);
      }
      if (!this.stopped) this.timers.set(name, this.clock.setTimer(() => void tick(), ms));
    };
    if (now) void tick();
    else this.timers.set(name, this.clock.setTimer(() => void tick(), ms));
  }

  /** Stops the agent's loops. Containers keep running: a restarted agent adopts them. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers.values()) t.cancel();
    this.prober?.stopAll();
    // Its iptables rules stay: Services keep working while the agent is away, as with kube-proxy.
    await this.proxy?.stop();
    await this.server.stop();
    await this.informer.stop();
    if (this.ownServices) await this.services?.stop();
    this.queue.shutDown();
    await Promise.all(this.workers);
    await this.recorder.shutdown();
    await this.runtime.close();
    if (this.ownClient) this.client.close();
    this.log.info('node agent stopped');
  }
}
