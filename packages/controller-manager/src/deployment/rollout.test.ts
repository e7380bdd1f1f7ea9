import { describe, expect, it } from 'vitest';
import type { Deployment, IntOrString, ReplicaSet } from '@kubesim/api';
import { maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, rollingUpdateStep, scaledValue } from './rollout.js';

const dep = (replicas: number, surge: IntOrString = '25%', unavailable: IntOrString = '25%', type = 'RollingUpdate'): Deployment => ({
  metadata: { name: 'd', generation: 1 },
  spec: { replicas, strategy: { type, rollingUpdate: type === 'RollingUpdate' ? { maxSurge: surge, maxUnavailable: unavailable } : undefined } },
});
const rs = (name: string, replicas: number, available = replicas, created = '2026-01-01T00:00:00Z'): ReplicaSet => ({
  metadata: { name, creationTimestamp: created },
  spec: { replicas },
  status: { replicas, availableReplicas: available },
});
const step = (d: Deployment, n: ReplicaSet | undefined, olds: ReplicaSet[]) => Object.fromEntries(rollingUpdateStep(d, n, olds).scale);

describe('fenceposts', () => {
  it.each([
    // [surge, unavailable, replicas] -> [surge, unavailable]
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 10, 3, 2], // surge rounds up, unavailable rounds down
    ['25%', '25%', 1, 1, 0],
    ['0%', '0%', 10, 0, 1], // both zero is impossible: unavailable becomes 1
    [0, 0, 3, 0, 1],
    [2, 1, 5, 2, 1],
    ['50%', 0, 3, 2, 0],
    [0, '34%', 3, 0, 1],
    ['100%', '100%', 7, 7, 7],
  ] as Array<[IntOrString, IntOrString, number, number, number]>)('%s/%s of %i -> surge %i unavailable %i', (s, u, n, es, eu) => {
    expect(resolveFenceposts(s, u, n)).toEqual({ surge: es, unavailable: eu });
  });
  it('scaledValue takes ints, int strings and percentages; rejects junk', () => {
    expect(scaledValue(3, 10, true)).toBe(3);
    expect(scaledValue('3', 10, true)).toBe(3);
    expect(scaledValue('33%', 10, true)).toBe(4);
    expect(scaledValue('33%', 10, false)).toBe(3);
    expect(() => scaledValue('abc', 10, true)).toThrow(/invalid value for IntOrString/);
  });
  it('maxUnavailable is capped at replicas and 0 for Recreate', () => {
    expect(maxUnavailable(dep(2, 0, 5))).toBe(2);
    expect(maxUnavailable(dep(3, 0, 0, 'Recreate'))).toBe(0);
    expect(maxSurge(dep(3, 1, 0, 'Recreate'))).toBe(0);
  });
});

describe('newRSNewReplicas', () => {
  it('grows the new ReplicaSet up to replicas + maxSurge in total', () => {
    const d = dep(10, 3, 2);
    const n = rs('new', 0);
    expect(newRSNewReplicas(d, [n, rs('old', 10)], n)).toBe(3);
    expect(newRSNewReplicas(d, [rs('new', 3), rs('old', 10)], rs('new', 3))).toBe(3); // at the cap
    expect(newRSNewReplicas(d, [rs('new', 3), rs('old', 8)], rs('new', 3))).toBe(5);
    expect(newRSNewReplicas(d, [rs('new', 9), rs('old', 0)], rs('new', 9))).toBe(10); // never beyond replicas
  });
  it('Recreate: straight to replicas', () => expect(newRSNewReplicas(dep(4, 1, 1, 'Recreate'), [rs('new', 0)], rs('new', 0))).toBe(4));
});

