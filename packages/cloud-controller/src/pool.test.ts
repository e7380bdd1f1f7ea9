import { describe, expect, it } from 'vitest';
import { AddressPool, PoolError, inPool, intToIp, ipToInt, nextFree, parseCidr } from './pool.js';

describe('ipToInt / intToIp', () => {
  it('round-trips addresses', () => {
    for (const ip of ['0.0.0.0', '10.244.255.2', '127.0.0.1', '255.255.255.255']) expect(intToIp(ipToInt(ip)!)).toBe(ip);
    expect(ipToInt('10.0.0.1')).toBe(0x0a000001);
  });
  it('rejects what is not a dotted quad', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', 'a.b.c.d', '1.2.3.-1', '1.2.3.4/32', '::1']) expect(ipToInt(bad)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('skips network, the first address and broadcast', () => {
    const r = parseCidr('10.244.255.0/24');
    expect(r.cidr).toBe('10.244.255.0/24');
    expect([intToIp(r.network), intToIp(r.first), intToIp(r.last), intToIp(r.broadcast)]).toEqual(['10.244.255.0', '10.244.255.2', '10.244.255.254', '10.244.255.255']);
  });
  it('normalises host bits away', () => {
    expect(parseCidr('127.9.9.77/24').cidr).toBe('127.9.9.0/24');
    const r = parseCidr('10.0.0.5/30');
    expect([intToIp(r.network), intToIp(r.first), intToIp(r.last)]).toEqual(['10.0.0.4', '10.0.0.6', '10.0.0.6']);
  });
  it('refuses bad CIDRs', () => {
    for (const bad of ['10.244.255.0', '10.244.255.0/31', '10.244.255.0/32', '10.0.0.0/7', 'x/24', '10.0.0.0/-1', '300.0.0.0/24']) expect(() => parseCidr(bad)).toThrow(PoolError);
  });
  it('inPool holds only usable addresses', () => {
    const r = parseCidr('10.244.255.0/24');
    expect(['10.244.255.0', '10.244.255.1', '10.244.255.255', '10.244.254.9', 'nope'].map((ip) => inPool(r, ip))).toEqual([false, false, false, false, false]);
    expect(['10.244.255.2', '10.244.255.254'].map((ip) => inPool(r, ip))).toEqual([true, true]);
  });
});

describe('nextFree', () => {
  const r = parseCidr('10.0.0.0/29'); // usable .2-.6
  const n = (last: number) => ipToInt(`10.0.0.${last}`)!;
  it('starts at the first usable address', () => {
    expect(nextFree(r, new Set(), r.first - 1)).toBe(n(2));
  });
  it('continues after the last given and wraps', () => {
    expect(nextFree(r, new Set([n(2)]), n(2))).toBe(n(3));
    expect(nextFree(r, new Set([n(6)]), n(6))).toBe(n(2));
    expect(nextFree(r, new Set([n(2), n(3), n(5)]), n(5))).toBe(n(6));
    expect(nextFree(r, new Set([n(2), n(3), n(6)]), n(6))).toBe(n(4));
  });
  it('is undefined when all are taken', () => {
    expect(nextFree(r, new Set([2, 3, 4, 5, 6].map(n)), n(2))).toBeUndefined();
  });
});

describe('AddressPool', () => {
  it('gives each key one stable address', () => {
    const p = new AddressPool('10.244.255.0/24');
    expect(p.allocate('default/a')).toBe('10.244.255.2');
    expect(p.allocate('default/b')).toBe('10.244.255.3');
    expect(p.allocate('default/a')).toBe('10.244.255.2');
    expect(p.ownerOf('10.244.255.3')).toBe('default/b');
    expect(p.used).toBe(2);
  });
  it('does not hand a released address out again at once', () => {
    const p = new AddressPool('10.244.255.0/24');
    p.allocate('a');
    expect(p.release('a')).toBe('10.244.255.2');
    expect(p.release('a')).toBeUndefined();
    expect(p.allocate('b')).toBe('10.244.255.3');
    expect(p.addressOf('a')).toBeUndefined();
  });
  it('honours a free requested address and moves a key to it', () => {
    const p = new AddressPool('10.244.255.0/24');
    expect(p.allocate('a', '10.244.255.100')).toBe('10.244.255.100');
    expect(p.allocate('a')).toBe('10.244.255.100');
    expect(p.allocate('a', '10.244.255.101')).toBe('10.244.255.101');
    expect(p.ownerOf('10.244.255.100')).toBeUndefined();
    expect(p.used).toBe(1);
  });
  it('refuses a requested address that is taken or outside the pool', () => {
    const p = new AddressPool('10.244.255.0/24');
    p.allocate('a', '10.244.255.7');
    expect(() => p.allocate('b', '10.244.255.7')).toThrow(/already allocated to service a/);
    expect(() => p.allocate('b', '10.244.255.1')).toThrow(/not in the load-balancer pool 10.244.255.0\/24/);
    expect(() => p.allocate('b', '10.1.1.1')).toThrow(PoolError);
    expect(() => p.allocate('b', 'garbage')).toThrow(PoolError);
    // A refused request leaves the key's current address alone.
    p.allocate('c');
    expect(() => p.allocate('c', '10.244.255.7')).toThrow(PoolError);
    expect(p.addressOf('c')).toBe('10.244.255.2');
  });
  it('reports exhaustion', () => {
    const p = new AddressPool('10.0.0.0/29');
    for (const k of ['a', 'b', 'c', 'd', 'e']) p.allocate(k);
    expect(() => p.allocate('f')).toThrow(/no free address left in the load-balancer pool 10.0.0.0\/29 \(5 addresses/);
    p.release('c');
    expect(p.allocate('f')).toBe('10.0.0.4');
  });
  it('restores allocations from status, first come first served', () => {
    const p = new AddressPool('10.244.255.0/24');
    expect(p.restore('a', '10.244.255.9')).toBe(true);
    expect(p.restore('a', '10.244.255.9')).toBe(true);
    expect(p.restore('b', '10.244.255.9')).toBe(false);
    expect(p.restore('a', '10.244.255.10')).toBe(false);
    expect(p.restore('c', '10.244.255.1')).toBe(false);
    expect(p.restore('c', '192.168.0.1')).toBe(false);
    expect(p.allocate('a')).toBe('10.244.255.9');
    expect(p.allocate('b')).toBe('10.244.255.2');
    expect(p.entries().sort()).toEqual([
      ['a', '10.244.255.9'],
      ['b', '10.244.255.2'],
    ]);
  });
});
