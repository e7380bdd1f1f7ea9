import { describe, expect, it } from 'vitest';
import { resourceForKind, type ConfigMap, type KubeObject, type Pod } from '@kubesim/api';
import { planDelete } from './deletion.js';

const NOW = '2030-01-01T00:00:00Z';
const podInfo = resourceForKind('Pod');
const cmInfo = resourceForKind('ConfigMap');

function pod(p: { nodeName?: string; phase?: string; grace?: number; finalizers?: string[]; dt?: string; dgps?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: '7', generation: 1, finalizers: p.finalizers, deletionTimestamp: p.dt, deletionGracePeriodSeconds: p.dgps },
    spec: { nodeName: p.nodeName, terminationGracePeriodSeconds: p.grace, containers: [{ name: 'c', image: 'i' }] },
    status: { phase: p.phase ?? 'Running' },
  };
}

function cm(finalizers?: string[], dt?: string): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', uid: 'u2', resourceVersion: '9', generation: 1, finalizers, deletionTimestamp: dt, deletionGracePeriodSeconds: dt ? 0 : undefined } };
}

const meta = (o: KubeObject) => o.metadata!;

describe('planDelete', () => {
  it('removes plain objects', () => {
    expect(planDelete(cmInfo, cm(), {}, NOW).action).toBe('remove');
    expect(planDelete(cmInfo, cm(), { propagationPolicy: 'Background' }, NOW).action).toBe('remove');
  });

  it('marks objects with finalizers as deleting, once', () => {
    const plan = planDelete(cmInfo, cm(['x']), {}, NOW);
    expect(plan.action).toBe('update');
    expect(meta(plan.obj)).toMatchObject({ deletionTimestamp: NOW, deletionGracePeriodSeconds: 0, generation: 2, finalizers: ['x'] });
    expect(planDelete(cmInfo, plan.obj, {}, '2030-01-01T00:00:09Z').action).toBe('none');
  });

  it('adds and swaps the propagation finalizers', () => {
    const fg = planDelete(cmInfo, cm(), { propagationPolicy: 'Foreground' }, NOW);
    expect(fg.action).toBe('update');
    expect(meta(fg.obj).finalizers).toEqual(['foregroundDeletion']);
    const or = planDelete(cmInfo, fg.obj, { propagationPolicy: 'Orphan' }, NOW);
    expect(meta(or.obj).finalizers).toEqual(['orphan']);
    // No policy keeps what the object already asked for.
    expect(planDelete(cmInfo, or.obj, {}, NOW).action).toBe('none');
    // Background drops them: nothing holds it any more, so it goes.
    expect(planDelete(cmInfo, or.obj, { propagationPolicy: 'Background' }, NOW).action).toBe('remove');
    expect(() => planDelete(cmInfo, cm(), { propagationPolicy: 'Sideways' }, NOW)).toThrow(/Unsupported value: "Sideways"/);
  });

  it('removes unbound and terminal pods at once', () => {
    expect(planDelete(podInfo, pod(), {}, NOW).action).toBe('remove');
    expect(planDelete(podInfo, pod({ nodeName: 'n', phase: 'Succeeded' }), {}, NOW).action).toBe('remove');
    expect(planDelete(podInfo, pod({ nodeName: 'n', phase: 'Failed' }), {}, NOW).action).toBe('remove');
    expect(planDelete(podInfo, pod({ nodeName: 'n' }), { gracePeriodSeconds: 0 }, NOW).action).toBe('remove');
  });

  it('gives bound pods their grace period: request, then spec, then 30 s', () => {
    const byDefault = planDelete(podInfo, pod({ nodeName: 'n' }), {}, NOW);
    expect(byDefault.action).toBe('update');
    expect(meta(byDefault.obj)).toMatchObject({ deletionTimestamp: '2030-01-01T00:00:30Z', deletionGracePeriodSeconds: 30, generation: 2 });
    expect(meta(planDelete(podInfo, pod({ nodeName: 'n', grace: 5 }), {}, NOW).obj).deletionGracePeriodSeconds).toBe(5);
    expect(meta(planDelete(podInfo, pod({ nodeName: 'n', grace: 5 }), { gracePeriodSeconds: 2 }, NOW).obj).deletionGracePeriodSeconds).toBe(2);
    // Negative means "as soon as possible": one second.
    expect(meta(planDelete(podInfo, pod({ nodeName: 'n' }), { gracePeriodSeconds: -5 }, NOW).obj).deletionGracePeriodSeconds).toBe(1);
  });

  it('only shortens a pending grace period', () => {
    const terminating = pod({ nodeName: 'n', dt: '2030-01-01T00:00:30Z', dgps: 30 });
    expect(planDelete(podInfo, terminating, {}, NOW).action).toBe('none');
    expect(planDelete(podInfo, terminating, { gracePeriodSeconds: 30 }, NOW).action).toBe('none');
    expect(planDelete(podInfo, terminating, { gracePeriodSeconds: 60 }, NOW).action).toBe('none');
    const shorter = planDelete(podInfo, terminating, { gracePeriodSeconds: 10 }, NOW);
    expect(shorter.action).toBe('update');
    expect(meta(shorter.obj)).toMatchObject({ deletionTimestamp: '2030-01-01T00:00:10Z', deletionGracePeriodSeconds: 10 });
    expect(planDelete(podInfo, terminating, { gracePeriodSeconds: 0 }, NOW).action).toBe('remove');
  });

  it('keeps a pod with finalizers after grace 0, with no grace left', () => {
    const terminating = pod({ nodeName: 'n', dt: '2030-01-01T00:00:30Z', dgps: 30, finalizers: ['f'] });
    const plan = planDelete(podInfo, terminating, { gracePeriodSeconds: 0 }, NOW);
    expect(plan.action).toBe('update');
    expect(meta(plan.obj)).toMatchObject({ deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 });
    expect(planDelete(podInfo, plan.obj, { gracePeriodSeconds: 0 }, NOW).action).toBe('none');
  });

  it('checks uid and resourceVersion preconditions', () => {
    expect(() => planDelete(cmInfo, cm(), { preconditions: { uid: 'zz' } }, NOW)).toThrow('Operation cannot be fulfilled on configmaps "c": the UID in the precondition (zz) does not match the UID in record (u2). The object might have been deleted and then recreated');
    expect(() => planDelete(cmInfo, cm(), { preconditions: { resourceVersion: '8' } }, NOW)).toThrow(/the ResourceVersion in the precondition \(8\) does not match the ResourceVersion in record \(9\)/);
    expect(planDelete(cmInfo, cm(), { preconditions: { uid: 'u2', resourceVersion: '9' } }, NOW).action).toBe('remove');
  });

  it('does not change its input', () => {
    const p = pod({ nodeName: 'n' });
    const copy = structuredClone(p);
    planDelete(podInfo, p, { propagationPolicy: 'Foreground' }, NOW);
    expect(p).toEqual(copy);
  });
});
