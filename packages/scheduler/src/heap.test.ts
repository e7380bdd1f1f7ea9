import { describe, expect, it } from 'vitest';
import { KeyedHeap } from './heap.js';

interface Item {
  k: string;
  v: number;
}
const heap = () => new KeyedHeap<Item>((x) => x.k, (a, b) => a.v < b.v);

describe('KeyedHeap', () => {
  it('pops in order', () => {
    const h = heap();
    const vals = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0];
    vals.forEach((v) => h.push({ k: `k${v}`, v }));
    const out: number[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.v);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('deletes by key from anywhere and keeps order', () => {
    const h = heap();
    for (let v = 0; v < 20; v++) h.push({ k: `k${v}`, v: (v * 7) % 20 });
    for (const k of ['k3', 'k0', 'k19', 'k10']) expect(h.delete(k)?.k).toBe(k);
    expect(h.delete('k3')).toBeUndefined();
    expect(h.size).toBe(16);
    const out: number[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.v);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });

  it('push with an existing key replaces and reorders', () => {
    const h = heap();
    h.push({ k: 'a', v: 1 });
    h.push({ k: 'b', v: 2 });
    h.push({ k: 'a', v: 3 });
    expect(h.size).toBe(2);
    expect(h.peek()?.k).toBe('b');
    expect(h.get('a')?.v).toBe(3);
    expect(h.has('c')).toBe(false);
  });
});
