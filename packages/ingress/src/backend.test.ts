import { describe, expect, it } from 'vitest';
import type { Endpoints, IngressBackend, Ingress, Service } from '@kubesim/api';
import { RoundRobin, resolveBackend } from './backend.js';
import { desiredLoadBalancer, servesIngress, statusUpToDate } from './class.js';

const svc = (spec: Service['spec']): Service => ({ kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec });
const ep = (subsets: Endpoints['subsets']): Endpoints => ({ kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets });
const byNumber = (number: number): IngressBackend => ({ service: { name: 'web', port: { number } } });
const byName = (name: string): IngressBackend => ({ service: { name: 'web', port: { name } } });

describe('resolveBackend', () => {
  const twoPorts = svc({ ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 81, targetPort: 'admin' }] });
  const twoPortEps = ep([
    { addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }], notReadyAddresses: [{ ip: '10.244.3.7' }], ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }] },
    { addresses: [{ ip: '10.244.4.8' }], ports: [{ name: 'http', port: 8081 }] },
  ]);

  it('uses the ready addresses with the Endpoints port of the Service port a number names', () => {
    expect(resolveBackend('default', byNumber(80), twoPorts, twoPortEps)).toEqual({
      ok: true,
      key: 'default/web:80',
      targets: [{ ip: '10.244.1.5', port: 8080 }, { ip: '10.244.2.6', port: 8080 }, { ip: '10.244.4.8', port: 8081 }],
    });
  });

  it('resolves a port name through the Service to the Endpoints port of that name', () => {
    expect(resolveBackend('default', byName('admin'), twoPorts, twoPortEps)).toEqual({ ok: true, key: 'default/web:81', targets: [{ ip: '10.244.1.5', port: 9090 }, { ip: '10.244.2.6', port: 9090 }] });
  });

  it('matches an unnamed Service port with the unnamed Endpoints port', () => {
    const s = svc({ ports: [{ port: 80, targetPort: 8080 }] });
    expect(resolveBackend('default', byNumber(80), s, ep([{ addresses: [{ ip: '127.0.0.2' }], ports: [{ port: 9000 }] }]))).toMatchObject({ ok: true, targets: [{ ip: '127.0.0.2', port: 9000 }] });
  });

  it.each<[string, IngressBackend, Service | undefined, Endpoints | undefined, string]>([
    ['no Service', byNumber(80), undefined, undefined, 'service default/web not found'],
    ['no such port number', byNumber(8080), twoPorts, twoPortEps, 'service default/web has no port 8080'],
    ['no such port name', byName('grpc'), twoPorts, twoPortEps, 'service default/web has no port grpc'],
    ['no Endpoints', byNumber(80), twoPorts, undefined, 'service default/web has no ready endpoints for port 80'],
    ['only not-ready addresses', byNumber(80), twoPorts, ep([{ notReadyAddresses: [{ ip: '10.244.1.5' }], ports: [{ name: 'http', port: 8080 }] }]), 'service default/web has no ready endpoints for port 80'],
    ['Endpoints without the port name', byNumber(80), twoPorts, ep([{ addresses: [{ ip: '10.244.1.5' }], ports: [{ name: 'other', port: 8080 }] }]), 'service default/web has no ready endpoints for port 80'],
    ['a UDP Endpoints port', byNumber(80), twoPorts, ep([{ addresses: [{ ip: '10.244.1.5' }], ports: [{ name: 'http', port: 8080, protocol: 'UDP' }] }]), 'service default/web has no ready endpoints for port 80'],
    ['an ExternalName Service', byNumber(80), svc({ type: 'ExternalName', externalName: 'db.example.com' }), undefined, 'service default/web is an ExternalName service'],
    ['a resource backend', { resource: { kind: 'Bucket', name: 'b' } }, undefined, undefined, 'resource backends are not supported'],
  ])('fails for %s', (_n, b, s, e, reason) => expect(resolveBackend('default', b, s, e)).toEqual({ ok: false, reason }));
});

describe('RoundRobin', () => {
  const t = [{ ip: 'a', port: 1 }, { ip: 'b', port: 1 }, { ip: 'c', port: 1 }];
  it('starts at the next target each time and keeps the rest as fallbacks', () => {
    const rr = new RoundRobin();
    expect(rr.order('k', t).map((x) => x.ip)).toEqual(['a', 'b', 'c']);
    expect(rr.order('k', t).map((x) => x.ip)).toEqual(['b', 'c', 'a']);
    expect(rr.order('k', t).map((x) => x.ip)).toEqual(['c', 'a', 'b']);
    expect(rr.order('k', t).map((x) => x.ip)).toEqual(['a', 'b', 'c']);
    // Keys are independent; a shrunk target list wraps safely.
    expect(rr.order('other', t)[0].ip).toBe('a');
    expect(rr.order('k', t.slice(0, 1)).map((x) => x.ip)).toEqual(['a']);
  });
  it('spreads evenly', () => {
    const rr = new RoundRobin();
    const counts: Record<string, number> = {};
    for (let i = 0; i < 300; i++) {
      const ip = rr.order('k', t)[0].ip;
      counts[ip] = (counts[ip] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 100, b: 100, c: 100 });
  });
});

describe('class and status', () => {
  const withClass = (cls?: string, annotation?: string): Ingress => ({
    kind: 'Ingress',
    metadata: { name: 'x', namespace: 'default', ...(annotation !== undefined ? { annotations: { 'kubernetes.io/ingress.class': annotation } } : {}) },
    spec: { ...(cls !== undefined ? { ingressClassName: cls } : {}), defaultBackend: byNumber(80) },
  });
  const opts = { ingressClass: 'kubesim', watchWithoutClass: true };
  it.each<[string, Ingress, boolean, boolean]>([
    ['our class', withClass('kubesim'), true, true],
    ['another class', withClass('nginx'), false, false],
    ['our class by annotation', withClass(undefined, 'kubesim'), true, true],
    ['another class by annotation', withClass(undefined, 'nginx'), false, false],
    ['no class', withClass(), true, false],
    ['the field over the annotation', withClass('kubesim', 'nginx'), true, true],
  ])('%s', (_n, ing, withoutClass, strict) => {
    expect(servesIngress(ing, opts)).toBe(withoutClass);
    expect(servesIngress(ing, { ...opts, watchWithoutClass: false })).toBe(strict);
  });

  it('publishes sorted unique addresses and compares them with the status', () => {
    const want = desiredLoadBalancer(['127.0.0.2', '127.0.0.1', '127.0.0.2']);
    expect(want).toEqual([{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }]);
    const ing = withClass('kubesim');
    expect(statusUpToDate(ing, want)).toBe(false);
    ing.status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }] } };
    expect(statusUpToDate(ing, want)).toBe(true);
    ing.status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
    expect(statusUpToDate(ing, want)).toBe(false);
  });
});
