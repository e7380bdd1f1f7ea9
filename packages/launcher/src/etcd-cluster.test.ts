import { describe, expect, it } from 'vitest';
import { etcdFlag, etcdMemberArgs, memberEndpoint } from './etcd-cluster.js';

describe('etcdMemberArgs', () => {
  const members = [1, 2, 3].map((i) => ({ name: `etcd-${i}`, clientPort: 2000 + i, peerPort: 3000 + i, dataDir: `/d/etcd-${i}` }));
  const args = etcdMemberArgs(members, 'kubesim-ha');

  it('gives every member the same initial cluster and token, and its own ports and data dir', () => {
    expect(args).toHaveLength(3);
    for (const [i, a] of args.entries()) {
      expect(etcdFlag(a, 'name')).toBe(`etcd-${i + 1}`);
      expect(etcdFlag(a, 'data-dir')).toBe(`/d/etcd-${i + 1}`);
      expect(etcdFlag(a, 'advertise-client-urls')).toBe(memberEndpoint(members[i]));
      expect(etcdFlag(a, 'initial-advertise-peer-urls')).toBe(`http://127.0.0.1:${3001 + i}`);
      expect(etcdFlag(a, 'initial-cluster')).toBe('etcd-1=http://127.0.0.1:3001,etcd-2=http://127.0.0.1:3002,etcd-3=http://127.0.0.1:3003');
      expect(etcdFlag(a, 'initial-cluster-token')).toBe('kubesim-ha');
      expect(etcdFlag(a, 'initial-cluster-state')).toBe('new');
    }
  });

  it('etcdFlag is undefined for a flag that is not there', () => {
    expect(etcdFlag(args[0], 'nope')).toBeUndefined();
  });
});
