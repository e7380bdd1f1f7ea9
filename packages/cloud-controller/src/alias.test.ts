import { describe, expect, it } from 'vitest';
import { IpAddrAliases, type Run } from './alias.js';

/** An `ip` that keeps addresses in a set and answers as iproute2 does. */
function fakeIp(style: 'old' | 'new'): { run: Run; calls: string[]; addrs: Set<string> } {
  const addrs = new Set<string>(['10.244.0.1/16']);
  const calls: string[] = [];
  const fail = (stderr: string) => Object.assign(new Error(`Command failed: ip\n${stderr}`), { stderr });
  const run: Run = async (cmd, args) => {
    calls.push([cmd, ...args].join(' '));
    if (args[0] === '-o') return { stdout: [...addrs].map((a, i) => `7: br0    inet ${a} ${i === 0 ? 'brd 10.244.255.255 ' : ''}scope global br0\\       valid_lft forever preferred_lft forever\n`).join('') };
    const [, verb, addr] = args;
    if (verb === 'add') {
      if (addrs.has(addr)) throw fail(style === 'old' ? 'RTNETLINK answers: File exists\n' : 'Error: ipv4: Address already assigned.\n');
      addrs.add(addr);
    } else {
      if (!addrs.has(addr)) throw fail(style === 'old' ? 'RTNETLINK answers: Cannot assign requested address\n' : 'Error: ipv4: Address not found.\n');
      addrs.delete(addr);
    }
    return { stdout: '' };
  };
  return { run, calls, addrs };
}

describe('IpAddrAliases', () => {
  for (const style of ['old', 'new'] as const) {
    it(`adds and removes /32 aliases idempotently (${style} iproute2)`, async () => {
      const ip = fakeIp(style);
      const a = new IpAddrAliases('br0', ip.run);
      await a.add('10.244.255.2');
      await a.add('10.244.255.2');
      await a.add('10.244.255.3');
      expect(ip.calls[0]).toBe('ip addr add 10.244.255.2/32 dev br0');
      expect(await a.list()).toEqual(['10.244.255.2', '10.244.255.3']);
      await a.remove('10.244.255.2');
      await a.remove('10.244.255.2');
      expect(ip.calls.at(-1)).toBe('ip addr del 10.244.255.2/32 dev br0');
      expect(await a.list()).toEqual(['10.244.255.3']);
    });
  }
  it('reports other failures', async () => {
    const run: Run = async () => {
      throw Object.assign(new Error('Command failed'), { stderr: 'Cannot find device "nope"\n' });
    };
    const a = new IpAddrAliases('nope', run);
    await expect(a.add('10.244.255.2')).rejects.toThrow('cannot add 10.244.255.2/32 to nope: Cannot find device "nope"');
    await expect(a.remove('10.244.255.2')).rejects.toThrow(/cannot remove 10.244.255.2\/32 from nope/);
  });
});
