// Table tests of each score plugin and of normalization.
import { describe, expect, it } from 'vitest';
import { nodeInfo, podInfo } from '../fixtures.js';
import { nodeAffinityScore } from './nodeaffinity.js';
import { balancedAllocation, leastAllocated, leastRequestedScore } from './noderesources.js';
import { selectorSpread } from './selectorspread.js';
import { taintTolerationScore } from './tainttoleration.js';
import { defaultNormalize } from './types.js';

const norm = (plugin: { normalize?(s: Float64Array): void }, raw: number[]) => {
  const a = Float64Array.from(raw);
  plugin.normalize?.(a);
  return [...a];
};

describe('defaultNormalize', () => {
  it.each<[number[], boolean, number[]]>([
    [[0, 5, 10], false, [0, 50, 100]],
    [[0, 5, 10], true, [100, 50, 0]],
    [[0, 0], false, [0, 0]],
    [[0, 0], true, [100, 100]],
    [[1, 3], false, [33, 100]],
  ])('%j reverse=%s -> %j', (raw, reverse, want) => {
    const a = Float64Array.from(raw);
    defaultNormalize(a, reverse);
    expect([...a]).toEqual(want);
  });
});

describe('NodeResourcesLeastAllocated', () => {
  it.each([
    [0, 1000, 100],
    [250, 1000, 75],
    [1000, 1000, 0],
    [1500, 1000, 0],
    [10, 0, 0],
    [333, 1000, 66],
  ])('leastRequestedScore(%d, %d) = %d', (req, cap, want) => {
    expect(leastRequestedScore(req, cap)).toBe(want);
  });
  it('averages cpu and memory, counting the pod itself', () => {
    // node: 4 cpu, 8Gi; pod asks 1 cpu, 2Gi -> 75 and 75
    expect(leastAllocated.score(podInfo({ cpu: '1', memory: '2Gi' }), nodeInfo())).toBe(75);
    // another 1 cpu / 2Gi already there -> 50 and 50
    expect(leastAllocated.score(podInfo({ cpu: '1', memory: '2Gi' }), nodeInfo({}, [podInfo({ name: 'x', cpu: '1', memory: '2Gi' })]))).toBe(50);
  });
  it('pods without requests count as 100m / 200Mi, so they spread', () => {
    const empty = leastAllocated.score(podInfo(), nodeInfo({ cpu: '1', memory: '1000Mi' }));
    const busy = leastAllocated.score(podInfo(), nodeInfo({ cpu: '1', memory: '1000Mi' }, [podInfo({ name: 'x' })]));
    expect(empty).toBe(85); // cpu 90, memory 80
    expect(busy).toBeLessThan(empty);
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers equal cpu and memory fractions', () => {
    // 1 of 4 cpu and 2 of 8Gi: both 25% -> 100
    expect(balancedAllocation.score(podInfo({ cpu: '1', memory: '2Gi' }), nodeInfo())).toBe(100);
    // 2 of 4 cpu (50%), 200Mi... non-zero memory default -> unbalanced
    expect(balancedAllocation.score(podInfo({ cpu: '2', memory: '0' }), nodeInfo())).toBeLessThan(100);
  });
  it('no capacity scores 0', () => {
    expect(balancedAllocation.score(podInfo(), nodeInfo({ cpu: '0' }))).toBe(0);
  });
});

describe('NodeAffinity score', () => {
  const pod = podInfo({
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
            { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            { weight: 50, preference: {} },
          ],
        },
      },
    },
  });
  it.each<[Record<string, string>, number]>([
    [{ zone: 'a', disk: 'ssd' }, 15],
    [{ zone: 'a' }, 10],
    [{ disk: 'ssd' }, 5],
    [{}, 0],
  ])('labels %j -> %d', (labels, want) => {
    expect(nodeAffinityScore.score(pod, nodeInfo({ labels }))).toBe(want);
  });
  it('no preferences: 0', () => {
    expect(nodeAffinityScore.score(podInfo(), nodeInfo())).toBe(0);
  });
  it('normalizes to the best node', () => {
    expect(norm(nodeAffinityScore, [15, 10, 0])).toEqual([100, 66, 0]);
  });
});

describe('TaintToleration score', () => {
  const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' });
  it.each<[string, object[], object[], number]>([
    ['no taints', [], [], 0],
    ['two untolerated soft taints', [soft('a'), soft('b')], [], 2],
    ['hard taints do not count', [{ key: 'a', effect: 'NoSchedule' }], [], 0],
    ['tolerated by key', [soft('a'), soft('b')], [{ key: 'a', operator: 'Exists' }], 1],
    ['a NoSchedule toleration does not apply', [soft('a')], [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], 1],
    ['a PreferNoSchedule toleration applies', [soft('a')], [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }], 0],
    ['empty key Exists tolerates all', [soft('a'), soft('b')], [{ operator: 'Exists' }], 0],
  ])('%s', (_, taints, tolerations, want) => {
    expect(taintTolerationScore.score(podInfo({ tolerations: tolerations as never }), nodeInfo({ taints: taints as never }))).toBe(want);
  });
  it('fewer untolerated taints score higher', () => {
    expect(norm(taintTolerationScore, [0, 1, 2])).toEqual([100, 50, 0]);
  });
});

describe('SelectorSpread', () => {
  it('counts pods of the same owner on the node', () => {
    const mine = (n: string) => podInfo({ name: n, ownerUid: 'rs-1' });
    const ni = nodeInfo({}, [mine('a'), mine('b'), podInfo({ name: 'c', ownerUid: 'rs-2' }), podInfo({ name: 'd' })]);
    expect(selectorSpread.score(mine('new'), ni)).toBe(2);
    expect(selectorSpread.score(podInfo({ name: 'lone' }), ni)).toBe(0);
  });
  it('fewer siblings score higher', () => {
    expect(norm(selectorSpread, [0, 2, 4])).toEqual([100, 50, 0]);
    expect(norm(selectorSpread, [0, 0])).toEqual([100, 100]);
  });
  it('owner counts follow pods leaving', () => {
    const ni = nodeInfo({}, [podInfo({ name: 'a', ownerUid: 'rs-1' })]);
    ni.removePod('default/a');
    expect(ni.ownerCounts.size).toBe(0);
  });
});
