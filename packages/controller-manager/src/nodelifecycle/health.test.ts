import { describe, expect, it } from 'vitest';
import { nowMicroTimestamp, nowTimestamp, type Lease, type Node, type NodeCondition } from '@kubesim/api';
import { FakeClock } from '@kubesim/client';
import { decideNodeHealth, lastHeartbeatMs, MESSAGE_NEVER_UPDATED, MESSAGE_UNKNOWN, REASON_NEVER_UPDATED, REASON_UNKNOWN } from './health.js';

const T = { gracePeriodMs: 50_000, startupGracePeriodMs: 60_000 };

function cond(type: string, status: string, beat: Date, reason = 'KubeletReady'): NodeCondition {
  return { type, status, reason, message: 'm', lastHeartbeatTime: nowTimestamp(beat), lastTransitionTime: nowTimestamp(beat) };
}

function node(created: Date, conditions?: NodeCondition[]): Node {
  return { kind: 'Node', metadata: { name: 'n1', creationTimestamp: nowTimestamp(created) }, status: conditions ? { conditions } : {} };
}

function lease(renew: Date): Lease {
  return { kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: nowMicroTimestamp(renew) } };
}

function healthy(at: Date): Node {
  return node(new Date(at.getTime() - 3_600_000), [cond('MemoryPressure', 'False', at, 'KubeletHasSufficientMemory'), cond('DiskPressure', 'False', at), cond('PIDPressure', 'False', at), cond('Ready', 'True', at)]);
}

describe('decideNodeHealth', () => {
  it('a node heard from within the grace period is left as it reports itself', () => {
    const clock = new FakeClock();
    const n = healthy(clock.wallNow());
    clock.advance(50_000);
    const d = decideNodeHealth(n, undefined, clock.wallNow().getTime(), T);
    expect(d).toEqual({ observedReady: 'True', ready: 'True', staleAtMs: clock.wallNow().getTime() });
  });

  it('past the grace period every condition goes Unknown, heartbeat times kept', () => {
    const clock = new FakeClock();
    const beat = clock.wallNow();
    const n = healthy(beat);
    clock.advance(50_001);
    const d = decideNodeHealth(n, undefined, clock.wallNow().getTime(), T);
    expect(d.observedReady).toBe('True');
    expect(d.ready).toBe('Unknown');
    expect(d.conditions).toHaveLength(4);
    for (const c of d.conditions!) {
      expect(c).toMatchObject({ status: 'Unknown', reason: REASON_UNKNOWN, message: MESSAGE_UNKNOWN, lastHeartbeatTime: nowTimestamp(beat), lastTransitionTime: nowTimestamp(clock.wallNow()) });
    }
    expect(MESSAGE_UNKNOWN).toBe('Kubelet stopped posting node status.');
  });

  it('a renewed Lease keeps a node alive whose status is old', () => {
    const clock = new FakeClock();
    const n = healthy(clock.wallNow());
    clock.advance(45_000);
    const l = lease(clock.wallNow());
    clock.advance(45_000);
    expect(decideNodeHealth(n, l, clock.wallNow().getTime(), T).conditions).toBeUndefined();
    clock.advance(5_001);
    expect(decideNodeHealth(n, l, clock.wallNow().getTime(), T).ready).toBe('Unknown');
  });

  it('a newer status heartbeat counts even if the Lease is old', () => {
    const clock = new FakeClock();
    const l = lease(clock.wallNow());
    clock.advance(40_000);
    const n = healthy(clock.wallNow());
    clock.advance(40_000);
    expect(lastHeartbeatMs(n, l)).toBe(clock.wallNow().getTime() - 40_000);
    expect(decideNodeHealth(n, l, clock.wallNow().getTime(), T).ready).toBe('True');
  });

  it('an agent that reports Ready False while alive stays False (not-ready, not unreachable)', () => {
    const clock = new FakeClock();
    const n = healthy(clock.wallNow());
    n.status!.conditions![3] = cond('Ready', 'False', clock.wallNow(), 'KubeletNotReady');
    clock.advance(10_000);
    expect(decideNodeHealth(n, lease(clock.wallNow()), clock.wallNow().getTime(), T)).toMatchObject({ observedReady: 'False', ready: 'False' });
    expect(decideNodeHealth(n, lease(clock.wallNow()), clock.wallNow().getTime(), T).conditions).toBeUndefined();
  });

  it('a silent node that was Ready False goes Unknown too', () => {
    const clock = new FakeClock();
    const n = healthy(clock.wallNow());
    n.status!.conditions![3] = cond('Ready', 'False', clock.wallNow(), 'KubeletNotReady');
    clock.advance(60_000);
    const d = decideNodeHealth(n, undefined, clock.wallNow().getTime(), T);
    expect(d).toMatchObject({ observedReady: 'False', ready: 'Unknown' });
    expect(d.conditions!.find((c) => c.type === 'Ready')!.reason).toBe(REASON_UNKNOWN);
  });

  it('conditions already Unknown are not written again', () => {
    const clock = new FakeClock();
    const n = healthy(clock.wallNow());
    clock.advance(60_000);
    const first = decideNodeHealth(n, undefined, clock.wallNow().getTime(), T);
    const after = { ...n, status: { conditions: first.conditions } };
    clock.advance(5_000);
    const second = decideNodeHealth(after, undefined, clock.wallNow().getTime(), T);
    expect(second).toEqual({ observedReady: 'Unknown', ready: 'Unknown' });
  });

  it('a node that never posted status gets the startup grace, then NodeStatusNeverUpdated', () => {
    const clock = new FakeClock();
    const created = clock.wallNow();
    const n = node(created);
    clock.advance(59_000);
    expect(decideNodeHealth(n, undefined, clock.wallNow().getTime(), T)).toEqual({ observedReady: undefined, ready: undefined, staleAtMs: created.getTime() + 60_000 });
    clock.advance(2_000);
    const d = decideNodeHealth(n, undefined, clock.wallNow().getTime(), T);
    expect(d.ready).toBe('Unknown');
    expect(d.conditions!.map((c) => c.type).sort()).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    for (const c of d.conditions!) expect(c).toMatchObject({ status: 'Unknown', reason: REASON_NEVER_UPDATED, message: MESSAGE_NEVER_UPDATED, lastHeartbeatTime: nowTimestamp(created) });
  });

  it('a node with a Lease but no status yet counts from the Lease, with the startup grace', () => {
    const clock = new FakeClock();
    const n = node(clock.wallNow());
    clock.advance(50_000);
    const l = lease(clock.wallNow());
    clock.advance(55_000);
    expect(decideNodeHealth(n, l, clock.wallNow().getTime(), T).ready).toBeUndefined();
  });

  it('missing standard conditions are added as never updated beside the ones going Unknown', () => {
    const clock = new FakeClock();
    const n = node(new Date(clock.wallNow().getTime() - 1000), [cond('Ready', 'True', clock.wallNow())]);
    clock.advance(51_000);
    const d = decideNodeHealth(n, undefined, clock.wallNow().getTime(), T);
    expect(d.conditions!.find((c) => c.type === 'Ready')!.reason).toBe(REASON_UNKNOWN);
    expect(d.conditions!.find((c) => c.type === 'DiskPressure')!.reason).toBe(REASON_NEVER_UPDATED);
  });

  it('a node with no timestamps at all is not judged', () => {
    const n: Node = { kind: 'Node', metadata: { name: 'x' } };
    expect(decideNodeHealth(n, undefined, Date.now(), T)).toEqual({ observedReady: undefined, ready: undefined, staleAtMs: undefined });
  });
});
