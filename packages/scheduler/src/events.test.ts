import { describe, expect, it } from 'vitest';
import type { Node } from '@kubesim/api';
import { nodeChangeMayHelp } from './events.js';
import { makeNode } from './fixtures.js';

describe('nodeChangeMayHelp', () => {
  const base = makeNode({ name: 'a' });
  const change = (f: (n: Node) => void) => {
    const n = structuredClone(base);
    f(n);
    return n;
  };
  it.each<[string, (n: Node) => void, boolean]>([
    ['nothing', () => {}, false],
    ['heartbeat only', (n) => (n.status!.conditions![0].lastHeartbeatTime = '2026-01-01T00:00:10Z'), false],
    ['resourceVersion only', (n) => (n.metadata!.resourceVersion = '99'), false],
    ['Ready flips', (n) => (n.status!.conditions![0].status = 'False'), true],
    ['a condition appears', (n) => n.status!.conditions!.push({ type: 'MemoryPressure', status: 'False' }), true],
    ['cordoned', (n) => (n.spec!.unschedulable = true), true],
    ['allocatable', (n) => (n.status!.allocatable!.cpu = '8'), true],
    ['labels', (n) => (n.metadata!.labels!.zone = 'b'), true],
    ['taints', (n) => (n.spec!.taints = [{ key: 'x', effect: 'NoSchedule' }]), true],
    ['taint timeAdded only', (n) => (n.spec!.taints = []), false],
  ])('%s -> %s', (_, f, want) => {
    expect(nodeChangeMayHelp(base, change(f))).toBe(want);
  });
  it('uncordon', () => {
    const cordoned = change((n) => (n.spec!.unschedulable = true));
    expect(nodeChangeMayHelp(cordoned, base)).toBe(true);
  });
});
