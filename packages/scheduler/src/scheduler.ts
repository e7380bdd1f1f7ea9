// The scheduling loop: informers feed the cache (assigned pods, nodes) and the queue
// (our unassigned pods); the loop pops a pod, runs the pure framework over the cache,
// assumes the pod onto the chosen node and binds it asynchronously (a bounded number of
// bindings in flight), so the next pod is scheduled without waiting for the apiserver.
import { isConflict, isNotFound, nowTimestamp, objectKey, type Binding, type Node, type Pod, type PodCondition } from '@kubesim/api';
import { deletedObject, realClock, type Clock, type Logger, type SharedIndexInformer } from '@kubesim/client';
import { SchedulerCache } from './cache.js';
import { nodeChangeMayHelp } from './events.js';
import { DEFAULT_PROFILE, schedulePod, type Profile } from './framework.js';
import { isTerminal } from './podinfo.js';
import { SchedulingQueue, type QueueOptions, type QueuedPodInfo } from './queue.js';

/** The API calls the scheduler makes. */
export interface SchedulerApi {
  bind(binding: Binding): Promise<unknown>;
  /** JSON merge patch of a pod's status subresource. */
  patchPodStatus(namespace: string, name: string, patch: { status: { conditions: PodCondition[] } }): Promise<unknown>;
}

