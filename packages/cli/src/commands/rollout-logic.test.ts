import { describe, expect, it } from 'vitest';
import type { Deployment, Pod, ReplicaSet } from '@kubesim/api';
import { applyImages, deploymentRolloutStatus, planDrain, rollbackTarget, rolloutHistory, sameTemplate, templateForDeployment } from './rollout-logic.js';
import { parseDuration } from './workload.js';

const dep = (spec: number, status: Deployment['status'], generation = 2): Deployment => ({
  kind: 'Deployment',
  metadata: { name: 'web', generation, uid: 'd1' },
  spec: { replicas: spec },
  status: { observedGeneration: 2, ...status },
});

describe('deploymentRolloutStatus', () => {
  it.each([
    [dep(3, {}, 3), false, 'Waiting for deployment spec update to be observed...'],
    [dep(3, { updatedReplicas: 1, replicas: 4 }), false, 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...'],
    [dep(3, { updatedReplicas: 3, replicas: 4 }), false, 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'],
    [dep(3, { updatedReplicas: 3, replicas: 3, availableReplicas: 2 }), false, 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...'],
    [dep(3, { updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), true, 'deployment "web" successfully rolled out'],
    [dep(0, {}), true, 'deployment "web" successfully rolled out'],
  ])('%#', (d, done, message) => {
    expect(deploymentRolloutStatus(d)).toMatchObject({ done, message });
  });
  it('fails once the progress deadline passed', () => {
    const d = dep(3, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(deploymentRolloutStatus(d)).toMatchObject({ done: false, failed: true, message: 'deployment "web" exceeded its progress deadline' });
  });
});

const rs = (name: string, rev: number, image: string, cause?: string): ReplicaSet => ({
  kind: 'ReplicaSet',
  metadata: {
    name,
    annotations: { 'deployment.kubernetes.io/revision': String(rev), ...(cause ? { 'kubernetes.io/change-cause': cause } : {}) },
    ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }],
  },
  spec: { template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image }] } } },
});

describe('history and rollback', () => {
  const owned = [rs('a', 1, 'v1', 'first'), rs('c', 3, 'v3'), rs('b', 2, 'v2')];
  it('lists revisions in order with their change cause', () => {
    expect(rolloutHistory(owned)).toEqual([
      { revision: 1, changeCause: 'first' },
      { revision: 2, changeCause: '<none>' },
      { revision: 3, changeCause: '<none>' },
    ]);
  });
  it('rolls back to the previous revision by default, or the one asked', () => {
    expect(rollbackTarget(owned, 0).metadata?.name).toBe('b');
    expect(rollbackTarget(owned, 1).metadata?.name).toBe('a');
    expect(() => rollbackTarget(owned, 7)).toThrow('unable to find specified revision 7 in history');
    expect(() => rollbackTarget([owned[0]], 0)).toThrow('no rollout history found');
  });
  it('drops the hash label from a template taken back into a Deployment', () => {
    const t = templateForDeployment(owned[0]);
    expect(t.metadata?.labels).toEqual({ app: 'web' });
    expect(owned[0].spec?.template?.metadata?.labels?.['pod-template-hash']).toBe('a');
    expect(sameTemplate(t, owned[0].spec?.template)).toBe(true);
    expect(sameTemplate(t, owned[1].spec?.template)).toBe(false);
  });
});

describe('applyImages', () => {
  it('sets by container name or * and reports unknown names', () => {
    const cs = [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }];
    expect(applyImages(cs, [], { a: 'x:2', zz: 'q' })).toEqual({ changed: true, unmatched: ['zz'] });
    expect(cs[0].image).toBe('x:2');
    expect(applyImages(cs, [], { '*': 'z:9' }).changed).toBe(true);
    expect(cs.map((c) => c.image)).toEqual(['z:9', 'z:9']);
    expect(applyImages(cs, [], { a: 'z:9' }).changed).toBe(false);
  });
});

const pod = (name: string, opts: { owner?: string; phase?: string; emptyDir?: boolean } = {}): Pod => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...(opts.owner ? { ownerReferences: [{ kind: opts.owner, name: 'o', uid: 'u', controller: true }] } : {}) },
  spec: { containers: [{ name: 'c', image: 'i' }], ...(opts.emptyDir ? { volumes: [{ name: 'v', emptyDir: {} }] } : {}) },
  status: { phase: opts.phase ?? 'Running' },
});

describe('planDrain', () => {
  const none = { force: false, ignoreDaemonsets: false, deleteEmptydirData: false };
  it('evicts controlled pods', () => {
    const p = planDrain([pod('a', { owner: 'ReplicaSet' })], none);
    expect(p.errors).toEqual([]);
    expect(p.evict.map((x) => x.metadata?.name)).toEqual(['a']);
  });
  it('refuses bare pods unless forced', () => {
    expect(planDrain([pod('bare')], none).errors).toEqual(['cannot delete Pods that declare no controller (use --force to override): default/bare']);
    const forced = planDrain([pod('bare')], { ...none, force: true });
    expect(forced.errors).toEqual([]);
    expect(forced.warnings[0]).toContain('default/bare');
  });
  it('refuses DaemonSet pods unless ignored, and leaves them in place when ignored', () => {
    expect(planDrain([pod('ds', { owner: 'DaemonSet' })], none).errors[0]).toContain('DaemonSet-managed');
    expect(planDrain([pod('ds', { owner: 'DaemonSet' })], { ...none, ignoreDaemonsets: true }).evict).toEqual([]);
  });
  it('refuses emptyDir pods unless their data may go; finished pods never block', () => {
    expect(planDrain([pod('e', { owner: 'ReplicaSet', emptyDir: true })], none).errors[0]).toContain('local storage');
    expect(planDrain([pod('done', { phase: 'Succeeded', emptyDir: true })], none).errors).toEqual([]);
  });
});

describe('parseDuration', () => {
  it.each([['0s', 0], ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['90', 90_000], ['250ms', 250]])('%s', (t, ms) => expect(parseDuration(t)).toBe(ms));
  it('rejects nonsense', () => expect(() => parseDuration('soon')).toThrow('invalid duration'));
});
