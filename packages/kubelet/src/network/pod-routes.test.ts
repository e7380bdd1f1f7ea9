import { describe, expect, it } from 'vitest';
import { desiredPodRoutes, hostRoutes, insideCluster, parseIpRoutes, podRouteChanges, nodeRouteInfo } from './pod-routes.js';

describe('desiredPodRoutes', () => {
  const nodes = [
    { name: 'node-2', podCIDR: '10.244.2.0/24', internalIP: '172.20.0.6' },
    { name: 'node-1', podCIDR: '10.244.1.0/24', internalIP: '172.20.0.5' },
    { name: 'node-3', podCIDR: '10.244.3.0/24', internalIP: '172.20.0.7' },
  ];

  it('routes every other node, not itself, sorted', () => {
    expect(desiredPodRoutes(nodes, 'node-2')).toEqual([
      { cidr: '10.244.1.0/24', via: '172.20.0.5' },
      { cidr: '10.244.3.0/24', via: '172.20.0.7' },
    ]);
  });

  it('skips nodes without a pod CIDR or an address, and invalid CIDRs', () => {
    expect(
      desiredPodRoutes(
        [
          { name: 'a' },
          { name: 'b', podCIDR: '10.244.4.0/24' },
          { name: 'c', internalIP: '172.20.0.9' },
          { name: 'd', podCIDR: 'nope', internalIP: '172.20.0.9' },
        ],
        'x',
      ),
    ).toEqual([]);
  });

  it('gives a CIDR claimed twice to the first node by name', () => {
    const r = desiredPodRoutes(
      [
        { name: 'b', podCIDR: '10.244.1.0/24', internalIP: '2.2.2.2' },
        { name: 'a', podCIDR: '10.244.1.0/24', internalIP: '1.1.1.1' },
      ],
      'x',
    );
    expect(r).toEqual([{ cidr: '10.244.1.0/24', via: '1.1.1.1' }]);
  });

  it('reads the pod CIDR and InternalIP of a Node', () => {
    expect(
      nodeRouteInfo({ metadata: { name: 'n' }, spec: { podCIDR: '10.244.9.0/24' }, status: { addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '172.1.0.2' }] } }),
    ).toEqual({ name: 'n', podCIDR: '10.244.9.0/24', internalIP: '172.1.0.2' });
  });
});

describe('podRouteChanges', () => {
  it('adds missing routes, repoints moved ones and removes stale ones', () => {
    const current = [
      { cidr: '10.244.1.0/24', via: '172.20.0.5' },
      { cidr: '10.244.2.0/24', via: '172.20.0.9' },
      { cidr: '10.244.9.0/24', via: '172.20.0.8' },
    ];
    const desired = [
      { cidr: '10.244.1.0/24', via: '172.20.0.5' },
      { cidr: '10.244.2.0/24', via: '172.20.0.6' },
      { cidr: '10.244.3.0/24', via: '172.20.0.7' },
    ];
    expect(podRouteChanges(current, desired)).toEqual({
      replace: [
        { cidr: '10.244.2.0/24', via: '172.20.0.6' },
        { cidr: '10.244.3.0/24', via: '172.20.0.7' },
      ],
      remove: [{ cidr: '10.244.9.0/24', via: '172.20.0.8' }],
    });
  });

  it('changes nothing when the kernel already matches', () => {
    const r = [{ cidr: '10.244.1.0/24', via: '172.20.0.5' }];
    expect(podRouteChanges(r, r)).toEqual({ replace: [], remove: [] });
  });
});

describe('parseIpRoutes', () => {
  it('parses ip -j route output, /32s included', () => {
    const json = '[{"dst":"10.244.2.0/24","gateway":"172.20.0.6","dev":"eth0","protocol":"77","flags":[]},{"dst":"10.9.9.9","gateway":"172.20.0.1","dev":"eth0","flags":[]},{"dst":"default","dev":"eth0"}]';
    expect(parseIpRoutes(json)).toEqual([
      { cidr: '10.244.2.0/24', via: '172.20.0.6' },
      { cidr: '10.9.9.9/32', via: '172.20.0.1' },
    ]);
  });

  it('reads empty output as no routes', () => {
    expect(parseIpRoutes('')).toEqual([]);
    expect(parseIpRoutes('[]\n')).toEqual([]);
  });
});

describe('desiredPodRoutes with no node of its own (host mode)', () => {
  it('routes every node', () => {
    expect(desiredPodRoutes([{ name: 'node-1', podCIDR: '10.240.1.0/24', internalIP: '10.239.0.2' }], '')).toEqual([{ cidr: '10.240.1.0/24', via: '10.239.0.2' }]);
  });
});

describe('insideCluster', () => {
  it('keeps only pod CIDRs wholly inside the cluster range', () => {
    const routes = [
      { cidr: '10.240.1.0/24', via: '10.239.0.2' },
      { cidr: '10.241.1.0/24', via: '10.239.0.3' },
      { cidr: '10.240.0.0/15', via: '10.239.0.4' },
    ];
    expect(insideCluster(routes, '10.240.0.0/16')).toEqual([{ cidr: '10.240.1.0/24', via: '10.239.0.2' }]);
  });

  it('keeps nothing when the cluster range is invalid', () => {
    expect(insideCluster([{ cidr: '10.240.1.0/24', via: '10.239.0.2' }], 'nope')).toEqual([]);
  });
});

describe('hostRoutes', () => {
  it('splits proto 77 routes through the device from every other route', () => {
    const json = JSON.stringify([
      { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
      { dst: '10.239.0.0/16', dev: 'kubesim0', protocol: 'kernel', scope: 'link' },
      { dst: '10.240.1.0/24', gateway: '10.239.0.2', dev: 'kubesim0', protocol: '77' },
      { dst: '10.240.2.0/24', gateway: '10.242.0.2', dev: 'other0', protocol: '77' },
      { dst: '10.240.3.0/24', gateway: '192.0.2.9', dev: 'eth0' },
      { dst: '10.240.4.4', gateway: '10.239.0.5', dev: 'kubesim0', protocol: '77' },
    ]);
    const r = hostRoutes(json, 'kubesim0');
    expect(r.ours).toEqual([
      { cidr: '10.240.1.0/24', via: '10.239.0.2' },
      { cidr: '10.240.4.4/32', via: '10.239.0.5' },
    ]);
    expect([...r.foreign].sort()).toEqual(['10.239.0.0/16', '10.240.2.0/24', '10.240.3.0/24']);
  });

  it('reads empty output as no routes', () => {
    expect(hostRoutes('', 'kubesim0')).toEqual({ ours: [], foreign: new Set() });
  });
});
