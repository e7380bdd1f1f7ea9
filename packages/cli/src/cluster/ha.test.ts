import { describe, expect, it } from 'vitest';
import { controlPlaneSize, HA, isHA, logName, SINGLE, sizeOfProcesses } from './ha.js';

describe('controlPlaneSize', () => {
  it('is one of each by default and 3/2/2/2 with --ha', () => {
    expect(controlPlaneSize({})).toEqual(SINGLE);
    expect(controlPlaneSize({ ha: true })).toEqual({ etcdMembers: 3, apiservers: 2, schedulers: 2, controllerManagers: 2 });
    expect(isHA(SINGLE)).toBe(false);
    expect(isHA(HA)).toBe(true);
  });

  it('lets each finer flag override its count', () => {
    expect(controlPlaneSize({ ha: true, schedulers: '3' })).toEqual({ ...HA, schedulers: 3 });
    expect(controlPlaneSize({ apiservers: '2' })).toEqual({ ...SINGLE, apiservers: 2 });
  });

  it('refuses counts that are not small positive integers, and two etcd members', () => {
    expect(() => controlPlaneSize({ apiservers: '0' })).toThrow('invalid value "0" for --apiservers');
    expect(() => controlPlaneSize({ schedulers: 'x' })).toThrow('--schedulers');
    expect(() => controlPlaneSize({ etcdMembers: '2' })).toThrow('two members survive no failure');
  });
});

describe('sizeOfProcesses', () => {
  it('counts the control-plane processes of a recorded cluster, never node agents', () => {
    const p = (component: string, args: string[] = [component]) => ({ component, pid: 1, log: '', args });
    expect(sizeOfProcesses([p('etcd'), p('etcd'), p('etcd'), p('apiserver'), p('apiserver'), p('scheduler'), p('controller-manager'), p('scheduler', ['node'])])).toEqual({ etcdMembers: 3, apiservers: 2, schedulers: 1, controllerManagers: 1 });
    expect(sizeOfProcesses([])).toEqual(SINGLE);
  });
});

describe('logName', () => {
  it('numbers log files only among several', () => {
    expect(logName('scheduler', 0, 1)).toBe('scheduler.log');
    expect(logName('scheduler', 1, 2)).toBe('scheduler-2.log');
  });

});
