import { describe, expect, it } from 'vitest';
import { chaosComment, delayRules, findChaosRules, lossRules, parseChaosComment, parseEndpoint, partitionRules, splitRuleLine, type AgentNet } from './iptables.js';

const owner = { cluster: 'e2e', node: 'e2e-node-1', fault: 'partition' };
const COMMENT = ['-m', 'comment', '--comment', 'kubesim-chaos cluster=e2e node=e2e-node-1 fault=partition'];
const NET: AgentNet = {
  cgroup: 'kubesim/e2e/e2e-node-1',
  controlPlane: [{ addr: '127.0.0.1', port: 6443 }],
  sockets: [
    { local: { addr: '127.0.0.1', port: 40000 }, remote: { addr: '127.0.0.1', port: 6443 }, state: 'established', inode: 1 },
    { local: { addr: '127.0.0.1', port: 40001 }, remote: { addr: '127.0.0.1', port: 9999 }, state: 'established', inode: 2 },
    { local: { addr: '0.0.0.0', port: 10250 }, remote: { addr: '0.0.0.0', port: 0 }, state: 'listen', inode: 3 },
    { local: { addr: '10.244.1.1', port: 31000 }, remote: { addr: '0.0.0.0', port: 0 }, state: 'listen', inode: 4 },
  ],
};

describe('chaos comments', () => {
  it('round-trips the owner', () => {
    expect(chaosComment(owner)).toBe('kubesim-chaos cluster=e2e node=e2e-node-1 fault=partition');
    expect(parseChaosComment(chaosComment(owner))).toEqual(owner);
    expect(parseChaosComment('kubesim node=node-1')).toBeUndefined();
    expect(parseChaosComment('kubesim-chaos cluster=e2e')).toBeUndefined();
  });
  it('parses endpoints', () => {
    expect(parseEndpoint('127.0.0.1:6443')).toEqual({ addr: '127.0.0.1', port: 6443 });
    expect(parseEndpoint('http://127.0.0.1:2379')).toEqual({ addr: '127.0.0.1', port: 2379 });
    expect(() => parseEndpoint('nope')).toThrow('invalid endpoint');
  });
});

describe('fault rules', () => {
  it('partition: new connections by cgroup and original destination, open ones and listeners by address, both ways', () => {
    const rules = partitionRules(owner, NET);
    expect(rules.every((r) => r.table === 'filter' && r.chain === 'OUTPUT' && r.args.slice(-2).join(' ') === '-j DROP')).toBe(true);
    expect(rules.map((r) => r.args.slice(0, -6).join(' '))).toEqual([
      '-m cgroup --path kubesim/e2e/e2e-node-1 -p tcp -m conntrack --ctorigdst 127.0.0.1 --ctorigdstport 6443',
      '-p tcp -s 127.0.0.1 --sport 40000 -d 127.0.0.1 --dport 6443',
      '-p tcp -s 127.0.0.1 --sport 6443 -d 127.0.0.1 --dport 40000',
      '-p tcp --sport 10250',
      '-p tcp --dport 10250',
      '-p tcp -s 10.244.1.1 --sport 31000',
      '-p tcp -d 10.244.1.1 --dport 31000',
    ]);
    expect(rules[0].args.slice(-6, -2)).toEqual(COMMENT);
  });
  it('loss: what the agent sends to the control plane, dropped at random', () => {
    const rules = lossRules({ ...owner, fault: 'loss' }, NET, 0.1);
    expect(rules.map((r) => r.args.join(' '))).toEqual([
      '-m cgroup --path kubesim/e2e/e2e-node-1 -p tcp -m conntrack --ctorigdst 127.0.0.1 --ctorigdstport 6443 -m comment --comment kubesim-chaos cluster=e2e node=e2e-node-1 fault=loss -m statistic --mode random --probability 0.1000 -j DROP',
      '-p tcp -s 127.0.0.1 --sport 40000 -d 127.0.0.1 --dport 6443 -m comment --comment kubesim-chaos cluster=e2e node=e2e-node-1 fault=loss -m statistic --mode random --probability 0.1000 -j DROP',
    ]);
  });
  it('delay: new connections redirected (nat, before NAT so by destination) to the proxy', () => {
    const rules = delayRules({ ...owner, fault: 'delay' }, { ...NET, controlPlane: [...NET.controlPlane, { addr: '127.0.0.1', port: 6444 }] }, [45000, 45001]);
    expect(rules.map((r) => `${r.table} ${r.chain} ${r.args.join(' ')}`)).toEqual([
      'nat OUTPUT -m cgroup --path kubesim/e2e/e2e-node-1 -p tcp -d 127.0.0.1 --dport 6443 -m comment --comment kubesim-chaos cluster=e2e node=e2e-node-1 fault=delay -j REDIRECT --to-ports 45000',
      'nat OUTPUT -m cgroup --path kubesim/e2e/e2e-node-1 -p tcp -d 127.0.0.1 --dport 6444 -m comment --comment kubesim-chaos cluster=e2e node=e2e-node-1 fault=delay -j REDIRECT --to-ports 45001',
    ]);
  });
});

describe('finding rules in iptables -S', () => {
  const LISTING = [
    '-P OUTPUT ACCEPT',
    '-A OUTPUT -p tcp -m cgroup --path "kubesim/e2e/e2e-node-1" -m conntrack --ctorigdst 127.0.0.1 --ctorigdstport 6443 -m comment --comment "kubesim-chaos cluster=e2e node=e2e-node-1 fault=partition" -j DROP',
    '-A OUTPUT -s 127.0.0.1/32 -p tcp -m tcp --sport 40000 -m comment --comment "kubesim-chaos cluster=e2e node=e2e-node-2 fault=loss" -m statistic --mode random --probability 0.10000000009 -j DROP',
    '-A OUTPUT -p tcp -m comment --comment "kubesim-chaos cluster=e2e2 node=e2e2-node-1 fault=partition" -j DROP',
    '-A OUTPUT -m comment --comment "kubesim node=node-1" -j KUBE-SVC-X',
    '-A OUTPUT -m comment --comment "say \\"hi\\"" -j ACCEPT',
  ].join('\n');
  it('splits quoted arguments', () => {
    expect(splitRuleLine('-A X -m comment --comment "a b \\"c\\"" -j Y')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a b "c"', '-j', 'Y']);
    expect(splitRuleLine('-A X --comment ""')).toEqual(['-A', 'X', '--comment', '']);
  });
  it("selects one cluster's (and node's) rules only", () => {
    const all = findChaosRules('filter', LISTING, (o) => o.cluster === 'e2e');
    expect(all.map((r) => r.args.join(' '))).toEqual([
      '-p tcp -m cgroup --path kubesim/e2e/e2e-node-1 -m conntrack --ctorigdst 127.0.0.1 --ctorigdstport 6443 -m comment --comment kubesim-chaos cluster=e2e node=e2e-node-1 fault=partition -j DROP',
      '-s 127.0.0.1/32 -p tcp -m tcp --sport 40000 -m comment --comment kubesim-chaos cluster=e2e node=e2e-node-2 fault=loss -m statistic --mode random --probability 0.10000000009 -j DROP',
    ]);
    expect(all.every((r) => r.table === 'filter' && r.chain === 'OUTPUT')).toBe(true);
    expect(findChaosRules('filter', LISTING, (o) => o.cluster === 'e2e' && o.node === 'e2e-node-2' && o.fault === 'loss')).toHaveLength(1);
    expect(findChaosRules('filter', LISTING, () => true)).toHaveLength(3);
  });
});
