import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { comparePodsForDeletion, isPodActive, isPodAvailable, nextAvailableInMs, podsToDelete } from './pods.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './status.js';

interface P {
  name: string;
  node?: string;
  phase?: string;
  readySince?: string | null; // null: ready without a time; undefined: not ready
  restarts?: number;
  created?: string;
  terminating?: boolean;
  labels?: Record<string, string>;
}

function pod(p: P): Pod {
  return {
    metadata: { name: p.name, creationTimestamp: p.created, deletionTimestamp: p.terminating ? '2026-01-01T00:00:00Z' : undefined, labels: p.labels },
    spec: { nodeName: p.node },
    status: {
      phase: p.phase,
      conditions: p.readySince === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: p.readySince ?? undefined }],
      containerStatuses: [{ name: 'c', restartCount: p.restarts ?? 0 }],
    },
  };
}

const order = (...ps: P[]) => [...ps].map(pod).sort(comparePodsForDeletion).map((x) => x.metadata!.name);

describe('pod ranking for deletion (least valuable first)', () => {
  it('unassigned before assigned', () => expect(order({ name: 'b', node: 'n1' }, { name: 'a' })).toEqual(['a', 'b']));
  it('Pending < Unknown < Running', () =>
    expect(order({ name: 'r', node: 'n', phase: 'Running' }, { name: 'u', node: 'n', phase: 'Unknown' }, { name: 'p', node: 'n', phase: 'Pending' })).toEqual(['p', 'u', 'r']));
  it('not ready before ready', () => expect(order({ name: 'ready', node: 'n', phase: 'Running', readySince: '2026-01-01T00:00:00Z' }, { name: 'notready', node: 'n', phase: 'Running' })).toEqual(['notready', 'ready']));
  it('more recently ready first', () =>
    expect(order({ name: 'old', node: 'n', phase: 'Running', readySince: '2026-01-01T00:00:00Z' }, { name: 'new', node: 'n', phase: 'Running', readySince: '2026-01-01T00:05:00Z' })).toEqual(['new', 'old']));
  it('ready without a time counts as just ready', () =>
    expect(order({ name: 'old', node: 'n', phase: 'Running', readySince: '2026-01-01T00:00:00Z' }, { name: 'unknown', node: 'n', phase: 'Running', readySince: null })).toEqual(['unknown', 'old']));
  it('higher restart count first', () => expect(order({ name: 'few', node: 'n', restarts: 1 }, { name: 'many', node: 'n', restarts: 5 })).toEqual(['many', 'few']));
  it('newer first; no creation time first', () =>
    expect(order({ name: 'older', created: '2026-01-01T00:00:00Z' }, { name: 'newer', created: '2026-01-02T00:00:00Z' }, { name: 'none' })).toEqual(['none', 'newer', 'older']));
  it('criteria apply in priority order', () => {
    // Assignment outweighs everything below it; readiness outweighs restarts and age.
    expect(order({ name: 'assigned-pending', node: 'n', phase: 'Pending' }, { name: 'unassigned-running', phase: 'Running', readySince: '2026-01-01T00:00:00Z' })).toEqual(['unassigned-running', 'assigned-pending']);
    expect(order({ name: 'ready-many-restarts', node: 'n', phase: 'Running', readySince: '2026-01-01T00:00:00Z', restarts: 9 }, { name: 'notready-old', node: 'n', phase: 'Running', created: '2020-01-01T00:00:00Z' })).toEqual([
      'notready-old',
      'ready-many-restarts',
    ]);
  });
  it('is a total order (name breaks ties) and podsToDelete takes the first n', () => {
    expect(order({ name: 'b' }, { name: 'a' }, { name: 'c' })).toEqual(['a', 'b', 'c']);
    const ps = [pod({ name: 'x', node: 'n', phase: 'Running' }), pod({ name: 'y' }), pod({ name: 'z', node: 'n' })];
    expect(podsToDelete(ps, 2).map((p) => p.metadata!.name)).toEqual(['y', 'z']);
    expect(podsToDelete(ps, 0)).toEqual([]);
  });
});

describe('pod facts', () => {
  it('active: not finished, not terminating', () => {
    expect(isPodActive(pod({ name: 'a', phase: 'Running' }))).toBe(true);
    expect(isPodActive(pod({ name: 'a', phase: 'Succeeded' }))).toBe(false);
    expect(isPodActive(pod({ name: 'a', phase: 'Failed' }))).toBe(false);
    expect(isPodActive(pod({ name: 'a', terminating: true }))).toBe(false);
  });
  it('available: ready for minReadySeconds', () => {
    const p = pod({ name: 'a', readySince: '2026-01-01T00:00:00Z' });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(isPodAvailable(p, 0, t0)).toBe(true);
    expect(isPodAvailable(p, 10, t0 + 9_999)).toBe(false);
    expect(isPodAvailable(p, 10, t0 + 10_000)).toBe(true);
    expect(isPodAvailable(pod({ name: 'b' }), 0, t0)).toBe(false);
    expect(nextAvailableInMs([p], 10, t0 + 4_000)).toBe(6_000);
    expect(nextAvailableInMs([p], 10, t0 + 11_000)).toBeUndefined();
  });
});

describe('ReplicaSet status', () => {
  const rs = { metadata: { generation: 4 }, spec: { minReadySeconds: 10, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } } };
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  it('counts active pods only, labels, readiness and availability', () => {
    const pods = [
      pod({ name: 'a', labels: { app: 'web', tier: 'fe' }, readySince: '2026-01-01T00:00:00Z' }),
      pod({ name: 'b', labels: { app: 'web' }, readySince: '2026-01-01T00:00:08Z' }),
      pod({ name: 'c', labels: { app: 'web', tier: 'fe' } }),
      pod({ name: 'd', labels: { app: 'web', tier: 'fe' }, terminating: true, readySince: '2026-01-01T00:00:00Z' }),
      pod({ name: 'e', labels: { app: 'web', tier: 'fe' }, phase: 'Succeeded' }),
    ];
    const s = calculateReplicaSetStatus(rs, pods, t0 + 10_000);
    expect(s).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
    expect(replicaSetStatusChanged(s, { ...s })).toBe(false);
    expect(replicaSetStatusChanged(undefined, s)).toBe(true);
    expect(replicaSetStatusChanged({ ...s, readyReplicas: 1 }, s)).toBe(true);
  });
  it('sets ReplicaFailure while failing and clears it after', () => {
    const failing = calculateReplicaSetStatus(rs, [], t0, { reason: 'FailedCreate', message: 'quota', now: '2026-01-01T00:00:00Z' });
    expect(failing.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const again = calculateReplicaSetStatus({ ...rs, status: failing }, [], t0, { reason: 'FailedCreate', message: 'quota', now: '2026-01-01T00:09:00Z' });
    expect(again.conditions?.[0].lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(calculateReplicaSetStatus({ ...rs, status: failing }, [], t0).conditions).toBeUndefined();
  });
});
