import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { planPodGC, type PodGCInput } from './plan.js';

function pod(name: string, o: { node?: string; phase?: string; created?: string; terminating?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}) },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running' },
  };
}

const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name);

function input(pods: Pod[], o: Partial<PodGCInput> = {}): PodGCInput {
  return { pods, nodeExists: (n) => n === 'live', missingSince: new Map(), nowMs: 1_000_000, quarantineMs: 40_000, terminatedThreshold: 12500, ...o };
}

describe('planPodGC', () => {
  it('deletes the oldest terminated pods beyond the threshold', () => {
    const pods = [
      pod('new-done', { node: 'live', phase: 'Succeeded', created: '2026-01-01T00:03:00Z' }),
      pod('old-failed', { node: 'live', phase: 'Failed', created: '2026-01-01T00:01:00Z' }),
      pod('mid-done', { node: 'live', phase: 'Succeeded', created: '2026-01-01T00:02:00Z' }),
      pod('running', { node: 'live', created: '2025-01-01T00:00:00Z' }),
    ];
    expect(names(planPodGC(input(pods, { terminatedThreshold: 1 })).terminated)).toEqual(['old-failed', 'mid-done']);
    expect(planPodGC(input(pods, { terminatedThreshold: 3 })).terminated).toEqual([]);
    expect(planPodGC(input(pods, { terminatedThreshold: 0 })).terminated).toEqual([]);
  });

  it('terminating pods that were never bound go', () => {
    expect(names(planPodGC(input([pod('a', { terminating: true }), pod('b', { node: 'live', terminating: true }), pod('c')])).unscheduledTerminating)).toEqual(['a']);
  });

  it('a missing node is quarantined, then handed over for a live check', () => {
    const missingSince = new Map<string, number>();
    const pods = [pod('orphan', { node: 'gone' }), pod('fine', { node: 'live' })];
    const first = planPodGC(input(pods, { missingSince, nowMs: 1_000_000 }));
    expect(first.nodesToVerify).toEqual([]);
    expect(first.nextQuarantineEndMs).toBe(1_040_000);
    expect(missingSince.get('gone')).toBe(1_000_000);
    expect(planPodGC(input(pods, { missingSince, nowMs: 1_039_999 })).nodesToVerify).toEqual([]);
    const due = planPodGC(input(pods, { missingSince, nowMs: 1_040_000 }));
    expect(due.nodesToVerify).toEqual(['gone']);
    expect(due.nextQuarantineEndMs).toBeUndefined();
  });

  it('a node that shows up again leaves quarantine', () => {
    const missingSince = new Map<string, number>([['late', 1]]);
    planPodGC(input([pod('p', { node: 'late' })], { missingSince, nodeExists: () => true }));
    expect(missingSince.size).toBe(0);
  });

  it('unbound pods are never orphans', () => {
    expect(planPodGC(input([pod('pending')])).nextQuarantineEndMs).toBeUndefined();
  });
});
