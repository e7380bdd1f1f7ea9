import { describe, expect, it } from 'vitest';
import { selectorFromSpec, type Pod } from '@kubesim/api';
import { claimDecision, claimObjects, controllerRef } from './claim.js';
import type { ControllerClient } from './controller.js';

const sel = selectorFromSpec({ matchLabels: { app: 'web' } });
const owner = { uid: 'rs-1', deleting: false };
const pod = (labels: Record<string, string>, ownerUid?: string, extra: Partial<Pod['metadata']> = {}): Pod => ({
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', labels, resourceVersion: '7', ...extra, ownerReferences: ownerUid ? [{ uid: ownerUid, controller: true, kind: 'ReplicaSet', name: 'x' }] : undefined },
});

describe('claimDecision', () => {
  it('keeps its own matching objects', () => expect(claimDecision(owner, sel, pod({ app: 'web' }, 'rs-1'))).toBe('owned'));
  it('releases its own objects that stopped matching', () => expect(claimDecision(owner, sel, pod({ app: 'db' }, 'rs-1'))).toBe('release'));
  it('releases nothing while being deleted', () => expect(claimDecision({ ...owner, deleting: true }, sel, pod({ app: 'db' }, 'rs-1'))).toBe('ignore'));
  it('adopts matching orphans', () => expect(claimDecision(owner, sel, pod({ app: 'web' }))).toBe('adopt'));
  it('does not adopt non-matching orphans', () => expect(claimDecision(owner, sel, pod({ app: 'db' }))).toBe('ignore'));
  it('does not adopt terminating orphans', () => expect(claimDecision(owner, sel, pod({ app: 'web' }, undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe('ignore'));
  it('does not adopt while being deleted', () => expect(claimDecision({ ...owner, deleting: true }, sel, pod({ app: 'web' }))).toBe('ignore'));
  it("leaves another controller's objects alone", () => expect(claimDecision(owner, sel, pod({ app: 'web' }, 'rs-2'))).toBe('ignore'));
  it('an object with only a non-controller owner is an orphan', () => {
    const p = pod({ app: 'web' });
    p.metadata!.ownerReferences = [{ uid: 'x', controller: false }];
    expect(claimDecision(owner, sel, p)).toBe('adopt');
  });
});

describe('claimObjects', () => {
  it('patches adoptions and releases with the cached resourceVersion', async () => {
    const patches: Array<{ name: string; patch: unknown }> = [];
    const client = {
      patch: async (_r: string, _ns: string, name: string, patch: unknown) => {
        patches.push({ name, patch });
        return { metadata: { name } };
      },
    } as unknown as ControllerClient;
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', uid: 'rs-1' } } as const;
    const a = pod({ app: 'web' }, 'rs-1', { name: 'a' });
    const b = pod({ app: 'web' }, undefined, { name: 'b' });
    const c = pod({ app: 'db' }, 'rs-1', { name: 'c' });
    const claimed = await claimObjects(client, 'pods', rs, sel, [a, b, c]);
    expect(claimed.map((p) => p.metadata?.name).sort()).toEqual(['a', 'b']);
    expect(patches).toContainEqual({ name: 'b', patch: { metadata: { ownerReferences: [controllerRef(rs)], resourceVersion: '7' } } });
    expect(patches).toContainEqual({ name: 'c', patch: { metadata: { ownerReferences: null, resourceVersion: '7' } } });
    expect(controllerRef(rs)).toEqual({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1', controller: true, blockOwnerDeletion: true });
  });
});
