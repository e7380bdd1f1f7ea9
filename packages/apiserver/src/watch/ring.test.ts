import { describe, expect, it } from 'vitest';
import { Ring } from './ring.js';

describe('Ring', () => {
  it('keeps the newest items in order and reports evictions', () => {
    const r = new Ring<number>(3);
    expect([r.push(1), r.push(2), r.push(3)]).toEqual([undefined, undefined, undefined]);
    expect(r.push(4)).toBe(1);
    expect([...r]).toEqual([2, 3, 4]);
    expect(r.size).toBe(3);
  });
  it('yields from the first accepted item', () => {
    const r = new Ring<number>(5);
    for (let i = 1; i <= 8; i++) r.push(i * 10);
    expect([...r.from((x) => x > 55)]).toEqual([60, 70, 80]);
    expect([...r.from((x) => x > 0)]).toEqual([40, 50, 60, 70, 80]);
    expect([...r.from((x) => x > 80)]).toEqual([]);
    r.clear();
    expect([...r]).toEqual([]);
  });
});
