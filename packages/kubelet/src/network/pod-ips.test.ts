import { describe, expect, it } from 'vitest';
import { mustParseCIDR } from '@kubesim/api';
import { PodIPAllocator, pickPodIP } from './pod-ips.js';

const cidr = mustParseCIDR('10.244.3.0/24', 'podCIDR');

describe('pod IPs', () => {
  it('skips the network, node and broadcast addresses', () => {
    expect(pickPodIP(cidr, () => false)).toBe('10.244.3.2');
    expect(pickPodIP(cidr, (ip) => ip !== '10.244.3.254')).toBe('10.244.3.254');
    expect(pickPodIP(cidr, () => true)).toBeUndefined();
  });

  it('never hands out one address twice while the first sandbox is not yet listed', () => {
    let now = 1000;
    const a = new PodIPAllocator(cidr, () => now);
    const listed = now;
    const first = a.reserve(new Set(), listed);
    const second = a.reserve(new Set(), listed);
    expect(first).toBe('10.244.3.2');
    expect(second).toBe('10.244.3.3');
    // A listing that began before the first choice does not settle it.
    now = 2000;
    expect(a.reserve(new Set(['10.244.3.2']), 500)).toBe('10.244.3.4');
  });

  it('settles reservations seen in use, frees released and stale ones', () => {
    let now = 1000;
    const a = new PodIPAllocator(cidr, () => now, 10_000);
    const ip = a.reserve(new Set(), now)!;
    now = 2000;
    // Seen running by a later listing: the runtime's view now holds it.
    expect(a.reserve(new Set([ip]), 1500)).toBe('10.244.3.3');
    a.release('10.244.3.3');
    // The container holding .2 went away: both addresses are free again.
    expect(a.reserve(new Set(), 2500)).toBe('10.244.3.2');
    now = 20_000;
    expect(a.reserve(new Set(), 19_000)).toBe('10.244.3.2');
  });
});
