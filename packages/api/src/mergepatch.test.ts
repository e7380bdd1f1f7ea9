import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch } from './mergepatch.js';

describe('applyMergePatch', () => {
  // The examples of RFC 7386, appendix A.
  it.each<[unknown, unknown, unknown]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, want) => expect(applyMergePatch(target, patch)).toEqual(want));

  it('merges nested Kubernetes objects', () => {
    const dep = { metadata: { name: 'd', labels: { app: 'web', tier: 'x' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } } };
    const out = applyMergePatch(dep, { metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: 3 } });
    expect(out).toEqual({ metadata: { name: 'd', labels: { app: 'web', env: 'prod' } }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } } });
  });

  it('never mutates its inputs nor aliases them', () => {
    const target = { a: { b: 1 }, list: [{ x: 1 }] };
    const patch = { a: { c: { d: 2 } }, list: [{ y: 2 }] };
    const t0 = structuredClone(target);
    const p0 = structuredClone(patch);
    const out = applyMergePatch(target, patch) as { a: { b: number; c: { d: number } }; list: unknown[] };
    expect(target).toEqual(t0);
    expect(patch).toEqual(p0);
    out.a.c.d = 99;
    (out.list[0] as Record<string, number>).y = 99;
    expect(patch).toEqual(p0);
    const out2 = applyMergePatch(target, {}) as { a: { b: number } };
    out2.a.b = 5;
    expect(target).toEqual(t0);
  });

  it('ignores keys whose value is undefined', () => {
    expect(applyMergePatch({ a: 1 }, { a: undefined, b: 2 })).toEqual({ a: 1, b: 2 });
  });
});

describe('createMergePatch', () => {
  it.each<[unknown, unknown, unknown]>([
    [{ a: 1 }, { a: 1 }, {}],
    [{}, {}, {}],
    [{ a: 1 }, { a: 2 }, { a: 2 }],
    [{ a: 1, b: 2 }, { a: 1 }, { b: null }],
    [{ a: 1 }, { a: 1, b: { c: 3 } }, { b: { c: 3 } }],
    [{ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }, { a: { c: 3 } }],
    [{ a: { b: 1, c: 2 } }, { a: { b: 1 } }, { a: { c: null } }],
    [{ a: { b: 1 } }, { a: { b: 1 } }, {}],
    [{ a: [1, 2] }, { a: [1, 2] }, {}],
    [{ a: [1, 2] }, { a: [2, 1] }, { a: [2, 1] }],
    [{ a: [{ x: 1 }] }, { a: [{ x: 1, y: 2 }] }, { a: [{ x: 1, y: 2 }] }],
    [{ a: { b: 1 } }, { a: 'x' }, { a: 'x' }],
    [{ a: 'x' }, { a: { b: 1 } }, { a: { b: 1 } }],
    [{ a: 1 }, [1], [1]],
    ['x', { a: 1 }, { a: 1 }],
    [{ a: 1, u: undefined }, { a: 1, v: undefined }, {}],
  ])('%j -> %j = %j', (original, modified, want) => expect(createMergePatch(original, modified)).toEqual(want));

  it('round-trips: applying the patch to the original gives the modified', () => {
    const cases: [unknown, unknown][] = [
      [
        { metadata: { name: 'p', labels: { a: '1', b: '2' }, annotations: { x: 'y' } }, spec: { containers: [{ name: 'c', image: 'a' }], nodeName: 'n1' } },
        { metadata: { name: 'p', labels: { a: '1', c: '3' } }, spec: { containers: [{ name: 'c', image: 'b' }] }, status: { phase: 'Running' } },
      ],
      [{ a: { b: { c: { d: 1 } } } }, { a: { b: { c: {} } } }],
      [{ a: true, b: 0, c: '' }, { a: false, b: 0, c: 'x' }],
    ];
    for (const [o, m] of cases) {
      const o0 = structuredClone(o);
      const m0 = structuredClone(m);
      expect(applyMergePatch(o, createMergePatch(o, m))).toEqual(m);
      expect(o).toEqual(o0);
      expect(m).toEqual(m0);
    }
  });
});
