import { describe, expect, it } from 'vitest';
import type { Service } from '@kubesim/api';
import { LB_FINALIZER, hasFinalizer, ingressFor, ingressIPs, lbSpecEqual, lbSpecOf, needsCleanup, needsSync, sameIngress, wantsLoadBalancer, withFinalizer, withoutFinalizer } from './service-lb.js';

function svc(spec: Service['spec'], meta: Service['metadata'] = {}, ips: string[] = []): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name: 'web', uid: 'u1', ...meta },
    spec,
    status: ips.length ? { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } } : {},
  };
}
const lb = (extra: Service['spec'] = {}) => ({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }], ...extra });

describe('wantsLoadBalancer / needsCleanup', () => {
  it('wants a balancer for type LoadBalancer without a class', () => {
    expect(wantsLoadBalancer(svc(lb()))).toBe(true);
    expect(wantsLoadBalancer(svc(lb({ loadBalancerClass: 'example.com/other' })))).toBe(false);
    expect(wantsLoadBalancer(svc({ type: 'NodePort' }))).toBe(false);
    expect(wantsLoadBalancer(svc({}))).toBe(false);
  });
  it('cleans up only what carries the finalizer', () => {
    const fin = { finalizers: [LB_FINALIZER] };
    expect(needsCleanup(svc(lb(), fin))).toBe(false);
    expect(needsCleanup(svc(lb(), { ...fin, deletionTimestamp: '2024-01-01T00:00:00Z' }))).toBe(true);
    expect(needsCleanup(svc({ type: 'ClusterIP' }, fin))).toBe(true);
    expect(needsCleanup(svc(lb({ loadBalancerClass: 'x' }), fin))).toBe(true);
    expect(needsCleanup(svc({ type: 'ClusterIP' }))).toBe(false);
    expect(needsCleanup(svc(lb(), { deletionTimestamp: '2024-01-01T00:00:00Z' }))).toBe(false);
  });
  it('adds and removes the finalizer, keeping the others, without touching the input', () => {
    const s = svc(lb(), { finalizers: ['example.com/keep'] });
    const added = withFinalizer(s);
    expect(added.metadata?.finalizers).toEqual(['example.com/keep', LB_FINALIZER]);
    expect(s.metadata?.finalizers).toEqual(['example.com/keep']);
    expect(withFinalizer(added)).toBe(added);
    expect(hasFinalizer(added)).toBe(true);
    expect(withoutFinalizer(added).metadata?.finalizers).toEqual(['example.com/keep']);
    expect(withoutFinalizer(s)).toBe(s);
    expect(withFinalizer(svc(lb())).metadata?.finalizers).toEqual([LB_FINALIZER]);
  });
});

