// Leader election on a Lease object, with client-go's semantics: candidates poll the
// lease every retryPeriod and take it when it is free or has not changed for a lease
// duration (as timed locally); the leader renews every retryPeriod and, if it cannot
// renew within renewDeadline, stops acting before anyone else may take over. Writes use
// the resourceVersion read just before, so of two candidates racing, one gets Conflict.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isConflict, isNotFound, nowMicroTimestamp, type Lease } from '@kubesim/api';
import type { Client } from '../client.js';
import { newLogger, type Logger } from '../log.js';
import { realClock, sleep, type Clock, type TimerHandle } from '../util/clock.js';
import { decideAcquire, JITTER_FACTOR, nextAttemptDelay, nextRecord, observe, releasedRecord, stillLeader, validateTimings, type ElectionTimings, type Observation } from './decide.js';

/** The three calls leader election makes. */
export interface LeaseClient {
  get(namespace: string, name: string): Promise<Lease>;
  create(lease: Lease): Promise<Lease>;
  update(lease: Lease): Promise<Lease>;
}

/** A candidate identity unique to this process: "<hostname>_<uuid>", as Kubernetes components use. */
/** host_pid_random: unique per process, and the pid tells an operator which process leads. */
export function defaultIdentity(): string {
  return `${hostname()}_${process.pid}_${randomUUID().slice(0, 8)}`;
}

export function leaseClientFor(client: Client): LeaseClient {
  return {
    get: (namespace, name) => client.get('leases', namespace, name),
    create: (lease) => client.create(lease),
    update: (lease) => client.update(lease),
  };
}

export interface LeaderCallbacks {
  /** Leadership began; do the work until `signal` aborts (it aborts the moment leadership is lost). */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Leadership ended (lost, deadline passed, or cancelled). Called only after leading. */
  onStoppedLeading?(): void;
  /** The observed holder changed (including to this process). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectorOptions {
  client: Client | LeaseClient;
  lockName: string;
  /** Default kube-system. */
  lockNamespace?: string;
  /** Unique per candidate (host name + random suffix, as Kubernetes components use). */
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** On cancel, write an empty holder so another candidate takes over at once. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /**
   * Check the renew deadline as soon as the process is continued after SIGSTOP, before
   * any timer runs. Defaults to true with the real clock.
   */
  watchSigcont?: boolean;
}

function isLeaseClient(c: Client | LeaseClient): c is LeaseClient {
  return !('watch' in c);
}

export class LeaderElector {
  readonly identity: string;
  readonly lockName: string;
  readonly lockNamespace: string;
  private readonly leases: LeaseClient;
  private readonly timings: ElectionTimings;
  private readonly leaseSeconds: number;
  private readonly callbacks: LeaderCallbacks;
  private readonly releaseOnCancel: boolean;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly watchSigcont: boolean;

  private obs: Observation | undefined;
  private lease: Lease | undefined;
  private lastRenewSentAt: number | undefined;
  private leading = false;
  private leaderAbort: AbortController | undefined;
  private watchdog: TimerHandle | undefined;
  private reportedLeader = '';
  private running = false;
  private readonly onSigcont = () => this.checkDeadline('the process was paused');

  constructor(opts: LeaderElectorOptions) {
    this.identity = opts.identity;
    this.lockName = opts.lockName;
    this.lockNamespace = opts.lockNamespace ?? 'kube-system';
    this.leases = isLeaseClient(opts.client) ? opts.client : leaseClientFor(opts.client);
    this.leaseSeconds = opts.leaseDurationSeconds ?? 15;
    this.timings = {
      leaseDurationMs: this.leaseSeconds * 1000,
      renewDeadlineMs: (opts.renewDeadlineSeconds ?? 10) * 1000,
      retryPeriodMs: (opts.retryPeriodSeconds ?? 2) * 1000,
    };
    const errs = validateTimings(this.timings);
    if (!this.identity) errs.push('identity must not be empty');
    if (!this.lockName) errs.push('lockName must not be empty');
    if (errs.length) throw new Error(`invalid leader election config: ${errs.join('; ')}`);
    this.callbacks = opts.callbacks;
    this.releaseOnCancel = opts.releaseOnCancel ?? false;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.watchSigcont = opts.watchSigcont ?? this.clock === realClock;
    this.log = (opts.logger ?? newLogger('leaderelection')).child({ lease: `${this.lockNamespace}/${this.lockName}`, identity: this.identity });
  }

