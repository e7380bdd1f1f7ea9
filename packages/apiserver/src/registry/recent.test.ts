import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubesim/api';
import { RecentObjects } from './recent.js';

const stored = (name: string, rev: number) => ({ obj: { kind: 'Pod', metadata: { name } } as KubeObject, modRevision: rev, createRevision: rev });

describe('RecentObjects', () => {
  it('hands an entry out once', () => {
    const r = new RecentObjects(10);
    r.remember('a', stored('a', 1));
    expect(r.take('a')?.modRevision).toBe(1);
    expect(r.take('a')).toBeUndefined();
  });

  it('forgets the oldest entry beyond its capacity', () => {
    const r = new RecentObjects(2);
    r.remember('a', stored('a', 1));
    r.remember('b', stored('b', 2));
    r.remember('a', stored('a', 3)); // refreshed: now the newest
    r.remember('c', stored('c', 4));
    expect(r.size).toBe(2);
    expect(r.take('b')).toBeUndefined();
    expect(r.take('a')?.modRevision).toBe(3);
    expect(r.take('c')?.modRevision).toBe(4);
  });
});
