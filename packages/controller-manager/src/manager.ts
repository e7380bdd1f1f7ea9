// The controller-manager: one place that wires leader election, the shared informers,
// event recorders, the selected controllers and their workers.
//
// Each leadership term gets a fresh InformerFactory, fresh queues and fresh controllers
// (so expectations and caches never outlive the term that built them), built while the
// process still stands by so that its caches are warm when it wins. Losing the lease
// aborts the term's signal: queues shut down, caches stop, and the client refuses
// further writes at once; it also refuses them once the renew deadline has passed.
import { Client, EventRecorder, InformerFactory, LeaderElector, WorkQueue, defaultIdentity, newLogger, realClock, type Clock, type Logger } from '@kubesim/client';
import { CONTROLLERS } from './controllers.js';
import type { Controller, ControllerDescriptor } from './runtime/controller.js';
import { fencedClient } from './runtime/fenced-client.js';
import { runWorkers } from './runtime/worker.js';
import { selectControllers } from './selection.js';

import type { ControllerManagerOptions } from './options.js';

export const LEASE_NAME = 'kube-controller-manager';
export const LEASE_NAMESPACE = 'kube-system';

/** The public options, plus what tests inject. */
export interface ManagerOptions extends ControllerManagerOptions {
  clock?: Clock;
  /** Controllers to choose from (default: all built in). */
  registry?: readonly ControllerDescriptor[];
}

/** A term's controllers, built and caching before the term begins. */
interface PreparedTerm {
  /** Runs the workers until `signal` aborts, then disposes of the term. */
  run(signal: AbortSignal): Promise<void>;
  /** Stops its informers and queues (idempotent): after a term, or for one never led. */
  dispose(): Promise<void>;
}

export class ControllerManager {
  private readonly client: Client;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly selected: ControllerDescriptor[];
  private readonly stopAll = new AbortController();
  private readonly recorders = new Map<string, EventRecorder>();
  private running: Promise<void> | undefined;
  private term: Promise<void> | undefined;
  /** The controllers of the current term (for tests and status). */
  active: Controller[] = [];

  constructor(private readonly opts: ManagerOptions) {
    this.log = opts.logger ?? newLogger('controller-manager');
    this.clock = opts.clock ?? realClock;
    const registry = opts.registry ?? CONTROLLERS;
    const names = selectControllers(
      registry.map((c) => c.name),
      opts.controllers,
    );
    this.selected = registry.filter((c) => names.includes(c.name));
    this.client = new Client({ endpoints: opts.servers, userAgent: 'kube-controller-manager' });
  }

  get controllerNames(): string[] {
    return this.selected.map((c) => c.name);
  }

  start(): void {
    const signal = this.stopAll.signal;
    this.log.info({ controllers: this.controllerNames }, `starting controllers: ${this.controllerNames.join(', ') || '(none)'}`);
    if (this.opts.leaderElect === false) {
      this.running = this.prepareTerm(() => true).run(signal);
      return;
    }
    let next: PreparedTerm | undefined;
    const elector = new LeaderElector({
      client: this.client,
      lockName: LEASE_NAME,
      lockNamespace: LEASE_NAMESPACE,
      identity: this.opts.identity ?? defaultIdentity(),
      leaseDurationSeconds: this.opts.leaseDurationSeconds,
      renewDeadlineSeconds: this.opts.renewDeadlineSeconds,
      retryPeriodSeconds: this.opts.retryPeriodSeconds,
      releaseOnCancel: true,
      logger: this.log,
      callbacks: {
        onStartedLeading: (termSignal) => {
          this.term = next!.run(termSignal);
        },
      },
    });
    this.running = (async () => {
      // A process that lost the lease campaigns again; its old term has already stopped.
      // Each campaign prepares the next term first: its caches fill while standing by,
      // so a new leader acts at once rather than after listing everything.
      while (!signal.aborted) {
        next = this.prepareTerm(() => elector.isLeader());
        this.term = undefined;
        await elector.run(signal);
        await this.term;
        await next.dispose();
      }
    })();
  }

  /**
   * Builds one term: fresh informers (started at once), queues and controllers whose
   * writes are fenced by `isLeader` (checked at each write) and by the term's signal.
   * Handlers only enqueue keys; no worker runs until `run`.
   */
  private prepareTerm(isLeader: () => boolean): PreparedTerm {
    const informers = new InformerFactory(this.client, { logger: this.log });
    const termAbort = new AbortController();
    const client = fencedClient(this.client, termAbort.signal, isLeader);
    const runs: Array<{ controller: Controller; queue: WorkQueue<string>; log: Logger }> = [];
    for (const d of this.selected) {
      const queue = new WorkQueue<string>({ name: d.name, clock: this.clock });
      const log = this.log.child({ controller: d.name });
      let recorder = this.recorders.get(d.component);
      if (!recorder) this.recorders.set(d.component, (recorder = new EventRecorder(this.client, { component: d.component, logger: log })));
      runs.push({ controller: d.create({ client, informers, recorder, queue, logger: log, clock: this.clock, options: this.opts }), queue, log });
    }
    informers.start();
    let disposed: Promise<void> | undefined;
    const dispose = () =>
      (disposed ??= (async () => {
        termAbort.abort();
        for (const r of runs) r.queue.shutDown();
        await informers.stop();
      })());
    const run = async (signal: AbortSignal): Promise<void> => {
      signal.addEventListener('abort', () => void dispose(), { once: true });
      if (signal.aborted) return dispose();
      this.active = runs.map((r) => r.controller);
      const synced = await informers.waitForSync(signal);
      if (!synced) return dispose();
      this.log.info('caches synced; starting workers');
      const workers = this.opts.concurrentSyncs ?? 5;
      await Promise.all(runs.map((r) => runWorkers(r.controller, r.queue, workers, r.log, signal)));
      await dispose();
      this.active = [];
    };
    return { run, dispose };
  }

  async stop(): Promise<void> {
    this.stopAll.abort();
    await this.running;
    await Promise.all([...this.recorders.values()].map((r) => r.shutdown()));
    this.client.close();
  }
}