  /** True only while leading and within the renew deadline (checked against the clock now). */
  isLeader(): boolean {
    return this.leading && stillLeader(this.lastRenewSentAt, this.clock.now(), this.timings.renewDeadlineMs);
  }

  /** The holder this process last observed ("" if none). */
  getLeader(): string {
    return this.obs?.record.holderIdentity ?? '';
  }

  /**
   * Campaigns until it leads, leads until leadership is lost or `signal` aborts, then
   * returns. To campaign again after losing, call run() again.
   */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.running) throw new Error('LeaderElector.run is already running');
    this.running = true;
    try {
      this.lastRenewSentAt = undefined;
      if (!(await this.acquire(signal))) {
        // Cancelled just as the lease was won: give it back rather than sit on it.
        if (signal?.aborted && this.releaseOnCancel) await this.release();
        return;
      }
      const onCancel = () => this.stopLeading('cancelled');
      signal?.addEventListener('abort', onCancel, { once: true });
      try {
        this.startLeading();
        await this.renewLoop(signal);
      } finally {
        signal?.removeEventListener('abort', onCancel);
        this.stopLeading('lost');
      }
      if (signal?.aborted && this.releaseOnCancel) await this.release();
    } finally {
      this.running = false;
    }
  }

  private async acquire(signal?: AbortSignal): Promise<boolean> {
    this.log.info(`attempting to acquire leader lease ${this.lockNamespace}/${this.lockName}`);
    while (!signal?.aborted) {
      if (await this.tryAcquireOrRenew()) {
        if (signal?.aborted) return false;
        this.log.info(`successfully acquired lease ${this.lockNamespace}/${this.lockName}`);
        return true;
      }
      const jittered = this.timings.retryPeriodMs * (1 + JITTER_FACTOR * this.random());
      await sleep(nextAttemptDelay(this.obs, this.identity, this.clock.now(), this.timings.leaseDurationMs, jittered), signal, this.clock);
    }
    return false;
  }

  private async renewLoop(signal?: AbortSignal): Promise<void> {
    const leaderSignal = this.leaderAbort!.signal;
    while (this.leading && !signal?.aborted) {
      await sleep(this.timings.retryPeriodMs, leaderSignal, this.clock);
      if (!this.leading || signal?.aborted) return;
      if (!this.checkDeadline('failed to renew within the renew deadline')) return;
      const ok = await untilAborted(this.tryAcquireOrRenew(), leaderSignal);
      if (!this.leading) return;
      if (ok) {
        this.armWatchdog();
        continue;
      }
      const holder = this.getLeader();
      if (holder !== this.identity) {
        this.stopLeading(holder ? `the lease is now held by ${holder}` : 'the lease was released');
        return;
      }
      // A failed renewal is retried; the watchdog ends leadership at the deadline.
    }
  }

  /** One attempt to take or keep the lease; true when this process holds it afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const sentAt = this.clock.now();
    const nowMicro = nowMicroTimestamp(this.clock.wallNow());
    let current: Lease;
    try {
      current = await this.leases.get(this.lockNamespace, this.lockName);
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.warn({ error: (err as Error).message }, `error retrieving lease ${this.lockNamespace}/${this.lockName}: ${(err as Error).message}`);
        return false;
      }
      return this.createLease(sentAt, nowMicro);
    }
    this.noteRecord(current);
    const decision = decideAcquire(this.obs!, this.identity, this.clock.now(), this.timings.leaseDurationMs);
    if (decision === 'held') return false;
    // A leader that lost the lease (taken over or released) must not grab it back here.
    if (this.leading && decision !== 'mine') return false;
    // Never write as leader once the deadline has passed (e.g. resumed from a pause).
    if (this.leading && !this.checkDeadline('failed to renew within the renew deadline')) return false;
    const next: Lease = { ...current, spec: nextRecord(current.spec, this.identity, this.leaseSeconds, nowMicro) };
    try {
      const updated = await this.leases.update(next);
      this.noteWritten(updated, sentAt);
      return true;
    } catch (err) {
      if (isConflict(err)) this.log.info(`lease ${this.lockNamespace}/${this.lockName} changed meanwhile; someone else won this round`);
      else this.log.warn({ error: (err as Error).message }, `failed to update lease ${this.lockNamespace}/${this.lockName}: ${(err as Error).message}`);
      return false;
    }
  }

  private async createLease(sentAt: number, nowMicro: string): Promise<boolean> {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.lockName, namespace: this.lockNamespace },
      spec: nextRecord(undefined, this.identity, this.leaseSeconds, nowMicro),
    };
    try {
      this.noteWritten(await this.leases.create(lease), sentAt);
      return true;
    } catch (err) {
      this.log.info({ error: (err as Error).message }, `could not create lease ${this.lockNamespace}/${this.lockName}: ${(err as Error).message}`);
      return false;
    }
  }

  private noteRecord(lease: Lease): void {
    this.lease = lease;
    this.obs = observe(this.obs, lease.spec ?? {}, this.clock.now());
    this.reportLeader();
  }

  private noteWritten(lease: Lease, sentAt: number): void {
    this.lease = lease;
    this.obs = { record: lease.spec ?? {}, observedAt: this.clock.now() };
    this.lastRenewSentAt = sentAt;
    this.reportLeader();
  }

  private reportLeader(): void {
    const holder = this.getLeader();
    if (!holder || holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.log.info({ leader: holder }, `new leader observed: ${holder}`);
    try {
      this.callbacks.onNewLeader?.(holder);
    } catch (err) {
      this.log.error({ err }, 'onNewLeader callback threw');
    }
  }

  private startLeading(): void {
    this.leading = true;
    this.leaderAbort = new AbortController();
    this.armWatchdog();
    if (this.watchSigcont) process.on('SIGCONT', this.onSigcont);
    this.log.info('started leading');
    try {
      const res = this.callbacks.onStartedLeading(this.leaderAbort.signal);
      if (res instanceof Promise) res.catch((err: unknown) => this.log.error({ err }, 'onStartedLeading failed'));
    } catch (err) {
      this.log.error({ err }, 'onStartedLeading threw');
    }
  }

  /** Ends leadership at once: the leader's signal aborts before onStoppedLeading runs. */
  private stopLeading(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.watchdog?.cancel();
    this.watchdog = undefined;
    if (this.watchSigcont) process.off('SIGCONT', this.onSigcont);
    this.leaderAbort?.abort(new Error(`leadership lost: ${reason}`));
    if (reason === 'cancelled') this.log.info('stopped leading (cancelled)');
    else this.log.warn({ reason }, `stopped leading: ${reason}`);
    try {
      this.callbacks.onStoppedLeading?.();
    } catch (err) {
      this.log.error({ err }, 'onStoppedLeading threw');
    }
  }

  /** Stops leading if the renew deadline has passed; returns whether still leading. */
  private checkDeadline(reason: string): boolean {
    if (this.leading && !stillLeader(this.lastRenewSentAt, this.clock.now(), this.timings.renewDeadlineMs)) this.stopLeading(reason);
    return this.leading;
  }

  private armWatchdog(): void {
    this.watchdog?.cancel();
    const left = (this.lastRenewSentAt ?? -Infinity) + this.timings.renewDeadlineMs - this.clock.now();
    this.watchdog = this.clock.setTimer(() => this.checkDeadline('failed to renew within the renew deadline'), Math.max(0, left));
    if (left <= 0) this.checkDeadline('failed to renew within the renew deadline');
  }

  /** Gives the lease up (releaseOnCancel), if this process still holds it. */
  private async release(): Promise<void> {
    const lease = this.lease;
    if (!lease?.spec || lease.spec.holderIdentity !== this.identity) return;
    try {
      const updated = await this.leases.update({ ...lease, spec: releasedRecord(lease.spec, nowMicroTimestamp(this.clock.wallNow())) });
      this.lease = updated;
      this.obs = { record: updated.spec ?? {}, observedAt: this.clock.now() };
      this.log.info(`released lease ${this.lockNamespace}/${this.lockName}`);
    } catch (err) {
      this.log.warn({ error: (err as Error).message }, `failed to release lease ${this.lockNamespace}/${this.lockName}: ${(err as Error).message}`);
    }
  }
}

/** The attempt's result, or false as soon as the signal aborts (the attempt runs on). */
function untilAborted(attempt: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    attempt.then(
      (ok) => {
        signal.removeEventListener('abort', onAbort);
        resolve(ok);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(false);
      },
    );
  });
}
