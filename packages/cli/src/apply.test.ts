import { applyMergePatch, type KubeObject, type Pod } from '@kubesim/api';
import { describe, expect, it } from 'vitest';
import { LAST_APPLIED, computeApplyPatch, lastAppliedOf, withLastApplied, withoutLastApplied } from './apply.js';

const manifest = (extra: Partial<Pod['metadata']> = {}, image = 'nginx', labels: Record<string, string> = { app: 'web' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx', namespace: 'default', labels, ...extra },
  spec: { containers: [{ name: 'nginx', image }] },
});

/** What the server would hold after creating `m`: defaults filled, status and metadata added. */
function served(m: KubeObject): Pod {
  const p = structuredClone(withLastApplied(m)) as Pod;
  p.metadata = { ...p.metadata, uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' };
  p.spec!.containers = p.spec!.containers!.map((c) => ({ ...c, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' }));
  p.spec!.restartPolicy = 'Always';
  p.status = { phase: 'Running' };
  return p;
}

describe('last-applied annotation', () => {
  it('records the configuration with sorted keys, without itself', () => {
    const m = withLastApplied(manifest({ annotations: { team: 'a' } }));
    expect(m.metadata?.annotations?.team).toBe('a');
    const recorded = JSON.parse(m.metadata!.annotations![LAST_APPLIED]);
    expect(recorded).toEqual(manifest({ annotations: { team: 'a' } }));
    expect(Object.keys(recorded)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(lastAppliedOf(m)).toEqual(recorded);
    expect(withoutLastApplied(withLastApplied(manifest())).metadata?.annotations).toBeUndefined();
  });
  it('reads nothing from a missing or broken annotation', () => {
    expect(lastAppliedOf(manifest())).toBeUndefined();
    expect(lastAppliedOf(manifest({ annotations: { [LAST_APPLIED]: '{' } }))).toBeUndefined();
  });
});

describe('computeApplyPatch', () => {
  it('is undefined when the configuration did not change (server defaults do not count)', () => {
    expect(computeApplyPatch(manifest(), served(manifest()))).toBeUndefined();
  });
  it('sets a changed field and records the new configuration', () => {
    const live = served(manifest());
    const next = manifest({}, 'nginx', { app: 'web', tier: 'front' });
    const patch = computeApplyPatch(next, live)!;
    expect(patch).toEqual({ metadata: { labels: { tier: 'front' }, annotations: { [LAST_APPLIED]: withLastApplied(next).metadata!.annotations![LAST_APPLIED] } } });
  });
  it('removes a field that left the configuration, keeps fields others own', () => {
    const live = served(manifest({}, 'nginx', { app: 'web', tier: 'front' }));
    live.metadata!.labels!.owner = 'someone-else';
    const patch = computeApplyPatch(manifest(), live)!;
    const after = applyMergePatch(live, patch) as Pod;
    expect(after.metadata?.labels).toEqual({ app: 'web', owner: 'someone-else' });
    expect(after.spec?.restartPolicy).toBe('Always');
  });
  it('replaces a list that changed in the configuration', () => {
    const live = served(manifest());
    const patch = computeApplyPatch(manifest({}, 'nginx:1.25'), live)!;
    expect((patch.spec as Pod['spec'])?.containers).toEqual([{ name: 'nginx', image: 'nginx:1.25' }]);
  });
  it('restores a scalar someone changed on the live object', () => {
    const m: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3 } };
    const live = structuredClone(withLastApplied(m)) as KubeObject & { spec: { replicas: number } };
    live.spec.replicas = 5;
    expect(computeApplyPatch(m, live)).toMatchObject({ spec: { replicas: 3 } });
  });
  it('without a recorded configuration sets what differs and deletes nothing', () => {
    const live = served(manifest());
    delete live.metadata!.annotations;
    live.metadata!.labels = { app: 'web', extra: 'x' };
    const patch = computeApplyPatch(manifest(), live)!;
    expect(patch.metadata).toEqual({ annotations: { [LAST_APPLIED]: expect.any(String) } });
  });
  it('never patches status', () => {
    const m = { ...manifest(), status: { phase: 'Pending' } } as Pod;
    expect(computeApplyPatch(m, served(manifest()))?.status).toBeUndefined();
  });
});
