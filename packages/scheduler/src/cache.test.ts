import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { makeNode, makePod, podInfo } from './fixtures.js';

const bound = (name: string, node: string, extra = {}) => makePod({ name, nodeName: node, cpu: '1', ...extra });

describe('SchedulerCache', () => {
  it('lists only nodes with a Node object, sorted by name', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'b' }));
    c.addNode(makeNode({ name: 'a' }));
    c.upsertPod(bound('x', 'ghost'));
    expect(c.nodes().map((n) => n.name)).toEqual(['a', 'b']);
    expect(c.nodeInfo('ghost')?.requested.milliCpu).toBe(1000);
  });

  it('counts assumed pods at once and confirms them when the binding shows', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    const info = podInfo({ name: 'x', cpu: '1' });
    c.assume(info, 'a');
    expect(c.isAssumed('default/x')).toBe(true);
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(1000);
    expect(c.upsertPod(bound('x', 'a'))).toBe(false);
    expect(c.isAssumed('default/x')).toBe(false);
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(1000);
    expect(c.nodeInfo('a')!.pods.size).toBe(1);
  });

  it('forgets an assumption whose binding failed', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    c.assume(podInfo({ name: 'x', cpu: '1' }), 'a');
    expect(c.forget('default/x')).toBe(true);
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(0);
    expect(c.forget('default/x')).toBe(false);
  });

  it('does not forget a confirmed pod', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    c.assume(podInfo({ name: 'x', cpu: '1' }), 'a');
    c.upsertPod(bound('x', 'a'));
    expect(c.forget('default/x')).toBe(false);
    expect(c.nodeInfo('a')!.pods.size).toBe(1);
  });

  it('tells an assumed pod from a namesake with another uid', () => {
    const c = new SchedulerCache();
    c.assume(podInfo({ name: 'x', uid: 'one' }), 'a');
    expect(c.isAssumed('default/x', 'one')).toBe(true);
    expect(c.isAssumed('default/x', 'two')).toBe(false);
    expect(c.isAssumed('default/x')).toBe(true);
  });

  it('refuses to assume a pod twice', () => {
    const c = new SchedulerCache();
    c.assume(podInfo({ name: 'x' }), 'a');
    expect(() => c.assume(podInfo({ name: 'x' }), 'b')).toThrow(/already/);
  });

  it('moves a pod bound elsewhere than assumed', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    c.addNode(makeNode({ name: 'b' }));
    c.assume(podInfo({ name: 'x', cpu: '1' }), 'a');
    expect(c.upsertPod(bound('x', 'b'))).toBe(true);
    expect(c.nodeInfo('a')!.pods.size).toBe(0);
    expect(c.nodeInfo('b')!.pods.size).toBe(1);
    expect(c.nodeOf('default/x')).toBe('b');
  });

  it('frees resources of finished and deleted pods', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    c.upsertPod(bound('x', 'a'));
    c.upsertPod(bound('y', 'a'));
    const done = bound('x', 'a');
    done.status = { phase: 'Succeeded' };
    expect(c.upsertPod(done)).toBe(true);
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(1000);
    expect(c.deletePod('default/y')).toBe(true);
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(0);
    expect(c.deletePod('default/y')).toBe(false);
    expect(c.podCount).toBe(0);
  });

  it('keeps counting pods that are being deleted', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    const p = bound('x', 'a');
    p.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
    c.upsertPod(p);
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(1000);
  });

  it('replaces a recreated pod (other uid) on the same node', () => {
    const c = new SchedulerCache();
    c.upsertPod(bound('x', 'a'));
    c.upsertPod(bound('x', 'a', { uid: 'other', cpu: '2' }));
    expect(c.nodeInfo('a')!.requested.milliCpu).toBe(2000);
  });

  it('keeps the pods of a removed node until they go; a returning node finds them', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a' }));
    c.upsertPod(bound('x', 'a'));
    c.removeNode('a');
    expect(c.nodes()).toEqual([]);
    c.addNode(makeNode({ name: 'a' }));
    expect(c.nodes()[0].requested.milliCpu).toBe(1000);
    c.removeNode('a');
    c.deletePod('default/x');
    expect(c.nodeInfo('a')).toBeUndefined();
  });

  it('updates node facts in place', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode({ name: 'a', cpu: '1' }));
    c.upsertPod(bound('x', 'a'));
    c.updateNode(makeNode({ name: 'a', cpu: '8', unschedulable: true }));
    const ni = c.nodeInfo('a')!;
    expect(ni.allocatable.milliCpu).toBe(8000);
    expect(ni.unschedulable).toBe(true);
    expect(ni.requested.milliCpu).toBe(1000);
  });
});
