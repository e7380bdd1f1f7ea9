import type { Service } from '@kubesim/api';
import { describe, expect, it } from 'vitest';
import { carryOverAllocations, heldValues, needsClusterIP, needsHealthCheck } from './service.js';

const svc = (spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec });

describe('what a Service holds', () => {
  it('by type', () => {
    expect(heldValues(svc({ type: 'ClusterIP', clusterIP: '10.96.0.9', ports: [{ port: 80 }] }))).toEqual({ ips: ['10.96.0.9'], ports: [] });
    expect(heldValues(svc({ type: 'ClusterIP', clusterIP: 'None' }))).toEqual({ ips: [], ports: [] });
    expect(heldValues(svc({ type: 'ExternalName', externalName: 'x.com' }))).toEqual({ ips: [], ports: [] });
    expect(
      heldValues(svc({ type: 'NodePort', clusterIP: '10.96.0.9', ports: [{ port: 53, protocol: 'TCP', nodePort: 30053 }, { port: 53, protocol: 'UDP', nodePort: 30053 }, { port: 80, nodePort: 30080 }] })),
    ).toEqual({ ips: ['10.96.0.9'], ports: [30053, 30080] });
    expect(heldValues(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, ports: [{ port: 80, nodePort: 30080 }] })).ports).toEqual([30080, 31000]);
    expect(needsClusterIP(svc({ type: 'NodePort' }))).toBe(true);
    expect(needsHealthCheck(svc({ type: 'NodePort', externalTrafficPolicy: 'Local' }))).toBe(false);
    expect(needsHealthCheck(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }))).toBe(true);
  });
});

describe('carryOverAllocations', () => {
  const old = svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], healthCheckNodePort: 31000, ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });

  it('keeps values the client left out', () => {
    const next = svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }] });
    carryOverAllocations(next, old);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], healthCheckNodePort: 31000 });
    expect(next.spec?.ports?.map((p) => p.nodePort)).toEqual([30080, undefined]);
  });

  it('matches ports by name when the number changed', () => {
    const next = svc({ type: 'NodePort', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    carryOverAllocations(next, old);
    expect(next.spec?.ports?.[0].nodePort).toBe(30080);
  });

  it('drops unchanged node ports and the health check port when the type no longer has them', () => {
    const next = structuredClone(old);
    next.spec = { ...next.spec, type: 'ClusterIP' };
    delete next.spec.externalTrafficPolicy;
    carryOverAllocations(next, old);
    expect(next.spec?.ports?.[0].nodePort).toBeUndefined();
    expect(next.spec?.healthCheckNodePort).toBeUndefined();
    expect(next.spec?.clusterIP).toBe('10.96.0.9');
  });

  it('drops the cluster IP when becoming an ExternalName', () => {
    const next = structuredClone(old);
    next.spec = { type: 'ExternalName', externalName: 'x.com', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ipFamilies: ['IPv4'], ports: next.spec?.ports };
    carryOverAllocations(next, old);
    expect(next.spec?.clusterIP).toBeUndefined();
    expect(next.spec?.clusterIPs).toBeUndefined();
    expect(next.spec?.ports?.[0].nodePort).toBeUndefined();
  });

  it('leaves a changed value for validation to judge', () => {
    const next = svc({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30099 }] });
    carryOverAllocations(next, old);
    expect(next.spec?.clusterIP).toBe('10.96.0.10');
    expect(next.spec?.ports?.[0].nodePort).toBe(30099);
  });
});
