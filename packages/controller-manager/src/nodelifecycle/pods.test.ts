import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { notReadyConditions } from './pods.js';

const now = new Date(Date.UTC(2026, 0, 1));

describe('notReadyConditions', () => {
  it('turns Ready True into False, the other conditions untouched', () => {
    const pod: Pod = { status: { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] } };
    expect(notReadyConditions(pod, now)).toEqual([{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
  });
  it('leaves pods that are not Ready (or have no Ready) alone', () => {
    expect(notReadyConditions({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }, now)).toBeUndefined();
    expect(notReadyConditions({ status: {} }, now)).toBeUndefined();
  });
});
