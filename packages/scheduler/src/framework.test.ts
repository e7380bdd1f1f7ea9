import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { makeNode, nodeInfo, podInfo } from './fixtures.js';
import { DEFAULT_PROFILE, findFeasibleNodes, fitErrorMessage, NO_NODES_AVAILABLE, schedulePod, scoreNodes, selectHost } from './framework.js';
import type { FilterPlugin } from './plugins/types.js';

describe('fitErrorMessage', () => {
  it('counts per reason, sorted as strings, with kubectl\'s shape', () => {
    const reasons = new Map([
      ['Insufficient cpu', 2],
      ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }', 1],
    ]);
    expect(fitErrorMessage(3, reasons)).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu.');
  });
  it('sorts by the whole "count reason" string, as kube-scheduler', () => {
    const reasons = new Map([
      ['node(s) were unschedulable', 10],
      ['Insufficient memory', 2],
      ['Insufficient cpu', 2],
    ]);
    expect(fitErrorMessage(12, reasons)).toBe('0/12 nodes are available: 10 node(s) were unschedulable, 2 Insufficient cpu, 2 Insufficient memory.');
  });
});

describe('findFeasibleNodes', () => {
  it('stops at the first failing filter of each node', () => {
    const calls: string[] = [];
    const f = (name: string, fail: (node: string) => boolean): FilterPlugin => ({
      name,
      filter: (_, n) => {
        calls.push(`${name}:${n.name}`);
        return fail(n.name) ? [`${name} said no`] : undefined;
      },
    });
    const nodes = [nodeInfo({ name: 'a' }), nodeInfo({ name: 'b' }), nodeInfo({ name: 'c' })];
    const out = findFeasibleNodes(podInfo(), nodes, [f('one', (n) => n === 'a'), f('two', (n) => n !== 'c')]);
    expect(out.feasible.map((n) => n.name)).toEqual(['c']);
    expect([...out.reasons]).toEqual([
      ['one said no', 1],
      ['two said no', 1],
    ]);
    expect(calls).toEqual(['one:a', 'one:b', 'two:b', 'one:c', 'two:c']);
  });
  it('counts every reason a filter gives', () => {
    const nodes = [nodeInfo({ name: 'a', cpu: '1', memory: '1Gi' }), nodeInfo({ name: 'b', cpu: '1', memory: '1Gi' })];
    const out = findFeasibleNodes(podInfo({ cpu: '2', memory: '2Gi' }), nodes, DEFAULT_PROFILE.filters);
    expect([...out.reasons]).toEqual([
      ['Insufficient cpu', 2],
      ['Insufficient memory', 2],
    ]);
  });
});

describe('selectHost', () => {
  it('picks the best score', () => {
    expect(selectHost(Float64Array.from([1, 5, 3]), 0)).toBe(1);
    expect(selectHost(Float64Array.from([1, 5, 3]), 7)).toBe(1);
  });
  it('takes ties in turn', () => {
    const s = Float64Array.from([5, 1, 5, 5]);
    expect([0, 1, 2, 3, 4].map((t) => selectHost(s, t))).toEqual([0, 2, 3, 0, 2]);
  });
  it('handles one node', () => {
    expect(selectHost(Float64Array.from([0]), 3)).toBe(0);
  });
});

describe('scoreNodes', () => {
  it('weights and sums plugins', () => {
    const nodes = [nodeInfo({ name: 'a' }), nodeInfo({ name: 'b' })];
    const s = scoreNodes(podInfo(), nodes, [
      { name: 'x', weight: 2, score: (_, n) => (n.name === 'a' ? 10 : 20) },
      { name: 'y', weight: 1, score: () => 4, normalize: (a) => a.fill(1) },
    ]);
    expect([...s]).toEqual([21, 41]);
  });
});

describe('schedulePod with the default profile', () => {
  const cacheWith = (...nodes: Parameters<typeof makeNode>[0][]) => {
    const c = new SchedulerCache();
    for (const n of nodes) c.addNode(makeNode(n));
    return c;
  };

  it('says so when there are no nodes', () => {
    expect(schedulePod(podInfo(), [], DEFAULT_PROFILE, 0)).toMatchObject({ message: NO_NODES_AVAILABLE });
  });

  it('explains why nothing fits', () => {
    const c = cacheWith(
      { name: 'a', cpu: '1' },
      { name: 'b', cpu: '1' },
      { name: 'c', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }], ready: false },
    );
    const d = schedulePod(podInfo({ cpu: '2' }), c.nodes(), DEFAULT_PROFILE, 0);
    expect(d.node).toBeUndefined();
    expect(d).toMatchObject({ message: '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu.' });
  });

  it('prefers the emptier node', () => {
    const c = cacheWith({ name: 'a' }, { name: 'b' });
    c.assume(podInfo({ name: 'x', cpu: '2', memory: '4Gi' }), 'a');
    expect(schedulePod(podInfo({ cpu: '1' }), c.nodes(), DEFAULT_PROFILE, 0).node?.name).toBe('b');
  });

  it('spreads identical pods evenly over identical nodes', () => {
    const c = cacheWith({ name: 'a' }, { name: 'b' }, { name: 'c' });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const p = podInfo({ name: `p${i}`, ownerUid: 'rs' });
      const d = schedulePod(p, c.nodes(), DEFAULT_PROFILE, i);
      c.assume(p, d.node!.name);
      counts[d.node!.name] = (counts[d.node!.name] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('never puts two pods in the last slot', () => {
    const c = cacheWith({ name: 'a', cpu: '1' }, { name: 'b', cpu: '1' });
    const placed = [0, 1, 2].map((i) => {
      const p = podInfo({ name: `p${i}`, cpu: '600m' });
      const d = schedulePod(p, c.nodes(), DEFAULT_PROFILE, i);
      if (d.node) c.assume(p, d.node.name);
      return d.node?.name;
    });
    expect(placed.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(placed[2]).toBeUndefined();
  });

  it('honours preferred node affinity over spreading', () => {
    const c = cacheWith({ name: 'a' }, { name: 'b', labels: { disk: 'ssd' } });
    const pod = podInfo({ spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } });
    for (let t = 0; t < 4; t++) expect(schedulePod(pod, c.nodes(), DEFAULT_PROFILE, t).node?.name).toBe('b');
  });

  it('avoids PreferNoSchedule taints when it can', () => {
    const c = cacheWith({ name: 'a', taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }, { name: 'b' });
    for (let t = 0; t < 4; t++) expect(schedulePod(podInfo(), c.nodes(), DEFAULT_PROFILE, t).node?.name).toBe('b');
  });
});
