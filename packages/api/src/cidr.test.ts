import { describe, expect, it } from 'vitest';
import { addressAt, cidrContains, intToIp, ipToInt, mustParseCIDR, parseCIDR, subnetAt, subnetIndex } from './cidr.js';

describe('cidr', () => {
  it('converts addresses both ways', () => {
    expect(ipToInt('10.244.3.1')).toBe(((10 * 256 + 244) * 256 + 3) * 256 + 1);
    expect(intToIp(ipToInt('255.255.255.255')!)).toBe('255.255.255.255');
    for (const bad of ['10.0.0', '10.0.0.256', 'a.b.c.d', '1.2.3.4.5', '']) expect(ipToInt(bad)).toBeUndefined();
  });

  it('parses and canonicalises CIDRs', () => {
    expect(parseCIDR('10.244.7.9/16')).toEqual({ text: '10.244.0.0/16', base: ipToInt('10.244.0.0'), bits: 16, size: 65536 });
    expect(parseCIDR('10.244.0.0/33')).toBeUndefined();
    expect(parseCIDR('10.244.0.0')).toBeUndefined();
    expect(() => mustParseCIDR('nope', '--cluster-cidr')).toThrow('invalid --cluster-cidr "nope"');
  });

  it('finds subnets by index and back', () => {
    const c = mustParseCIDR('10.244.0.0/16', 'x');
    expect(subnetAt(c, 24, 0)?.text).toBe('10.244.0.0/24');
    expect(subnetAt(c, 24, 3)?.text).toBe('10.244.3.0/24');
    expect(subnetAt(c, 24, 255)?.text).toBe('10.244.255.0/24');
    expect(subnetAt(c, 24, 256)).toBeUndefined();
    expect(subnetAt(c, 8, 0)).toBeUndefined();
    expect(subnetIndex(c, 24, mustParseCIDR('10.244.9.0/24', 'x'))).toBe(9);
    expect(subnetIndex(c, 24, mustParseCIDR('10.245.9.0/24', 'x'))).toBeUndefined();
    expect(subnetIndex(c, 24, mustParseCIDR('10.244.9.0/25', 'x'))).toBeUndefined();
  });

  it('tells membership and addresses inside', () => {
    const c = mustParseCIDR('10.244.3.0/24', 'x');
    expect(cidrContains(c, '10.244.3.255')).toBe(true);
    expect(cidrContains(c, '10.244.4.0')).toBe(false);
    expect(cidrContains(c, 'junk')).toBe(false);
    expect(addressAt(c, 1)).toBe('10.244.3.1');
  });
});
