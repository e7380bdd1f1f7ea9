import { describe, expect, it } from 'vitest';
import { cgroup2Root, nodeCgroup, parseProcCgroup } from './cgroup.js';

describe('cgroups', () => {
  it('finds the cgroup2 mount', () => {
    const mounts = 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
    expect(cgroup2Root(mounts)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Root('proc /proc proc rw 0 0\n')).toBeUndefined();
  });
  it("reads a process's cgroup2 group relative to the root", () => {
    expect(parseProcCgroup('12:cpu:/docker/x\n0::/kubesim/e2e/node-1\n')).toBe('kubesim/e2e/node-1');
    expect(parseProcCgroup('0::/\n')).toBe('');
    expect(parseProcCgroup('3:memory:/\n')).toBe('');
  });
  it('names one group per node of a cluster', () => {
    expect(nodeCgroup('e2e', 'e2e-node-1')).toBe('kubesim/e2e/e2e-node-1');
  });
});
