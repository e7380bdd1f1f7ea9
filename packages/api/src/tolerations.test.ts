import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from './gen/types.js';
import { findUntoleratedTaint, toleratesTaint } from './tolerations.js';

const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('toleratesTaint', () => {
  it.each<[string, Toleration, Taint, boolean]>([
    ['Equal with same key, value, effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint, true],
    ['empty operator means Equal', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, taint, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }, taint, false],
    ['Exists ignores the value', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, taint, true],
    ['empty effect matches every effect', { key: 'dedicated', operator: 'Exists' }, { ...taint, effect: 'NoExecute' }, true],
    ['other effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint, false],
    ['other key', { key: 'zone', operator: 'Exists' }, taint, false],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, taint, true],
    ['empty key with Equal compares values of any key', { operator: 'Equal', value: 'gpu' }, taint, true],
    ['unknown operator', { key: 'dedicated', operator: 'Gt', value: 'gpu' }, taint, false],
    ['empty values are equal', { key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoSchedule' }, true],
  ])('%s', (_, tol, t, want) => {
    expect(toleratesTaint(tol, t)).toBe(want);
  });
});

describe('findUntoleratedTaint', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'a', value: '1', effect: 'NoSchedule' },
    { key: 'b', value: '2', effect: 'NoExecute' },
  ];
  it('returns the first untolerated taint with a matching effect', () => {
    expect(findUntoleratedTaint(taints, [], ['NoSchedule', 'NoExecute'])).toEqual(taints[1]);
    expect(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], ['NoSchedule', 'NoExecute'])).toEqual(taints[2]);
    expect(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }, { key: 'b', value: '2' }], ['NoSchedule', 'NoExecute'])).toBeUndefined();
    expect(findUntoleratedTaint(taints, [], ['NoExecute'])).toEqual(taints[2]);
  });
});
