import { describe, expect, it } from 'vitest';
import type { Taint } from '@kubesim/api';
import { reconcileTaints, TAINT_NOT_READY, TAINT_UNREACHABLE, wantedTaints } from './taints.js';

const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 10));
const earlier = '2026-01-01T00:00:00Z';
const at = '2026-01-01T00:00:10Z';

describe('node taints from Ready', () => {
  it('wanted taints per Ready status', () => {
    expect(wantedTaints('True')).toEqual([]);
    expect(wantedTaints(undefined)).toEqual([]);
    expect(wantedTaints('False')).toEqual([{ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' }]);
    expect(wantedTaints('Unknown')).toEqual([{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' }]);
  });

  it('Unknown adds unreachable NoSchedule and NoExecute with timeAdded now', () => {
    expect(reconcileTaints(undefined, 'Unknown', now)).toEqual([
      { key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: at },
      { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: at },
    ]);
  });

  it('nothing to do when the taints already match (timeAdded kept)', () => {
    const have: Taint[] = [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: earlier }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: earlier }];
    expect(reconcileTaints(have, 'Unknown', now)).toBeUndefined();
    expect(reconcileTaints([], 'True', now)).toBeUndefined();
    expect(reconcileTaints(undefined, 'True', now)).toBeUndefined();
  });

  it('swaps not-ready for unreachable when the agent goes silent, and keeps a half that is there', () => {
    const have: Taint[] = [{ key: TAINT_NOT_READY, effect: 'NoSchedule', timeAdded: earlier }, { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: earlier }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: earlier }];
    expect(reconcileTaints(have, 'Unknown', now)).toEqual([{ key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: earlier }, { key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: at }]);
  });

  it('Ready again removes only the controller taints, other taints stay', () => {
    const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoExecute' };
    const mine: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: earlier };
    const prefer: Taint = { key: TAINT_UNREACHABLE, effect: 'PreferNoSchedule' };
    expect(reconcileTaints([user, mine, prefer], 'True', now)).toEqual([user, prefer]);
  });

  it('False adds not-ready and removes unreachable', () => {
    expect(reconcileTaints([{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }], 'False', now)).toEqual([
      { key: TAINT_NOT_READY, effect: 'NoSchedule', timeAdded: at },
      { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: at },
    ]);
  });
});
