import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubesim/api';
import { blocksOwner, decideDependent, refsWithout, type OwnerState } from './decide.js';

const obj = (owners: Array<{ uid: string; block?: boolean }>, meta: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject =>
  ({ kind: 'Pod', metadata: { name: 'p', ownerReferences: owners.map((o) => ({ uid: o.uid, kind: 'ReplicaSet', name: o.uid, blockOwnerDeletion: o.block })), ...meta } }) as KubeObject;
const states = (s: Record<string, OwnerState>) => new Map(Object.entries(s));

describe('decideDependent', () => {
  it('no owners: nothing', () => expect(decideDependent(obj([]), states({}), false)).toEqual({ action: 'none' }));
  it('a live owner: nothing', () => expect(decideDependent(obj([{ uid: 'a' }]), states({ a: 'present' }), false)).toEqual({ action: 'none' }));
  it('all owners gone: delete in the background', () => expect(decideDependent(obj([{ uid: 'a' }, { uid: 'b' }]), states({ a: 'absent', b: 'absent' }), false)).toEqual({ action: 'delete', policy: 'Background' }));
  it('one owner gone, another alive: drop only the dead reference', () =>
    expect(decideDependent(obj([{ uid: 'a' }, { uid: 'b' }]), states({ a: 'absent', b: 'present' }), false)).toEqual({ action: 'removeRefs', uids: ['a'] }));
  it('owner deleted in the foreground: delete (foreground if it has dependents of its own)', () => {
    expect(decideDependent(obj([{ uid: 'a', block: true }]), states({ a: 'deletingForeground' }), false)).toEqual({ action: 'delete', policy: 'Background' });
    expect(decideDependent(obj([{ uid: 'a', block: true }]), states({ a: 'deletingForeground' }), true)).toEqual({ action: 'delete', policy: 'Foreground' });
  });
  it('foreground owner plus a live owner: drop the reference to the going one', () =>
    expect(decideDependent(obj([{ uid: 'a' }, { uid: 'b' }]), states({ a: 'deletingForeground', b: 'present' }), false)).toEqual({ action: 'removeRefs', uids: ['a'] }));
  it('keeps its own deletion policy (finalizers) when deleted', () => {
    expect(decideDependent(obj([{ uid: 'a' }], { finalizers: ['orphan'] }), states({ a: 'absent' }), true)).toEqual({ action: 'delete', policy: 'Orphan' });
  });
  it('already being deleted: nothing', () => expect(decideDependent(obj([{ uid: 'a' }], { deletionTimestamp: '2026-01-01T00:00:00Z' }), states({ a: 'absent' }), false)).toEqual({ action: 'none' }));
  it('refsWithout and blocksOwner', () => {
    const o = obj([{ uid: 'a', block: true }, { uid: 'b' }]);
    expect(refsWithout(o, ['a'])?.map((r) => r.uid)).toEqual(['b']);
    expect(refsWithout(o, ['a', 'b'])).toBeNull();
    expect(blocksOwner(o, 'a')).toBe(true);
    expect(blocksOwner(o, 'b')).toBe(false);
  });
});
