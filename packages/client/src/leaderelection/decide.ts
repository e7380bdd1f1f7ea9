// The decisions of leader election as pure functions of the lease record and a local
// monotonic clock. Expiry is judged from when *this* process saw the record change, never
// from the timestamps written in it: clocks of different machines disagree, and a paused
// process must not trust time it did not see pass.
import type { LeaseSpec } from '@kubesim/api';

export interface ElectionTimings {
  /** How long a non-leader waits after last seeing the record change before taking over. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it stops acting. */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew. */
  retryPeriodMs: number;
}

/** client-go spreads acquisition attempts by up to this factor of the retry period. */
export const JITTER_FACTOR = 1.2;

/** Problems with the timings, as messages; empty when usable. */
export function validateTimings(t: ElectionTimings): string[] {
  const errs: string[] = [];
  if (t.retryPeriodMs <= 0) errs.push('retryPeriod must be greater than zero');
  if (t.renewDeadlineMs <= 0) errs.push('renewDeadline must be greater than zero');
  if (t.leaseDurationMs <= t.renewDeadlineMs) errs.push('leaseDuration must be greater than renewDeadline');
  if (t.renewDeadlineMs <= JITTER_FACTOR * t.retryPeriodMs) errs.push(`renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`);
  return errs;
}

/** What the local process last saw of the lease, and when (monotonic ms). */
export interface Observation {
  record: LeaseSpec;
  observedAt: number;
}

/** Identifies a record version; any field change counts as "the holder is alive". */
export function recordFingerprint(r: LeaseSpec | undefined): string {
  return JSON.stringify([r?.holderIdentity ?? '', r?.leaseDurationSeconds ?? 0, r?.acquireTime ?? '', r?.renewTime ?? '', r?.leaseTransitions ?? 0]);
}

/**
 * Folds a freshly read record into the observation: the clock restarts only when the
 * record changed (a live leader renews it; a dead one leaves it untouched).
 */
export function observe(prev: Observation | undefined, record: LeaseSpec, now: number): Observation {
  if (prev && recordFingerprint(prev.record) === recordFingerprint(record)) return prev;
  return { record, observedAt: now };
}

/** The lease duration that applies: the longer of ours and the one the holder wrote. */
export function effectiveLeaseMs(record: LeaseSpec, ownLeaseMs: number): number {
  return Math.max(ownLeaseMs, (record.leaseDurationSeconds ?? 0) * 1000);
}

export function isLeaseExpired(obs: Observation, now: number, ownLeaseMs: number): boolean {
  return obs.observedAt + effectiveLeaseMs(obs.record, ownLeaseMs) <= now;
}

export type AcquireDecision =
  /** Nobody holds it (no holder, or released). */
  | 'free'
  /** We hold it: renew. */
  | 'mine'
  /** Someone else held it but has not renewed for a lease duration. */
  | 'expired'
  /** Someone else holds it: wait. */
  | 'held';

export function decideAcquire(obs: Observation, identity: string, now: number, ownLeaseMs: number): AcquireDecision {
  const holder = obs.record.holderIdentity ?? '';
  if (holder === '') return 'free';
  if (holder === identity) return 'mine';
  return isLeaseExpired(obs, now, ownLeaseMs) ? 'expired' : 'held';
}

/**
 * How long a candidate waits before its next attempt: the jittered retry period, but
 * never past the moment the observed lease expires. client-go polls only on the jittered
 * period, so a takeover comes up to 2.2 retry periods after expiry; waking at expiry
 * keeps the rule (never before a lease duration without change, as timed locally) and
 * takes over as soon as it allows.
 */
export function nextAttemptDelay(obs: Observation | undefined, identity: string, now: number, ownLeaseMs: number, jitteredRetryMs: number): number {
  const holder = obs?.record.holderIdentity ?? '';
  if (!obs || holder === '' || holder === identity) return jitteredRetryMs;
  const untilExpiry = obs.observedAt + effectiveLeaseMs(obs.record, ownLeaseMs) - now;
  // Already expired and still not ours (the write lost a race, or the apiserver failed):
  // back to the plain period, or a failing apiserver would be called in a tight loop.
  return untilExpiry > 0 ? Math.min(jitteredRetryMs, untilExpiry) : jitteredRetryMs;
}

/**
 * The leader may act only while its last successful renewal (timed from when that
 * renewal was *sent*) is younger than the renew deadline. Since renewDeadline <
 * leaseDuration, it stops before any other candidate may consider the lease expired.
 */
export function stillLeader(lastRenewSentAt: number | undefined, now: number, renewDeadlineMs: number): boolean {
  return lastRenewSentAt !== undefined && now - lastRenewSentAt < renewDeadlineMs;
}

/** The record to write to take or keep the lease. */
export function nextRecord(current: LeaseSpec | undefined, identity: string, leaseDurationSeconds: number, nowMicro: string): LeaseSpec {
  const mine = current?.holderIdentity === identity;
  const transitions = current?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: mine && current?.acquireTime ? current.acquireTime : nowMicro,
    renewTime: nowMicro,
    // A new lease starts at 0; every change of holder (a release included) counts one.
    leaseTransitions: current === undefined ? 0 : mine ? transitions : transitions + 1,
  };
}

/** The record a leader writes to give the lease up at once (releaseOnCancel). */
export function releasedRecord(current: LeaseSpec, nowMicro: string): LeaseSpec {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: nowMicro,
    renewTime: nowMicro,
    leaseTransitions: current.leaseTransitions ?? 0,
  };
}
