import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
  it('summarizes unsorted samples', () => {
    const r = summarize([5, 1, 3]);
    expect(r).toMatchObject({ count: 3, p50: 3, max: 5, mean: 3 });
  });
  it('is NaN for no samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
