import { describe, expect, it } from 'vitest';
import type { Container, Pod, Service } from '@kubesim/api';
import { compareIPs, computeSubsets, endpointsLabels, findPort, HEADLESS_LABEL, labelsEqual, managesEndpoints, selectsPod, shouldPodBeInEndpoints, subsetsEqual } from './subsets.js';

function svc(spec: Service['spec'] = {}, name = 'web'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', labels: { team: 'a' } },
    spec: { clusterIP: '10.96.0.10', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  };
}

interface PodOpts {
  ip?: string;
  ready?: boolean;
  phase?: string;
  terminating?: boolean;
  node?: string;
  containers?: Container[];
  hostname?: string;
  subdomain?: string;
  labels?: Record<string, string>;
  rv?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: o.rv ?? '7',
      labels: o.labels ?? { app: 'web' },
      deletionTimestamp: o.terminating ? '2024-01-01T00:00:00Z' : undefined,
    },
    spec: { nodeName: o.node ?? 'node-a', containers: o.containers ?? [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }], hostname: o.hostname, subdomain: o.subdomain },
    status: {
      phase: o.phase ?? 'Running',
      podIP: o.ip === undefined ? `10.244.0.${name.replace(/\D/g, '') || '1'}` : o.ip,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

const ips = (as: Array<{ ip?: string }> | undefined) => (as ?? []).map((a) => a.ip);

describe('shouldPodBeInEndpoints', () => {
  it('needs an IP and an unfinished pod', () => {
    expect(shouldPodBeInEndpoints(pod('p1'), false)).toBe(true);
    expect(shouldPodBeInEndpoints(pod('p1', { ip: '' }), false)).toBe(false);
    expect(shouldPodBeInEndpoints(pod('p1', { phase: 'Succeeded' }), true)).toBe(false);
    expect(shouldPodBeInEndpoints(pod('p1', { phase: 'Failed' }), true)).toBe(false);
    expect(shouldPodBeInEndpoints(pod('p1', { phase: 'Pending' }), false)).toBe(true);
  });
  it('drops terminating pods unless they are tolerated', () => {
    expect(shouldPodBeInEndpoints(pod('p1', { terminating: true }), false)).toBe(false);
    expect(shouldPodBeInEndpoints(pod('p1', { terminating: true }), true)).toBe(true);
  });
  it('takes podIPs when podIP is missing', () => {
    const p = pod('p1', { ip: '' });
    p.status!.podIPs = [{ ip: '10.1.1.1' }];
    expect(shouldPodBeInEndpoints(p, false)).toBe(true);
  });
});

describe('findPort', () => {
  const p = pod('p1', { containers: [{ name: 'a', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }, { name: 'b', ports: [{ name: 'http', containerPort: 9090 }] }] });
  it('uses a numbered target port as is', () => expect(findPort(p, { port: 80, targetPort: 8080 })).toBe(8080));
  it('defaults the target port to the port', () => {
    expect(findPort(p, { port: 80 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: 0 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: '' })).toBe(80);
  });
  it('looks a named target port up in any container', () => expect(findPort(p, { port: 80, targetPort: 'http' })).toBe(9090));
  it('matches the protocol (TCP by default)', () => {
    expect(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' })).toBe(53);
    expect(findPort(p, { port: 53, targetPort: 'dns' })).toBeUndefined();
  });
  it('is undefined for a missing name', () => expect(findPort(p, { port: 80, targetPort: 'nope' })).toBeUndefined());
});

describe('computeSubsets', () => {
  it('lists ready pods as addresses with node and targetRef, and the target port', () => {
    const subsets = computeSubsets(svc(), [pod('p2', { node: 'node-b' }), pod('p1')]);
    expect(subsets).toEqual([
      {
        addresses: [
          { ip: '10.244.0.1', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'default', name: 'p1', uid: 'uid-p1', resourceVersion: '7' } },
          { ip: '10.244.0.2', nodeName: 'node-b', targetRef: { kind: 'Pod', namespace: 'default', name: 'p2', uid: 'uid-p2', resourceVersion: '7' } },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('puts not-ready pods in notReadyAddresses of the same subset', () => {
    const [s, ...rest] = computeSubsets(svc(), [pod('p1'), pod('p2', { ready: false }), pod('p3')]);
    expect(rest).toEqual([]);
    expect(ips(s.addresses)).toEqual(['10.244.0.1', '10.244.0.3']);
    expect(ips(s.notReadyAddresses)).toEqual(['10.244.0.2']);
  });

  it('publishes not-ready (and terminating) pods as ready with publishNotReadyAddresses', () => {
    const subsets = computeSubsets(svc({ publishNotReadyAddresses: true }), [pod('p1', { ready: false }), pod('p2', { terminating: true })]);
    expect(subsets).toHaveLength(1);
    expect(ips(subsets[0].addresses)).toEqual(['10.244.0.1', '10.244.0.2']);
    expect(subsets[0].notReadyAddresses).toBeUndefined();
  });

  it('leaves out terminating, finished and IP-less pods', () => {
    const subsets = computeSubsets(svc(), [pod('p1', { terminating: true }), pod('p2', { phase: 'Succeeded' }), pod('p3', { phase: 'Failed' }), pod('p4', { ip: '' }), pod('p5')]);
    expect(subsets).toHaveLength(1);
    expect(ips(subsets[0].addresses)).toEqual(['10.244.0.5']);
  });

  it('is empty without pods', () => expect(computeSubsets(svc(), [])).toEqual([]));

  it('lists every port of the Service, sorted, with names and protocols copied', () => {
    const s = svc({
      ports: [
        { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' },
        { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP', appProtocol: 'dns' },
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      ],
    });
    const subsets = computeSubsets(s, [pod('p1'), pod('p2')]);
    expect(subsets).toHaveLength(1);
    expect(subsets[0].ports).toEqual([
      { name: 'dns', port: 5353, protocol: 'UDP', appProtocol: 'dns' },
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
  });

  it('groups pods whose named port differs into separate subsets', () => {
    const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    const on = (n: number): Container[] => [{ name: 'c', ports: [{ name: 'http', containerPort: n }] }];
    const subsets = computeSubsets(s, [pod('p1', { containers: on(8080) }), pod('p2', { containers: on(9090) }), pod('p3', { containers: on(8080) }), pod('p4', { containers: [{ name: 'c' }] })]);
    expect(subsets.map((x) => ({ ips: ips(x.addresses), port: x.ports?.[0].port }))).toEqual([
      { ips: ['10.244.0.1', '10.244.0.3'], port: 8080 },
      { ips: ['10.244.0.2'], port: 9090 },
    ]);
  });

  it('splits ports by the set of pods offering them (a pod missing one named port)', () => {
    const s = svc({
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'admin', port: 81, targetPort: 'admin' },
      ],
    });
    const withAdmin: Container[] = [{ name: 'c', ports: [{ name: 'admin', containerPort: 9000 }] }];
    const subsets = computeSubsets(s, [pod('p1', { containers: withAdmin }), pod('p2', { containers: [{ name: 'c' }] })]);
    // As RepackSubsets: each port goes with the exact set of addresses serving it.
    expect(subsets.map((x) => ({ ips: ips(x.addresses), ports: x.ports }))).toEqual([
      { ips: ['10.244.0.1'], ports: [{ name: 'admin', port: 9000, protocol: 'TCP' }] },
      { ips: ['10.244.0.1', '10.244.0.2'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ]);
  });

  it('sets the hostname when the pod subdomain names the Service', () => {
    const subsets = computeSubsets(svc(), [pod('p1', { hostname: 'h1', subdomain: 'web' }), pod('p2', { hostname: 'h2', subdomain: 'other' })]);
    expect(subsets[0].addresses?.map((a) => a.hostname)).toEqual(['h1', undefined]);
  });

  it('lists a headless Service without ports with port-less addresses', () => {
    const subsets = computeSubsets(svc({ clusterIP: 'None', ports: [] }), [pod('p1'), pod('p2', { ready: false })]);
    expect(subsets).toEqual([{ addresses: [expect.objectContaining({ ip: '10.244.0.1' })], notReadyAddresses: [expect.objectContaining({ ip: '10.244.0.2' })] }]);
    expect(computeSubsets(svc({ ports: [] }), [pod('p1')])).toEqual([]);
  });

  it('orders addresses numerically by IP whatever the pod order', () => {
    const pods = [pod('p10'), pod('p9'), pod('p100'), pod('p2')];
    const a = computeSubsets(svc(), pods);
    const b = computeSubsets(svc(), [...pods].reverse());
    expect(a).toEqual(b);
    expect(ips(a[0].addresses)).toEqual(['10.244.0.2', '10.244.0.9', '10.244.0.10', '10.244.0.100']);
  });
});

describe('compareIPs', () => {
  it('orders IPv4 numerically and others as text', () => {
    expect(['10.0.0.10', '10.0.0.9', '9.0.0.1'].sort(compareIPs)).toEqual(['9.0.0.1', '10.0.0.9', '10.0.0.10']);
    expect(['fd00::2', 'fd00::1'].sort(compareIPs)).toEqual(['fd00::1', 'fd00::2']);
  });
});

describe('subsetsEqual', () => {
  it('ignores pod resourceVersions and empty lists', () => {
    const a = computeSubsets(svc(), [pod('p1', { rv: '1' })]);
    const b = computeSubsets(svc(), [pod('p1', { rv: '2' })]);
    expect(subsetsEqual(a, b)).toBe(true);
    expect(subsetsEqual(undefined, [])).toBe(true);
    expect(subsetsEqual([{ addresses: [], ports: [] }], undefined)).toBe(true);
  });
  it('sees readiness, address and port changes', () => {
    const base = computeSubsets(svc(), [pod('p1')]);
    expect(subsetsEqual(base, computeSubsets(svc(), [pod('p1', { ready: false })]))).toBe(false);
    expect(subsetsEqual(base, computeSubsets(svc(), [pod('p1', { ip: '10.9.9.9' })]))).toBe(false);
    expect(subsetsEqual(base, computeSubsets(svc({ ports: [{ name: 'http', port: 80, targetPort: 8081 }] }), [pod('p1')]))).toBe(false);
  });
  it('treats a missing protocol as TCP', () => {
    expect(subsetsEqual([{ addresses: [{ ip: '1.1.1.1' }], ports: [{ port: 80 }] }], [{ addresses: [{ ip: '1.1.1.1' }], ports: [{ port: 80, protocol: 'TCP' }] }])).toBe(true);
  });
});

describe('labels and selection', () => {
  it('copies the Service labels and marks headless Services', () => {
    expect(endpointsLabels(svc())).toEqual({ team: 'a' });
    expect(endpointsLabels(svc({ clusterIP: 'None' }))).toEqual({ team: 'a', [HEADLESS_LABEL]: '' });
    expect(labelsEqual({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(labelsEqual({ a: '1' }, undefined)).toBe(false);
  });
  it('manages only Services with a selector that are not ExternalName', () => {
    expect(managesEndpoints(svc())).toBe(true);
    expect(managesEndpoints(svc({ selector: undefined }))).toBe(false);
    expect(managesEndpoints(svc({ selector: {} }))).toBe(false);
    expect(managesEndpoints(svc({ type: 'ExternalName', externalName: 'x.example' }))).toBe(false);
  });
  it('selects pods of the namespace carrying every selector label', () => {
    const s = svc({ selector: { app: 'web', tier: 'fe' } });
    expect(selectsPod(s, pod('p1', { labels: { app: 'web', tier: 'fe', x: 'y' } }))).toBe(true);
    expect(selectsPod(s, pod('p1', { labels: { app: 'web' } }))).toBe(false);
    const other = pod('p1', { labels: { app: 'web', tier: 'fe' } });
    other.metadata!.namespace = 'other';
    expect(selectsPod(s, other)).toBe(false);
  });
});
