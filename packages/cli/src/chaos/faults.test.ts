import { describe, expect, it } from 'vitest';
import { addFault, faultTable, findFault, networkFaults, removeFault, type Fault } from './faults.js';

const f = (kind: Fault['kind'], target: string, scope: Fault['scope'] = 'node', since = '2025-01-01T00:00:00.000Z'): Fault => ({ kind, scope, target, since, detail: `${kind} detail` });

describe('fault bookkeeping', () => {
  it('adds faults and refuses a second of the same kind on the same target', () => {
    let faults = addFault([], f('partition', 'node-1'));
    faults = addFault(faults, f('delay', 'node-1'));
    faults = addFault(faults, f('partition', 'node-2'));
    faults = addFault(faults, f('kill', 'scheduler-1', 'component'));
    expect(faults).toHaveLength(4);
    expect(() => addFault(faults, f('partition', 'node-1'))).toThrow('node "node-1" is already partitioned (since 2025-01-01T00:00:00.000Z, partition detail); heal it first');
    expect(() => addFault(faults, f('kill', 'scheduler-1', 'component'))).toThrow('component "scheduler-1" is already killed');
  });
  it('finds and removes by scope, target and kind', () => {
    const faults = [f('partition', 'node-1'), f('loss', 'node-1'), f('kill', 'node-1', 'component'), f('pause', 'node-2')];
    expect(findFault(faults, 'node', 'node-1', 'loss')).toBe(faults[1]);
    expect(findFault(faults, 'node', 'node-1', 'kill')).toBeUndefined();
    expect(removeFault(faults, 'node', 'node-1', 'partition')).toEqual([faults[1], faults[2], faults[3]]);
    expect(removeFault(faults, 'node', 'node-9', 'partition')).toEqual(faults);
  });
  it('tells the network faults of a node', () => {
    const faults = [f('partition', 'node-1'), f('pause', 'node-1'), f('delay', 'node-1'), f('loss', 'node-2')];
    expect(networkFaults(faults, 'node-1').map((x) => x.kind)).toEqual(['partition', 'delay']);
    expect(networkFaults(faults, 'node-3')).toEqual([]);
  });
  it('prints a table with since-when and age', () => {
    expect(faultTable([], 0)).toEqual([]);
    const now = Date.parse('2025-01-01T00:01:30.000Z');
    const lines = faultTable([f('partition', 'node-1'), f('kill', 'scheduler-1', 'component', '2024-12-31T22:00:00.000Z')], now);
    expect(lines[0]).toMatch(/^TARGET\s+FAULT\s+DETAIL\s+SINCE\s+AGE$/);
    expect(lines[1]).toMatch(/^node\/node-1\s+partition\s+partition detail\s+2025-01-01T00:00:00.000Z\s+90s$/);
    expect(lines[2]).toMatch(/^component\/scheduler-1\s+kill\s+kill detail\s+2024-12-31T22:00:00.000Z\s+2h1m$/);
  });
});
