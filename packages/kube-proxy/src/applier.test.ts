import { describe, expect, it } from 'vitest';
import { IptablesApplier, removeAllKubesimRules, removeNodeRules } from './applier.js';
import { generateProxyRules, ruleLine } from './rules.js';
import { nodeChains, nodeChainPrefix } from './names.js';
import { commentOf, parseSave, splitArgs } from './save.js';
import type { CommandRunner } from './runner.js';

describe('iptables-save parsing', () => {
  it('splits quoted arguments', () => {
    expect(splitArgs('-A X -m comment --comment "a b \\"c\\"" -j Y')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a b "c"', '-j', 'Y']);
    expect(splitArgs('-A X --comment ""')).toEqual(['-A', 'X', '--comment', '']);
  });

  it('reads the chains and rules of one table', () => {
    const text = ['# Generated', '*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j F', 'COMMIT', '*nat', ':PREROUTING ACCEPT [0:0]', ':KUBESIM-X - [0:0]', '-A PREROUTING -m comment --comment "kubesim node=a" -j KUBESIM-X', 'COMMIT'].join('\n');
    const nat = parseSave(text, 'nat');
    expect(nat.chains).toEqual(['PREROUTING', 'KUBESIM-X']);
    expect(nat.rules).toHaveLength(1);
    expect(nat.rules[0].chain).toBe('PREROUTING');
    expect(commentOf(nat.rules[0].args)).toBe('kubesim node=a');
    expect(parseSave(text, 'filter').rules[0].args).toEqual(['-j', 'F']);
  });
});

/** A fake iptables whose save output is given; records restores. */
function fake(saveText: string, existing: (args: string[]) => boolean = () => false) {
  const restores: string[] = [];
  const runner: CommandRunner = async (cmd, args, input) => {
    if (cmd === 'iptables-save') return { code: 0, stdout: saveText, stderr: '' };
    if (cmd === 'iptables') return { code: existing(args) ? 0 : 1, stdout: '', stderr: '' };
    restores.push(input ?? '');
    return { code: 0, stdout: '', stderr: '' };
  };
  return { runner, restores };
}

const input = { mode: 'shared-host' as const, nodeName: 'a', nodeAddress: '10.244.1.1', podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16', services: [], endpoints: [] };

describe('IptablesApplier', () => {
  it('deletes its stale chains and jumps, keeps current ones, never touches other nodes', async () => {
    const rules = generateProxyRules(input);
    const top = nodeChains('a');
    const other = nodeChainPrefix('b');
    const current = rules.jumps.filter((j) => j.table === 'nat').map((j) => ruleLine('-A', j.chain, j.args));
    const save = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      `:${top.filter} - [0:0]`,
      `:${other}FILTER - [0:0]`,
      `-A INPUT -m comment --comment "kubesim node=b" -j ${other}FILTER`,
      'COMMIT',
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      `:${top.services} - [0:0]`,
      `:${nodeChainPrefix('a')}SVC-AAAAAAAAA - [0:0]`,
      `:${other}SERVICES - [0:0]`,
      ...current,
      `-A PREROUTING -s 10.244.9.0/24 -m comment --comment "kubesim node=a" -j ${top.services}`,
      'COMMIT',
    ].join('\n');
    const f = fake(save);
    const applier = new IptablesApplier({ nodeName: 'a', runner: f.runner });
    const r = await applier.apply(rules);
    expect(r.staleChains).toEqual([`${nodeChainPrefix('a')}SVC-AAAAAAAAA`]);
    expect(r.jumpsDeleted).toBe(1);
    expect(r.jumpsInserted).toBe(3); // the filter jumps
    const text = f.restores[0];
    expect(text).toContain(`-D PREROUTING -s 10.244.9.0/24 -m comment --comment "kubesim node=a" -j ${top.services}`);
    expect(text).toContain(`:${nodeChainPrefix('a')}SVC-AAAAAAAAA - [0:0]\n`);
    expect(text).toContain(`-X ${nodeChainPrefix('a')}SVC-AAAAAAAAA`);
    expect(text).not.toContain(other);
    // Inserted at the top, in the listed order once all are in.
    const inserts = text.split('\n').filter((l) => l.startsWith('-I '));
    expect(inserts.map((l) => l.split(' ')[1])).toEqual(['OUTPUT', 'FORWARD', 'INPUT']);
    // Unchanged: no second write.
    expect((await applier.apply(rules)).written).toBe(false);
    expect(f.restores).toHaveLength(1);
  });

  it('does not insert a jump that -C finds, nor delete the saved form it could not recognise', async () => {
    const rules = generateProxyRules(input);
    const top = nodeChains('a');
    const save = ['*nat', ':POSTROUTING ACCEPT [0:0]', `-A POSTROUTING -m comment --comment "kubesim node=a" -m foo -j ${top.postrouting}`, 'COMMIT'].join('\n');
    const f = fake(save, (args) => args.includes(top.postrouting));
    const r = await new IptablesApplier({ nodeName: 'a', runner: f.runner }).apply(rules);
    expect(r.jumpsDeleted).toBe(0);
    expect(f.restores[0]).not.toMatch(/^-I POSTROUTING/m);
  });

  it('removeNodeRules and removeAllKubesimRules delete only kubesim chains and jumps', async () => {
    const a = nodeChainPrefix('a');
    const b = nodeChainPrefix('b');
    const save = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      `:${a}SERVICES - [0:0]`,
      `:${b}SERVICES - [0:0]`,
      `-A PREROUTING -m comment --comment "kubesim node=a" -j ${a}SERVICES`,
      `-A PREROUTING -m comment --comment "kubesim node=b" -j ${b}SERVICES`,
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      `-A ${a}SERVICES -m comment --comment "kubesim node=a" -j RETURN`,
      'COMMIT',
    ].join('\n');
    let f = fake(save);
    expect(await removeNodeRules('a', f.runner)).toEqual({ chains: 1, rules: 1 });
    expect(f.restores[0]).toBe(
      ['*nat', `:${a}SERVICES - [0:0]`, `-D PREROUTING -m comment --comment "kubesim node=a" -j ${a}SERVICES`, `-X ${a}SERVICES`, 'COMMIT', ''].join('\n'),
    );
    f = fake(save);
    expect(await removeAllKubesimRules(f.runner)).toEqual({ chains: 2, rules: 2 });
    expect(f.restores[0]).not.toContain('DOCKER');
    f = fake('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n');
    expect(await removeAllKubesimRules(f.runner)).toEqual({ chains: 0, rules: 0 });
    expect(f.restores).toEqual([]);
  });
});