/** Where Events go (an EventRecorder). */
export interface SchedulerEvents {
  event(obj: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface SchedulerConfig {
  api: SchedulerApi;
  events: SchedulerEvents;
  podInformer: SharedIndexInformer<Pod>;
  nodeInformer: SharedIndexInformer<Node>;
  schedulerName?: string;
  logger: Logger;
  clock?: Clock;
  profile?: Profile;
  /** Bindings in flight at most (default 32). */
  maxInFlightBinds?: number;
  queue?: QueueOptions;
}

export interface SchedulerStats {
  scheduled: number;
  bound: number;
  unschedulable: number;
  bindErrors: number;
}

/** Time the loop may run before letting I/O (watch events, bind answers) in, ms. */
const SLICE_MS = 10;

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly stats: SchedulerStats = { scheduled: 0, bound: 0, unschedulable: 0, bindErrors: 0 };
  private readonly api: SchedulerApi;
  private readonly events: SchedulerEvents;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly schedulerName: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly profile: Profile;
  private readonly maxInFlight: number;
  private inFlightBinds = 0;
  private bindIdle: Array<() => void> = [];
  private slotWaiters: Array<() => void> = [];
  private turn = 0;

  constructor(cfg: SchedulerConfig) {
    this.api = cfg.api;
    this.events = cfg.events;
    this.pods = cfg.podInformer;
    this.schedulerName = cfg.schedulerName || 'default-scheduler';
    this.log = cfg.logger;
    this.clock = cfg.clock ?? realClock;
    this.profile = cfg.profile ?? DEFAULT_PROFILE;
    this.maxInFlight = cfg.maxInFlightBinds ?? 32;
    this.queue = new SchedulingQueue({ clock: this.clock, ...cfg.queue });
    cfg.podInformer.addEventHandler({
      onAdd: (pod) => this.onPod(undefined, pod),
      onUpdate: (old, pod) => this.onPod(old, pod),
      onDelete: (x) => {
        const key = objectKey(deletedObject(x));
        this.queue.delete(key);
        if (this.cache.deletePod(key)) this.queue.moveAllToActiveOrBackoff();
      },
    });
    cfg.nodeInformer.addEventHandler({
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (old, node) => {
        this.cache.updateNode(node);
        if (nodeChangeMayHelp(old, node)) this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (x) => this.cache.removeNode(deletedObject(x).metadata?.name ?? ''),
    });
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName || 'default-scheduler') === this.schedulerName;
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const key = objectKey(pod);
    if (pod.spec?.nodeName) {
      // Bound, by us (confirming the assumption) or by anyone else.
      this.queue.delete(key);
      if (this.cache.upsertPod(pod)) this.queue.moveAllToActiveOrBackoff();
      return;
    }
    // Our binding of this pod is on its way; this is an older state of it. (A namesake
    // created meanwhile has another uid and is queued as usual.)
    if (this.cache.isAssumed(key, pod.metadata?.uid ?? '')) return;
    if (!this.responsibleFor(pod) || pod.metadata?.deletionTimestamp || isTerminal(pod)) {
      this.queue.delete(key);
      return;
    }
    this.queue.update(old, pod);
  }

  /** Schedules pods until the signal aborts (leadership lost, or stop). In-flight bindings finish on their own. */
  async run(signal: AbortSignal): Promise<void> {
    this.log.info({ schedulerName: this.schedulerName }, 'scheduling started');
    let sliceStart = performance.now();
    while (!signal.aborted) {
      if (this.inFlightBinds >= this.maxInFlight) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      const qp = this.queue.pop();
      if (!qp) {
        await this.queue.waitForPod(signal);
        sliceStart = performance.now();
        continue;
      }
      this.scheduleOne(qp);
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    this.log.info('scheduling stopped');
  }

  /** Resolves when no binding is in flight. */
  async idle(): Promise<void> {
    if (this.inFlightBinds === 0) return;
    await new Promise<void>((resolve) => this.bindIdle.push(resolve));
  }

  close(): void {
    this.queue.close();
    for (const w of this.slotWaiters.splice(0)) w();
  }

  /** One scheduling attempt: synchronous from pop to assume, so the cache cannot change under it. */
  scheduleOne(qp: QueuedPodInfo): void {
    const { info } = qp;
    if (info.pod.spec?.nodeName || this.cache.isAssumed(info.key, info.uid)) {
      this.queue.done(info.key);
      return;
    }
    // A namesake (deleted and recreated pod) is still assumed: retry once its binding settles.
    if (this.cache.isAssumed(info.key)) {
      this.queue.addBackoff(qp);
      return;
    }
    const decision = schedulePod(info, this.cache.nodes(), this.profile, this.turn++);
    if (!decision.node) {
      this.handleUnschedulable(qp, decision.message);
      return;
    }
    const node = decision.node.name;
    this.cache.assume(info, node);
    this.stats.scheduled++;
    this.log.debug({ pod: info.key, node, feasibleNodes: decision.feasible }, 'pod assumed');
    this.bind(qp, node);
  }

  private handleUnschedulable(qp: QueuedPodInfo, message: string): void {
    const pod = this.pods.indexer.get(qp.info.key) ?? qp.info.pod;
    this.stats.unschedulable++;
    this.log.info({ pod: qp.info.key, attempts: qp.attempts }, `unable to schedule pod: ${message}`);
    this.events.event(pod, 'Warning', 'FailedScheduling', message);
    this.queue.addUnschedulable(qp);
    this.setUnschedulableCondition(pod, message);
  }

  /** PodScheduled=False, reason Unschedulable, as kubectl describe shows it; skipped when already so. */
  private setUnschedulableCondition(pod: Pod, message: string): void {
    const conds = pod.status?.conditions ?? [];
    const cur = conds.find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    const now = nowTimestamp(this.clock.wallNow());
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : now,
    };
    const conditions = [...conds.filter((c) => c.type !== 'PodScheduled'), cond];
    const { namespace = 'default', name = '' } = pod.metadata ?? {};
    this.api.patchPodStatus(namespace, name, { status: { conditions } }).catch((err: unknown) => {
      if (!isNotFound(err)) this.log.warn({ pod: `${namespace}/${name}`, error: (err as Error).message }, 'could not set the PodScheduled condition');
    });
  }

  private bind(qp: QueuedPodInfo, node: string): void {
    const { key, pod, uid } = qp.info;
    const { namespace = 'default', name = '' } = pod.metadata ?? {};
    this.inFlightBinds++;
    const binding: Binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { kind: 'Node', name: node } };
    this.api
      .bind(binding)
      .then(
        () => {
          this.queue.done(key);
          this.stats.bound++;
          this.log.info({ pod: key, node }, `bound pod ${key} to ${node}`);
          this.events.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${node}`);
        },
        (err: unknown) => {
          this.stats.bindErrors++;
          // The slot it held is free again, which may let waiting pods fit.
          if (this.cache.forget(key)) this.queue.moveAllToActiveOrBackoff();
          const message = (err as Error).message;
          if (isConflict(err) || isNotFound(err)) {
            // Bound by someone else, being deleted, or gone: nothing left to do.
            this.queue.done(key);
            this.log.info({ pod: key, node, error: message }, `binding pod ${key} to ${node} was rejected`);
            return;
          }
          this.log.warn({ pod: key, node, error: message }, `binding pod ${key} to ${node} failed; retrying after backoff`);
          this.events.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${message}`);
          this.queue.addBackoff(qp);
        },
      )
      .finally(() => {
        this.inFlightBinds--;
        const w = this.slotWaiters.shift();
        w?.();
        if (this.inFlightBinds === 0) for (const i of this.bindIdle.splice(0)) i();
      });
  }
}