describe('rollingUpdateStep', () => {
  it('first scales up the new ReplicaSet within maxSurge, and that is the whole step', () => {
    expect(step(dep(4, 1, 1), rs('new', 0, 0), [rs('old', 4)])).toEqual({ new: 1 });
  });
  it('then scales old down only as far as availability allows', () => {
    // 4 wanted, 1 unavailable allowed: old 4 available + new 1 unavailable; total 5.
    // maxScaledDown = 5 - 3 - 1 = 1: one old pod goes.
    expect(step(dep(4, 1, 1), rs('new', 1, 0), [rs('old', 4)])).toEqual({ old: 3 });
    // New pod available: 5 available, min 3 -> 2 may go.
    expect(step(dep(4, 1, 1), rs('new', 1, 1), [rs('old', 4)])).toEqual({ old: 2 });
  });
  it('with maxUnavailable 0, nothing old goes until new pods are available', () => {
    expect(step(dep(3, 1, 0), rs('new', 1, 0), [rs('old', 3)])).toEqual({});
    expect(step(dep(3, 1, 0), rs('new', 1, 1), [rs('old', 3)])).toEqual({ old: 2 });
  });
  it('with maxSurge 0, old pods go first to make room', () => {
    expect(step(dep(3, 0, 1), rs('new', 0, 0), [rs('old', 3)])).toEqual({ old: 2 });
    expect(step(dep(3, 0, 1), rs('new', 0, 0), [rs('old', 2)])).toEqual({ new: 1 });
  });
  it('unavailable old pods are removed first, even past the available budget', () => {
    // Old has 4 replicas of which 2 are unavailable; new has 1 available pod.
    // maxScaledDown = 5 - 3 - 0 = 2: the 2 unhealthy go; available = 2+1 = 3 = min: no more.
    expect(step(dep(4, 1, 1), rs('new', 1, 1), [rs('old', 4, 2)])).toEqual({ old: 2 });
  });
  it('does not count old pods its ReplicaSet is about to delete (status not yet caught up)', () => {
    // Old was just cut to 2 but its status still says 3 available; new has 2 of 3 available.
    // Really available: 2 + 2 = 4, min 3: one old pod may go, not two.
    expect(step(dep(4, 1, 1), rs('new', 3, 2), [rs('old', 2, 3)])).toEqual({ old: 1 });
  });
  it('scales the oldest old ReplicaSets down first', () => {
    const a = rs('a', 2, 2, '2026-01-01T00:00:00Z');
    const b = rs('b', 2, 2, '2026-01-02T00:00:00Z');
    // 4 wanted, unavailable 2: available 4+1 = 5, min 2: 3 may go: a (2) then b (1).
    expect(step(dep(4, 1, 2), rs('new', 1, 1), [b, a])).toEqual({ a: 0, b: 1 });
  });
  it('a new ReplicaSet larger than wanted is cut down to replicas', () => expect(step(dep(3), rs('new', 5), [])).toEqual({ new: 3 }));
  it('nothing to do once complete', () => expect(step(dep(3), rs('new', 3), [rs('old', 0, 0)])).toEqual({}));
  it('scaling up a complete deployment grows the new ReplicaSet (the total stays within surge)', () => expect(step(dep(10), rs('new', 4), [])).toEqual({ new: 10 }));

  it('converges for every small case without breaking the fenceposts', () => {
    // Simulate: each step is applied, then pods of the new RS become available at once.
    for (let replicas = 1; replicas <= 6; replicas++)
      for (let s = 0; s <= 2; s++)
        for (let u = 0; u <= 2; u++) {
          const d = dep(replicas, s, u);
          const { surge, unavailable } = resolveFenceposts(s, u, replicas);
          let n = rs('new', 0, 0);
          let o = rs('old', replicas, replicas);
          for (let i = 0; i < 100 && !(n.spec!.replicas === replicas && o.spec!.replicas === 0); i++) {
            const sc = rollingUpdateStep(d, n, [o]).scale;
            expect(sc.size, `stuck at new=${n.spec!.replicas} old=${o.spec!.replicas} (${replicas} ${s}/${u})`).toBeGreaterThan(0);
            if (sc.has('new')) n = rs('new', sc.get('new')!, n.status!.availableReplicas);
            if (sc.has('old')) o = rs('old', sc.get('old')!, Math.min(o.status!.availableReplicas!, sc.get('old')!));
            expect(n.spec!.replicas! + o.spec!.replicas!).toBeLessThanOrEqual(replicas + surge);
            expect(n.status!.availableReplicas! + o.status!.availableReplicas!).toBeGreaterThanOrEqual(Math.min(replicas - unavailable, replicas));
            // The new pods become available before the next step.
            n = rs('new', n.spec!.replicas!, n.spec!.replicas!);
          }
          expect([n.spec!.replicas, o.spec!.replicas]).toEqual([replicas, 0]);
        }
  });

  it('keeps the fenceposts when ReplicaSet statuses lag behind their deletions', () => {
    for (const lag of [1, 2, 3])
      for (let replicas = 1; replicas <= 6; replicas++)
        for (let s = 0; s <= 2; s++)
          for (let u = 0; u <= 2; u++) {
            const d = dep(replicas, s, u);
            const { unavailable } = resolveFenceposts(s, u, replicas);
            let newSpec = 0;
            let newReady = 0; // new pods available: one more each step, up to its size
            let oldSpec = replicas;
            let oldReal = replicas; // old pods really there and available
            const seen = [replicas]; // the old ReplicaSet's available count as its status says, `lag` steps late
            for (let i = 0; i < 200 && !(newSpec === replicas && newReady === replicas && oldSpec === 0); i++) {
              const oldStatus = seen[Math.max(0, seen.length - 1 - lag)];
              const sc = rollingUpdateStep(d, rs('new', newSpec, newReady), [rs('old', oldSpec, oldStatus)]).scale;
              if (sc.has('new')) newSpec = sc.get('new')!;
              if (sc.has('old')) oldSpec = sc.get('old')!;
              oldReal = Math.min(oldReal, oldSpec);
              newReady = Math.min(newSpec, newReady);
              seen.push(oldReal);
              expect(newReady + oldReal, `lag ${lag}, ${replicas} ${s}/${u}, step ${i}`).toBeGreaterThanOrEqual(Math.min(replicas - unavailable, replicas));
              newReady = Math.min(newSpec, newReady + 1);
            }
            expect([newSpec, oldSpec]).toEqual([replicas, 0]);
          }
  });
});
