import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '@kubesim/api';
import { calculateStatus, deploymentComplete, deploymentStatusChanged, deploymentTimedOut, rolloutStatus, setCondition, condition } from './status.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const d = (over: Partial<Deployment> = {}): Deployment => ({
  metadata: { name: 'web', generation: 2 },
  spec: { replicas: 4, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } },
  ...over,
});
const rs = (name: string, spec: number, replicas: number, ready: number, available: number): ReplicaSet => ({ metadata: { name }, spec: { replicas: spec }, status: { replicas, readyReplicas: ready, availableReplicas: available } });

describe('Deployment status', () => {
  it('sums ReplicaSets; updated counts the new one; Available follows maxUnavailable', () => {
    const s = calculateStatus(d(), [rs('new', 2, 2, 1, 1), rs('old', 3, 3, 3, 2)], rs('new', 2, 2, 1, 1), '2026-01-01T00:00:00Z');
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 3, unavailableReplicas: 2 });
    expect(s.conditions).toEqual([{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const low = calculateStatus(d(), [rs('new', 4, 4, 2, 2)], rs('new', 4, 4, 2, 2), '2026-01-01T00:00:00Z');
    expect(low.conditions?.[0]).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  it('setCondition keeps the transition time for the same status and changes nothing for the same reason', () => {
    const s = { conditions: [condition('Progressing', 'True', 'A', 'm', '2026-01-01T00:00:00Z')] };
    setCondition(s, condition('Progressing', 'True', 'A', 'other', '2026-01-02T00:00:00Z'));
    expect(s.conditions[0].message).toBe('m');
    setCondition(s, condition('Progressing', 'True', 'B', 'x', '2026-01-02T00:00:00Z'));
    expect(s.conditions[0]).toMatchObject({ reason: 'B', lastTransitionTime: '2026-01-01T00:00:00Z', lastUpdateTime: '2026-01-02T00:00:00Z' });
  });

  it('Progressing: ReplicaSetUpdated while moving, NewReplicaSetAvailable when complete', () => {
    const moving = rolloutStatus(d({ status: { updatedReplicas: 1, replicas: 5 } }), [rs('new', 2, 2, 0, 0), rs('old', 3, 3, 3, 3)], rs('new', 2, 2, 0, 0), T0);
    expect(moving.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "new" is progressing.' });
    expect(moving.requeueAfterMs).toBe(601_000);
    const all = [rs('new', 4, 4, 4, 4)];
    const done = rolloutStatus(d(), all, all[0], T0);
    expect(done.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "new" has successfully progressed.' });
    expect(done.requeueAfterMs).toBeUndefined();
    expect(deploymentComplete(d(), done.status)).toBe(true);
  });

  it('ProgressDeadlineExceeded after progressDeadlineSeconds without progress', () => {
    const stuck = d({ status: { replicas: 5, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3, conditions: [condition('Progressing', 'True', 'ReplicaSetUpdated', 'x', '2026-01-01T00:00:00Z')] } });
    const all = [rs('new', 2, 2, 0, 0), rs('old', 3, 3, 3, 3)];
    expect(deploymentTimedOut(stuck, stuck.status!, T0 + 600_000)).toBe(false);
    expect(deploymentTimedOut(stuck, stuck.status!, T0 + 600_001)).toBe(true);
    const r = rolloutStatus(stuck, all, all[0], T0 + 601_000);
    expect(r.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "new" has timed out progressing.' });
  });

  it('no progress deadline: no Progressing condition', () => {
    const x = d();
    x.spec!.progressDeadlineSeconds = undefined;
    x.status = { conditions: [condition('Progressing', 'True', 'A', 'm', '2026-01-01T00:00:00Z')] };
    expect(rolloutStatus(x, [], undefined, T0).status.conditions?.map((c) => c.type)).toEqual(['Available']);
  });

  it('statusChanged compares what the controller writes', () => {
    const s = calculateStatus(d(), [], undefined, '2026-01-01T00:00:00Z');
    expect(deploymentStatusChanged(s, structuredClone(s))).toBe(false);
    expect(deploymentStatusChanged(undefined, s)).toBe(true);
  });
});
