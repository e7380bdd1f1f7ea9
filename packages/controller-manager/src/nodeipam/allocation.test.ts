import { describe, expect, it } from 'vitest';
import { indexOf, nextFree, planNodeCIDRs } from './allocation.js';

describe('node CIDR allocation', () => {
  const plan = planNodeCIDRs('10.244.0.0/16', 24);

  it('skips the gateway subnet and hands out the lowest free one', () => {
    expect(nextFree(plan, new Set())).toBe('10.244.1.0/24');
    expect(nextFree(plan, new Set([1, 2, 4]))).toBe('10.244.3.0/24');
  });

  it('never gives out the load-balancer pool (the last subnet) and reports exhaustion', () => {
    const used = new Set(Array.from({ length: 254 }, (_, i) => i + 1));
    used.delete(254);
    expect(nextFree(plan, used)).toBe('10.244.254.0/24');
    used.add(254);
    expect(nextFree(plan, used)).toBeUndefined();
  });

  it('maps pod CIDRs back to indexes, ignoring foreign ones', () => {
    expect(indexOf(plan, '10.244.7.0/24')).toBe(7);
    expect(indexOf(plan, '10.245.7.0/24')).toBeUndefined();
    expect(indexOf(plan, '10.244.7.0/25')).toBeUndefined();
    expect(indexOf(plan, undefined)).toBeUndefined();
    expect(indexOf(plan, 'garbage')).toBeUndefined();
  });

  it('rejects plans that cannot work, naming the flag', () => {
    expect(() => planNodeCIDRs('10.244.0.0/24', 16)).toThrow('--node-cidr-mask-size');
    expect(() => planNodeCIDRs('10.244.0.0/23', 24)).toThrow('at least 3');
    expect(() => planNodeCIDRs('bad', 24)).toThrow('--cluster-cidr');
    expect(planNodeCIDRs('10.0.0.0/8', 16).count).toBe(256);
  });
});
