import { describe, expect, it } from 'vitest';
import { parseKey } from '../storage/keys.js';
import { ipKey, portKey } from './allocator.js';
import { intToIp, ipOffset, ipToInt, lowerBand, parseIPRange, parsePortRange, pickFree, pickIP, pickPort, portInRange, reservedIP } from './range.js';

describe('service ranges', () => {
  it('parses CIDRs, normalising the base address', () => {
    expect(parseIPRange('10.96.0.0/16')).toEqual({ cidr: '10.96.0.0/16', base: ipToInt('10.96.0.0'), size: 65536 });
    expect(parseIPRange('10.96.7.9/24').cidr).toBe('10.96.7.0/24');
    for (const bad of ['10.96.0.0', '10.96.0/16', '10.96.0.300/16', 'x/16', '10.0.0.0/8', '10.0.0.0/31']) expect(() => parseIPRange(bad)).toThrow();
  });

  it('parses port ranges', () => {
    expect(parsePortRange('30000-32767')).toEqual({ text: '30000-32767', min: 30000, max: 32767 });
    expect(parsePortRange('31000')).toEqual({ text: '31000-31000', min: 31000, max: 31000 });
    for (const bad of ['0-10', '30000-70000', '32000-31000', 'a-b', '']) expect(() => parsePortRange(bad)).toThrow();
  });

  it('converts addresses and tells which are in the range', () => {
    expect(intToIp(ipToInt('10.96.255.254') as number)).toBe('10.96.255.254');
    const r = parseIPRange('10.96.0.0/16');
    expect(ipOffset(r, '10.96.0.0')).toBeUndefined(); // network address
    expect(ipOffset(r, '10.96.255.255')).toBeUndefined(); // broadcast
    expect(ipOffset(r, '10.97.0.1')).toBeUndefined();
    expect(ipOffset(r, '1.2.3.4')).toBeUndefined();
    expect(ipOffset(r, '10.96.0.1')).toBe(1);
    expect(ipOffset(r, '10.96.1.0')).toBe(256);
    expect(reservedIP(r)).toBe('10.96.0.1');
    expect(portInRange(parsePortRange('30000-32767'), 30000)).toBe(true);
    expect(portInRange(parsePortRange('30000-32767'), 32768)).toBe(false);
  });

  it('sizes the lower band as Kubernetes does', () => {
    expect(lowerBand(8)).toBe(16);
    expect(lowerBand(2768)).toBe(173);
    expect(lowerBand(65536)).toBe(256);
  });

  it('picks from the upper band first, then the lower, and finds the last free value', () => {
    expect(pickFree(10, 4, () => false, () => 0)).toBe(4);
    expect(pickFree(10, 4, (v) => v >= 4, () => 0.99)).toBe(3);
    expect(pickFree(10, 4, (v) => v !== 7, () => 0.5)).toBe(7);
    expect(pickFree(10, 4, (v) => v !== 1, () => 0.5)).toBe(1);
    expect(pickFree(10, 4, () => true)).toBe(-1);
    expect(pickFree(3, 0, (v) => v === 0, () => 0)).toBe(1);
  });

  it('never picks the reserved, network or broadcast address', () => {
    const r = parseIPRange('10.96.0.0/29'); // .0 network, .1 reserved, .7 broadcast
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(pickIP(r, () => false) as string);
    expect([...seen].sort()).toEqual(['10.96.0.2', '10.96.0.3', '10.96.0.4', '10.96.0.5', '10.96.0.6']);
    expect(pickIP(r, (ip) => ip !== '10.96.0.6')).toBe('10.96.0.6');
    expect(pickIP(r, () => true)).toBeUndefined();
    // Dynamic addresses of a big range come from above the lower band.
    const big = parseIPRange('10.96.0.0/16');
    for (let i = 0; i < 50; i++) expect(ipOffset(big, pickIP(big, () => false) as string)).toBeGreaterThanOrEqual(256);
  });

  it('picks node ports within the range', () => {
    const r = parsePortRange('30000-30009');
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(pickPort(r, () => false) as number);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(30000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(30009);
    expect(pickPort(r, (p) => p !== 30003)).toBe(30003);
    expect(pickPort(r, () => true)).toBeUndefined();
  });

  it('keeps allocation keys out of the resources watchers see', () => {
    expect(parseKey(ipKey('10.96.0.5'))).toBeUndefined();
    expect(parseKey(portKey(30080))).toBeUndefined();
  });
});
