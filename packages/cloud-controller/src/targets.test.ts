import { describe, expect, it } from 'vitest';
import type { Node } from '@kubesim/api';
import { EXCLUDE_LB_LABEL, TO_BE_DELETED_TAINT, activeBackends, eligibleBackends, eligibleNode, nodeInternalIP, nodeReady } from './targets.js';
import { RoundRobin, rotation } from './roundrobin.js';
import { INITIAL_HEALTH, nextHealth, type HealthState } from './health-state.js';

function node(name: string, ip: string | undefined, ready: string | undefined, extra: { deleting?: boolean; labels?: Record<string, string>; taint?: string } = {}): Node {
  return {
    kind: 'Node',
    metadata: { name, labels: extra.labels, ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: extra.taint ? { taints: [{ key: extra.taint, effect: 'NoSchedule' }] } : {},
    status: {
      addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [{ type: 'Hostname', address: name }],
      conditions: ready === undefined ? [] : [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }],
    },
  };
}

describe('node eligibility', () => {
  it('reads the InternalIP and the Ready condition', () => {
    expect(nodeInternalIP(node('a', '127.0.0.2', 'True'))).toBe('127.0.0.2');
    expect(nodeInternalIP(node('a', undefined, 'True'))).toBeUndefined();
    expect(nodeReady(node('a', '1.1.1.1', 'True'))).toBe(true);
    for (const s of ['False', 'Unknown', undefined]) expect(nodeReady(node('a', '1.1.1.1', s))).toBe(false);
  });
  it('takes only ready, live, not excluded nodes with an address', () => {
    expect(eligibleNode(node('a', '127.0.0.2', 'True'))).toBe(true);
    expect(eligibleNode(node('a', '127.0.0.2', 'False'))).toBe(false);
    expect(eligibleNode(node('a', '127.0.0.2', 'Unknown'))).toBe(false);
    expect(eligibleNode(node('a', '127.0.0.2', undefined))).toBe(false);
    expect(eligibleNode(node('a', undefined, 'True'))).toBe(false);
    expect(eligibleNode(node('a', '127.0.0.2', 'True', { deleting: true }))).toBe(false);
    expect(eligibleNode(node('a', '127.0.0.2', 'True', { labels: { [EXCLUDE_LB_LABEL]: '' } }))).toBe(false);
    expect(eligibleNode(node('a', '127.0.0.2', 'True', { labels: { other: 'x' } }))).toBe(true);
    expect(eligibleNode(node('a', '127.0.0.2', 'True', { taint: TO_BE_DELETED_TAINT }))).toBe(false);
    expect(eligibleNode(node('a', '127.0.0.2', 'True', { taint: 'node.kubernetes.io/unreachable' }))).toBe(true);
  });
  it('lists eligible backends sorted by name', () => {
    const nodes = [node('c', '127.0.0.4', 'True'), node('a', '127.0.0.2', 'True'), node('b', '127.0.0.3', 'False'), node('d', '127.0.0.5', 'True', { deleting: true })];
    expect(eligibleBackends(nodes)).toEqual([
      { node: 'a', ip: '127.0.0.2' },
      { node: 'c', ip: '127.0.0.4' },
    ]);
    expect(eligibleBackends([])).toEqual([]);
  });
  it('with Local uses only healthy eligible nodes, with Cluster all eligible', () => {
    const nodes = [node('a', '127.0.0.2', 'True'), node('b', '127.0.0.3', 'True'), node('c', '127.0.0.4', 'False')];
    const healthy = (n: string) => n === 'b' || n === 'c';
    expect(activeBackends(nodes, true, healthy).map((b) => b.node)).toEqual(['b']);
    expect(activeBackends(nodes, false, healthy).map((b) => b.node)).toEqual(['a', 'b']);
    expect(activeBackends(nodes, true, () => false)).toEqual([]);
  });
});

describe('round robin', () => {
  it('rotates after the last name used, wrapping round', () => {
    expect(rotation(['a', 'b', 'c'], undefined)).toEqual(['a', 'b', 'c']);
    expect(rotation(['a', 'b', 'c'], 'a')).toEqual(['b', 'c', 'a']);
    expect(rotation(['a', 'b', 'c'], 'c')).toEqual(['a', 'b', 'c']);
    expect(rotation([], 'a')).toEqual([]);
  });
  it('keeps its place when the last node left or others joined', () => {
    expect(rotation(['a', 'c'], 'b')).toEqual(['c', 'a']);
    expect(rotation(['a', 'b', 'c', 'd'], 'b')).toEqual(['c', 'd', 'a', 'b']);
    expect(rotation(['a'], 'z')).toEqual(['a']);
  });
  it('spreads connections evenly and counts them', () => {
    const rr = new RoundRobin();
    const backends = [
      { node: 'a', ip: '1' },
      { node: 'b', ip: '2' },
      { node: 'c', ip: '3' },
    ];
    for (let i = 0; i < 9; i++) rr.used(rr.order(backends)[0].node);
    expect(rr.countsObject()).toEqual({ a: 3, b: 3, c: 3 });
  });
  it('starts after the node actually used when the first choice failed', () => {
    const rr = new RoundRobin();
    const backends = [
      { node: 'a', ip: '1' },
      { node: 'b', ip: '2' },
      { node: 'c', ip: '3' },
    ];
    expect(rr.order(backends).map((b) => b.node)).toEqual(['a', 'b', 'c']);
    rr.used('b'); // a refused the connection, b took it
    expect(rr.order(backends).map((b) => b.node)).toEqual(['c', 'a', 'b']);
    // b went away: the rotation goes on from where b was.
    expect(rr.order([backends[0], backends[2]]).map((b) => b.node)).toEqual(['c', 'a']);
  });
});

describe('health state', () => {
  const run = (results: boolean[], from: HealthState = INITIAL_HEALTH) => results.reduce((s, r) => nextHealth(s, r), from);
  it('starts out of rotation and goes in on one passing check', () => {
    expect(INITIAL_HEALTH.healthy).toBe(false);
    expect(run([true]).healthy).toBe(true);
    expect(run([false, false, false]).healthy).toBe(false);
  });
  it('needs two consecutive failures to go out', () => {
    expect(run([true, false]).healthy).toBe(true);
    expect(run([true, false, false]).healthy).toBe(false);
    expect(run([true, false, true, false]).healthy).toBe(true);
    expect(run([true, false, true, false, false]).healthy).toBe(false);
  });
  it('comes back on one passing check', () => {
    expect(run([true, false, false, true]).healthy).toBe(true);
  });
  it('honours other thresholds', () => {
    const t = { healthyThreshold: 3, unhealthyThreshold: 1 };
    let s = INITIAL_HEALTH;
    for (const [r, want] of [
      [true, false],
      [true, false],
      [false, false],
      [true, false],
      [true, false],
      [true, true],
      [false, false],
    ] as const) {
      s = nextHealth(s, r, t);
      expect(s.healthy).toBe(want);
    }
  });
});
