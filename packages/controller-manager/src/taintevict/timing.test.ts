import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '@kubesim/api';
import { FakeClock } from '@kubesim/client';
import { toleratesTaint } from '@kubesim/api';
import { decideEviction, type EvictionInput } from './timing.js';

const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' } satisfies Taint;
const NOT_READY = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' } satisfies Taint;
const T0 = Date.UTC(2026, 0, 1);
const tol = (key: string, seconds?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });
const DEFAULTS = [tol('node.kubernetes.io/not-ready', 300), tol('node.kubernetes.io/unreachable', 300)];

function input(taints: Taint[], tolerations: Toleration[] | undefined, nowMs: number, extra: Partial<EvictionInput> = {}): EvictionInput {
  return { taints, tolerations, nowMs, taintStartMs: (t) => Date.parse(t.timeAdded!), ...extra };
}

describe('decideEviction', () => {
  it('no NoExecute taint: keep', () => {
    expect(decideEviction(input([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }], undefined, T0))).toEqual({ action: 'keep' });
    expect(decideEviction(input([], undefined, T0))).toEqual({ action: 'keep' });
  });

  it('no matching toleration: evict at once', () => {
    expect(decideEviction(input([UNREACHABLE], undefined, T0))).toEqual({ action: 'evict', taint: UNREACHABLE, expired: false });
    expect(decideEviction(input([UNREACHABLE], [tol('node.kubernetes.io/not-ready', 300)], T0))).toMatchObject({ action: 'evict', expired: false });
    // A NoSchedule toleration does not tolerate a NoExecute taint.
    expect(decideEviction(input([UNREACHABLE], [{ key: UNREACHABLE.key, operator: 'Exists', effect: 'NoSchedule' }], T0))).toMatchObject({ action: 'evict' });
  });

  it('tolerationSeconds: wait until timeAdded + seconds, then evict (walked with a FakeClock)', () => {
    const clock = new FakeClock(0, T0);
    const d = decideEviction(input([UNREACHABLE], DEFAULTS, clock.wallNow().getTime()));
    expect(d).toEqual({ action: 'wait', atMs: T0 + 300_000, taint: UNREACHABLE });
    clock.advance(299_999);
    expect(decideEviction(input([UNREACHABLE], DEFAULTS, clock.wallNow().getTime())).action).toBe('wait');
    clock.advance(1);
    expect(decideEviction(input([UNREACHABLE], DEFAULTS, clock.wallNow().getTime()))).toEqual({ action: 'evict', taint: UNREACHABLE, expired: true });
  });

  it('time counts from timeAdded, not from when the controller looks', () => {
    expect(decideEviction(input([UNREACHABLE], DEFAULTS, T0 + 301_000))).toMatchObject({ action: 'evict', expired: true });
  });

  it('a pod created after the taint counts from its creation', () => {
    expect(decideEviction(input([UNREACHABLE], DEFAULTS, T0 + 400_000, { podCreatedMs: T0 + 200_000 }))).toEqual({ action: 'wait', atMs: T0 + 500_000, taint: UNREACHABLE });
  });

  it('tolerating forever (no tolerationSeconds): keep', () => {
    expect(decideEviction(input([UNREACHABLE], [tol(UNREACHABLE.key)], T0 + 1e9))).toEqual({ action: 'keep' });
    // Empty key + Exists tolerates everything.
    expect(decideEviction(input([UNREACHABLE, NOT_READY], [{ operator: 'Exists' }], T0 + 1e9))).toEqual({ action: 'keep' });
  });

  it('zero or negative seconds: evict at once', () => {
    expect(decideEviction(input([UNREACHABLE], [tol(UNREACHABLE.key, 0)], T0))).toMatchObject({ action: 'evict', expired: true });
    expect(decideEviction(input([UNREACHABLE], [tol(UNREACHABLE.key, -5)], T0))).toMatchObject({ action: 'evict', expired: true });
  });

  it('the first matching toleration decides (as Kubernetes getMatchingTolerations)', () => {
    expect(decideEviction(input([UNREACHABLE], [tol(UNREACHABLE.key, 10), tol(UNREACHABLE.key)], T0))).toMatchObject({ action: 'wait', atMs: T0 + 10_000 });
    expect(decideEviction(input([UNREACHABLE], [tol(UNREACHABLE.key), tol(UNREACHABLE.key, 10)], T0))).toEqual({ action: 'keep' });
  });

  it('several taints: any untolerated one evicts, else the earliest deadline wins', () => {
    const user: Taint = { key: 'maintenance', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:30Z' };
    expect(decideEviction(input([UNREACHABLE, user], DEFAULTS, T0))).toMatchObject({ action: 'evict', taint: user, expired: false });
    const tols = [...DEFAULTS, { key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }];
    expect(decideEviction(input([UNREACHABLE, user], tols, T0))).toEqual({ action: 'wait', atMs: T0 + 90_000, taint: user });
    const forever = [...DEFAULTS, { key: 'maintenance', operator: 'Exists' }];
    expect(decideEviction(input([UNREACHABLE, user], forever, T0))).toEqual({ action: 'wait', atMs: T0 + 300_000, taint: UNREACHABLE });
  });

  it('uses the start the caller gives for taints without timeAdded', () => {
    const bare: Taint = { key: UNREACHABLE.key, effect: 'NoExecute' };
    expect(decideEviction(input([bare], DEFAULTS, T0, { taintStartMs: () => T0 - 100_000 }))).toMatchObject({ action: 'wait', atMs: T0 + 200_000 });
  });
});

describe('toleratesTaint', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  it.each([
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }, true],
    [{ key: 'k', value: 'v' }, true],
    [{ key: 'k', value: 'w' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'other', operator: 'Exists' }, false],
    [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, false],
    [{ key: 'k', operator: 'Bogus' }, false],
  ] as Array<[Toleration, boolean]>)('%j -> %s', (t, want) => expect(toleratesTaint(t, taint)).toBe(want));
});
