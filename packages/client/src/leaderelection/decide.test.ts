import { describe, expect, it } from 'vitest';
import { decideAcquire, effectiveLeaseMs, isLeaseExpired, nextAttemptDelay, nextRecord, observe, recordFingerprint, releasedRecord, stillLeader, validateTimings } from './decide.js';

const T0 = '2026-01-01T00:00:00.000000Z';
const T1 = '2026-01-01T00:00:05.000000Z';

describe('validateTimings', () => {
  it('accepts the defaults and rejects unsafe orderings', () => {
    expect(validateTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toEqual([]);
    expect(validateTimings({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toEqual(['leaseDuration must be greater than renewDeadline']);
    expect(validateTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 })).toEqual(['renewDeadline must be greater than retryPeriod*1.2']);
    expect(validateTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 })).toContain('retryPeriod must be greater than zero');
  });
});

describe('observe', () => {
  it('keeps the observation time while the record is unchanged', () => {
    const rec = { holderIdentity: 'a', renewTime: T0, leaseDurationSeconds: 15 };
    const o1 = observe(undefined, rec, 100);
    expect(o1.observedAt).toBe(100);
    expect(observe(o1, { ...rec }, 900)).toBe(o1);
    expect(observe(o1, { ...rec, renewTime: T1 }, 900).observedAt).toBe(900);
    expect(observe(o1, { ...rec, holderIdentity: 'b' }, 900).observedAt).toBe(900);
  });

  it('fingerprints treat missing and default fields alike', () => {
    expect(recordFingerprint(undefined)).toBe(recordFingerprint({}));
    expect(recordFingerprint({ holderIdentity: 'a' })).not.toBe(recordFingerprint({}));
  });
});

describe('expiry and the acquire decision', () => {
  const lease = (holder: string, seconds = 15) => ({ record: { holderIdentity: holder, leaseDurationSeconds: seconds, renewTime: T0 }, observedAt: 1_000 });

  it('judges expiry from the local observation time, not renewTime', () => {
    const o = lease('a');
    expect(isLeaseExpired(o, 1_000 + 14_999, 15_000)).toBe(false);
    expect(isLeaseExpired(o, 1_000 + 15_000, 15_000)).toBe(true);
  });

  it('uses the longer of our lease duration and the holder’s', () => {
    expect(effectiveLeaseMs({ leaseDurationSeconds: 60 }, 15_000)).toBe(60_000);
    expect(effectiveLeaseMs({ leaseDurationSeconds: 1 }, 15_000)).toBe(15_000);
    expect(effectiveLeaseMs({}, 15_000)).toBe(15_000);
    expect(isLeaseExpired(lease('a', 60), 1_000 + 30_000, 15_000)).toBe(false);
  });

  it.each([
    ['', 1_000, 'free'],
    ['', 1_000_000, 'free'],
    ['me', 1_000, 'mine'],
    ['me', 1_000_000, 'mine'],
    ['other', 1_000, 'held'],
    ['other', 15_999, 'held'],
    ['other', 16_000, 'expired'],
  ] as const)('holder %j at %d -> %s', (holder, now, want) => {
    expect(decideAcquire(lease(holder), 'me', now, 15_000)).toBe(want);
  });
});

describe('stillLeader', () => {
  it('holds only within the renew deadline of the last renewal sent', () => {
    expect(stillLeader(undefined, 0, 10_000)).toBe(false);
    expect(stillLeader(1_000, 10_999, 10_000)).toBe(true);
    expect(stillLeader(1_000, 11_000, 10_000)).toBe(false);
    // A paused process resumes far later.
    expect(stillLeader(1_000, 61_000, 10_000)).toBe(false);
  });
});

describe('nextRecord / releasedRecord', () => {
  it('a new lease starts at 0 transitions', () => {
    expect(nextRecord(undefined, 'me', 15, T0)).toEqual({ holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: T0, renewTime: T0, leaseTransitions: 0 });
  });

  it('renewing keeps acquireTime and transitions', () => {
    const cur = { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: T0, renewTime: T0, leaseTransitions: 3 };
    expect(nextRecord(cur, 'me', 15, T1)).toEqual({ ...cur, renewTime: T1 });
  });

  it('taking over counts a transition and sets acquireTime', () => {
    const cur = { holderIdentity: 'other', leaseDurationSeconds: 15, acquireTime: T0, renewTime: T0, leaseTransitions: 3 };
    expect(nextRecord(cur, 'me', 15, T1)).toEqual({ holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: T1, renewTime: T1, leaseTransitions: 4 });
  });

  it('taking a released lease counts a transition; releasing does not', () => {
    const held = { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: T0, renewTime: T0, leaseTransitions: 2 };
    const released = releasedRecord(held, T1);
    expect(released).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: T1, renewTime: T1, leaseTransitions: 2 });
    expect(decideAcquire({ record: released, observedAt: 0 }, 'b', 0, 15_000)).toBe('free');
    expect(nextRecord(released, 'b', 15, T1).leaseTransitions).toBe(3);
  });
});

describe('nextAttemptDelay', () => {
  const held = (holder: string, observedAt: number) => ({ record: { holderIdentity: holder, leaseDurationSeconds: 2 }, observedAt });
  it('waits the jittered period while the lease is far from expiry, or free, or ours', () => {
    expect(nextAttemptDelay(undefined, 'me', 0, 2000, 700)).toBe(700);
    expect(nextAttemptDelay(held('', 0), 'me', 100, 2000, 700)).toBe(700);
    expect(nextAttemptDelay(held('me', 0), 'me', 1900, 2000, 700)).toBe(700);
    expect(nextAttemptDelay(held('other', 1000), 'me', 1000, 2000, 700)).toBe(700);
  });
  it('wakes exactly at expiry when that comes first', () => {
    expect(nextAttemptDelay(held('other', 1000), 'me', 2600, 2000, 700)).toBe(400);
    // the holder's longer lease duration counts
    expect(nextAttemptDelay({ record: { holderIdentity: 'other', leaseDurationSeconds: 5 }, observedAt: 0 }, 'me', 4800, 2000, 700)).toBe(200);
  });
  it('falls back to the period once expired (a lost race or a failing apiserver must not spin)', () => {
    expect(nextAttemptDelay(held('other', 0), 'me', 2000, 2000, 700)).toBe(700);
    expect(nextAttemptDelay(held('other', 0), 'me', 9000, 2000, 700)).toBe(700);
  });
});
