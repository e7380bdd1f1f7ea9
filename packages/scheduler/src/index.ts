// `kubesim scheduler`: informers on pods and nodes, the scheduling queue and loop, and
// (with leader election) scheduling only while holding the kube-system/kube-scheduler
// Lease: losing it aborts the loop at once, and the process campaigns again.
import type { Logger } from 'pino';
import { Client, EventRecorder, InformerFactory, LeaderElector, defaultIdentity, newLogger } from '@kubesim/client';
import { Scheduler } from './scheduler.js';
import { StatusError } from '@kubesim/api';

export { Scheduler, type SchedulerApi, type SchedulerConfig, type SchedulerEvents, type SchedulerStats } from './scheduler.js';
export { SchedulerCache } from './cache.js';
export { SchedulingQueue, backoffDuration, type QueuedPodInfo, type QueueOptions, type QueueCounts } from './queue.js';
export { DEFAULT_PROFILE, fitErrorMessage, schedulePod, selectHost, type Profile, type ScheduleDecision } from './framework.js';
export { NodeInfo } from './nodeinfo.js';
export { newPodInfo, podRequests, type PodInfo, type Resources } from './podinfo.js';
export type { FilterPlugin, ScorePlugin, FilterResult } from './plugins/types.js';

export interface SchedulerOptions {
  /** apiserver endpoints (host:port), failed over in order */
  servers: string[];
  /** pods whose spec.schedulerName is this are ours (default "default-scheduler") */
  schedulerName?: string;
  leaderElect?: boolean;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  identity?: string;
  logger?: Logger;
  /** Bindings in flight at most (default 32). */
  maxInFlightBinds?: number;
  /** The Lease leader election uses (default kube-system/kube-scheduler). */
  leaderElectResourceName?: string;
  leaderElectResourceNamespace?: string;
}

export interface RunningScheduler {
  stop(): Promise<void>;
  /** The scheduler itself (queue, cache, stats), for tests and benchmarks in the same process. */
  readonly scheduler: Scheduler;
  /** True while this instance may schedule (always, without leader election). */
  isLeader(): boolean;
}

export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  const schedulerName = opts.schedulerName || 'default-scheduler';
  const identity = opts.identity || defaultIdentity();
  const log = opts.logger ?? newLogger('scheduler');
  const client = new Client({ endpoints: opts.servers, userAgent: 'kubesim-scheduler' });
  const factory = new InformerFactory(client, { logger: log });
  const podInformer = factory.informerFor('pods');
  const nodeInformer = factory.informerFor('nodes');
  // Events say "From: default-scheduler", as kube-scheduler's (no host); the reporting instance is the identity.
  const recorder = new EventRecorder(client, { component: schedulerName, instance: identity, logger: log });
  // Writes are fenced by the renew deadline, checked against the clock at each call: a
  // leader resumed from SIGSTOP may run a queued bind before its elector's timers fire.
  let elector: LeaderElector | undefined;
  const fence = () => {
    if (elector && !elector.isLeader()) throw new StatusError('ServiceUnavailable', 'the scheduler is not the leader (lease lost or renew deadline passed)');
  };
  const scheduler = new Scheduler({
    api: {
      bind: async (b) => (fence(), client.bind(b)),
      patchPodStatus: async (ns, name, patch) => (fence(), client.patch('pods', ns, name, patch, { subresource: 'status' })),
    },
    events: recorder,
    podInformer,
    nodeInformer,
    schedulerName,
    logger: log,
    maxInFlightBinds: opts.maxInFlightBinds,
  });
  factory.start();

  const stopping = new AbortController();
  let leading = false;
  const runLoop = async (signal: AbortSignal) => {
    leading = true;
    try {
      await scheduler.run(signal);
    } finally {
      leading = false;
    }
  };

  const main = (async () => {
    if (!(await factory.waitForSync(stopping.signal))) return;
    log.info({ nodes: scheduler.cache.nodeCount, identity }, 'caches synced');
    if (opts.leaderElect === false) {
      await runLoop(stopping.signal);
      return;
    }
    elector = new LeaderElector({
      client,
      lockName: opts.leaderElectResourceName ?? 'kube-scheduler',
      lockNamespace: opts.leaderElectResourceNamespace ?? 'kube-system',
      identity,
      leaseDurationSeconds: opts.leaseDurationSeconds,
      renewDeadlineSeconds: opts.renewDeadlineSeconds,
      retryPeriodSeconds: opts.retryPeriodSeconds,
      releaseOnCancel: true,
      logger: log,
      callbacks: {
        onStartedLeading: (signal) => runLoop(signal),
        onStoppedLeading: () => log.info('stopped scheduling: not the leader'),
      },
    });
    // kube-scheduler exits when it loses the lease and is restarted by its supervisor;
    // here the process stays and campaigns again, its caches still warm.
    while (!stopping.signal.aborted) await elector.run(stopping.signal);
  })().catch((err: unknown) => log.error({ err }, 'scheduler failed'));

  return {
    scheduler,
    isLeader: () => leading,
    async stop() {
      stopping.abort();
      scheduler.close();
      await main;
      await scheduler.idle();
      await factory.stop();
      await recorder.shutdown();
      client.close();
    },
  };
}
