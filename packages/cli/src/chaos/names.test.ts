import { describe, expect, it } from 'vitest';
import type { ProcessRecord } from '../cluster/state.js';
import { componentNameOfPid, controlPlaneNames, isElectedComponent, parseDelay, parseLoss, pidOfIdentity, resolveComponent, resolveNode } from './names.js';

const p = (component: string, pid: number, args: string[] = []): ProcessRecord => ({ component, pid, log: `/l/${component}.log`, args });
const PROCS = [
  p('etcd', 10),
  p('apiserver', 11),
  p('apiserver', 12),
  p('scheduler', 13, ['scheduler']),
  p('controller-manager', 14, ['controller-manager']),
  p('dns', 15, ['dns']),
  p('node-1', 16, ['node', '--name', 'node-1']),
  p('node-2', 17, ['node', '--name', 'node-2']),
];

describe('component names', () => {
  it('numbers each component from 1 in state order, nodes excluded', () => {
    expect(controlPlaneNames(PROCS).map((x) => `${x.name}:${x.process.pid}`)).toEqual(['etcd-1:10', 'apiserver-1:11', 'apiserver-2:12', 'scheduler-1:13', 'controller-manager-1:14', 'dns-1:15']);
  });
  it('resolves a name and lists the valid ones otherwise', () => {
    expect(resolveComponent(PROCS, 'apiserver-2').process.pid).toBe(12);
    expect(() => resolveComponent(PROCS, 'apiserver-3')).toThrow('no component "apiserver-3" in this cluster; components: etcd-1, apiserver-1, apiserver-2, scheduler-1, controller-manager-1, dns-1');
    expect(() => resolveComponent(PROCS, 'scheduler')).toThrow('(did you mean scheduler-1?)');
    expect(() => resolveComponent(PROCS, 'node-1')).toThrow('no component "node-1"');
  });
  it('finds the chaos name of a pid', () => {
    expect(componentNameOfPid(PROCS, 13)).toBe('scheduler-1');
    expect(componentNameOfPid(PROCS, 16)).toBeUndefined();
    expect(componentNameOfPid(PROCS, 999)).toBeUndefined();
  });
});

describe('node names', () => {
  it('resolves node agents by name and lists them otherwise', () => {
    expect(resolveNode(PROCS, 'node-2').pid).toBe(17);
    expect(() => resolveNode(PROCS, 'node-3')).toThrow('no node "node-3" in this cluster; nodes: node-1, node-2');
    expect(() => resolveNode(PROCS, 'scheduler')).toThrow('nodes: node-1, node-2');
    expect(() => resolveNode([], 'x')).toThrow('nodes: (none)');
  });
});

describe('leader identities', () => {
  it('reads the pid of <host>_<pid>_<rand>, hosts with underscores too', () => {
    expect(pidOfIdentity('myhost_1234_ab12cd34')).toBe(1234);
    expect(pidOfIdentity('my_odd_host_99_x')).toBe(99);
    expect(pidOfIdentity('node-1')).toBeUndefined();
    expect(pidOfIdentity('h_0_x')).toBeUndefined();
    expect(pidOfIdentity('h_12a_x')).toBeUndefined();
  });
  it('knows the elected components', () => {
    expect(isElectedComponent('scheduler')).toBe(true);
    expect(isElectedComponent('controller-manager')).toBe(true);
    expect(isElectedComponent('apiserver')).toBe(false);
    expect(isElectedComponent('toString')).toBe(false);
  });
});

describe('fault amounts', () => {
  it('parses delays', () => {
    expect(parseDelay('200ms')).toBe(200);
    expect(parseDelay('1.5s')).toBe(1500);
    expect(parseDelay('250')).toBe(250);
    expect(parseDelay('500us')).toBe(0.5);
    for (const bad of ['', 'fast', '-1ms', '0ms', '2m', '61s']) expect(() => parseDelay(bad)).toThrow(/invalid delay/);
  });
  it('parses losses as probabilities', () => {
    expect(parseLoss('10%')).toBe(0.1);
    expect(parseLoss('100%')).toBe(1);
    expect(parseLoss('0.5%')).toBeCloseTo(0.005);
    expect(parseLoss('25')).toBe(0.25);
    for (const bad of ['', '0%', '101%', 'ten', '-5%']) expect(() => parseLoss(bad)).toThrow(/invalid loss/);
  });
});