describe('ingress', () => {
  it('reads and compares status addresses', () => {
    expect(ingressIPs(svc(lb(), {}, ['10.0.0.2']))).toEqual(['10.0.0.2']);
    expect(ingressIPs(svc(lb()))).toEqual([]);
    expect(sameIngress(svc(lb(), {}, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(sameIngress(svc(lb(), {}, ['10.0.0.2']), '10.0.0.3')).toBe(false);
    expect(sameIngress(svc(lb(), {}, ['10.0.0.2', '10.0.0.3']), '10.0.0.2')).toBe(false);
    expect(sameIngress(svc(lb()), undefined)).toBe(true);
    expect(sameIngress(svc(lb(), {}, ['10.0.0.2']), undefined)).toBe(false);
    expect(ingressFor('10.0.0.2')).toEqual([{ ip: '10.0.0.2', ipMode: 'VIP' }]);
    expect(ingressFor(undefined)).toEqual([]);
  });
});

describe('lbSpecOf', () => {
  it('serves TCP ports with a nodePort, and says why it skips others', () => {
    const { spec, skipped } = lbSpecOf(
      svc(
        lb({
          ports: [
            { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
            { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
            { port: 8080, nodePort: 30081 },
            { name: 'raw', port: 9000, protocol: 'TCP' },
          ],
        }),
      ),
    );
    expect(spec).toEqual({
      ports: [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: '', port: 8080, nodePort: 30081 },
      ],
      local: false,
      healthCheckNodePort: 0,
    });
    expect(skipped).toEqual(['dns 53/UDP: only TCP is load-balanced', 'raw 9000/TCP: no nodePort (allocateLoadBalancerNodePorts is false)']);
  });
  it('takes the health check port with Local only', () => {
    expect(lbSpecOf(svc(lb({ externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }))).spec).toMatchObject({ local: true, healthCheckNodePort: 31000 });
    expect(lbSpecOf(svc(lb({ externalTrafficPolicy: 'Cluster', healthCheckNodePort: 31000 }))).spec).toMatchObject({ local: false, healthCheckNodePort: 0 });
  });
  it('compares specs field by field', () => {
    const a = lbSpecOf(svc(lb())).spec;
    expect(lbSpecEqual(a, lbSpecOf(svc(lb())).spec)).toBe(true);
    expect(lbSpecEqual(a, lbSpecOf(svc(lb({ ports: [{ name: 'http', port: 80, nodePort: 30081 }] }))).spec)).toBe(false);
    expect(lbSpecEqual(a, lbSpecOf(svc(lb({ ports: [{ name: 'web', port: 80, nodePort: 30080 }] }))).spec)).toBe(false);
    expect(lbSpecEqual(a, lbSpecOf(svc(lb({ ports: [] }))).spec)).toBe(false);
    expect(lbSpecEqual(a, lbSpecOf(svc(lb({ externalTrafficPolicy: 'Local' }))).spec)).toBe(false);
  });
});

describe('needsSync', () => {
  const fin = { finalizers: [LB_FINALIZER] };
  const base = svc(lb(), fin, ['10.0.0.2']);
  it('ignores the controller’s own writes and unrelated changes', () => {
    // The finalizer added, then the status set to the held address.
    expect(needsSync(svc(lb()), svc(lb(), fin), undefined)).toBe(false);
    // The finalizer update arriving after the address was taken (status still empty).
    expect(needsSync(svc(lb()), svc(lb(), fin), '10.0.0.2')).toBe(false);
    expect(needsSync(svc(lb(), fin), base, '10.0.0.2')).toBe(false);
    expect(needsSync(base, svc(lb({ selector: { app: 'x' } }), fin, ['10.0.0.2']), '10.0.0.2')).toBe(false);
    expect(needsSync(svc({ type: 'ClusterIP' }), svc({ type: 'NodePort' }), undefined)).toBe(false);
  });
  it('syncs on type, deletion, uid, address and port changes', () => {
    expect(needsSync(svc({ type: 'ClusterIP' }), svc(lb()), undefined)).toBe(true);
    expect(needsSync(base, svc({ type: 'ClusterIP' }, fin, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb(), { ...fin, deletionTimestamp: '2024-01-01T00:00:00Z' }, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb(), { ...fin, uid: 'u2' }, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb({ loadBalancerIP: '10.0.0.9' }), fin, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb({ ports: [{ port: 81, nodePort: 30080 }] }), fin, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb({ externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }), fin, ['10.0.0.2']), '10.0.0.2')).toBe(true);
  });
  it('puts back a removed finalizer or an edited status', () => {
    expect(needsSync(base, svc(lb(), {}, ['10.0.0.2']), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb(), fin, []), '10.0.0.2')).toBe(true);
    expect(needsSync(base, svc(lb(), fin, ['10.0.0.7']), '10.0.0.2')).toBe(true);
    expect(needsSync(svc(lb(), {}, ['10.0.0.2']), svc(lb(), {}, ['10.0.0.2']), '10.0.0.2')).toBe(false);
  });
  it('syncs a non-LB Service still carrying the finalizer', () => {
    expect(needsSync(svc({ type: 'ClusterIP' }, fin), svc({ type: 'ClusterIP' }, { ...fin, deletionTimestamp: '2024-01-01T00:00:00Z' }), undefined)).toBe(true);
  });
});
