import type { Deployment, Endpoints, Event, Ingress, IngressClass, Node, Pod, Service } from '@kubesim/api';
import { describe, expect, it } from 'vitest';
import { formatEndpoints, formatLabels, ingressAddress, ingressHosts, nodeRoles, nodeStatus, podStatusSummary, serviceExternalIP, servicePorts, tableFor } from './kinds.js';

const now = new Date('2026-01-01T01:00:00Z');
const created = '2026-01-01T00:59:55Z';

function pod(status: Pod['status'], extra: Partial<Pod> = {}): Pod {
  return {
    kind: 'Pod',
    metadata: { name: 'nginx', namespace: 'default', creationTimestamp: created, ...extra.metadata },
    spec: { containers: [{ name: 'a', image: 'nginx' }], ...extra.spec },
    status,
  };
}

describe('pods', () => {
  it('prints a running pod', () => {
    const p = pod({ phase: 'Running', podIP: '10.1.0.5', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: { startedAt: created } } }] }, { spec: { nodeName: 'node-1', containers: [{ name: 'a' }] } });
    expect(tableFor('Pod').cells(p, now)).toEqual(['nginx', '1/1', 'Running', '0', '5s', '10.1.0.5', 'node-1', '<none>', '<none>']);
  });
  it('shows Pending with no status and <none> for IP and node', () => {
    expect(tableFor('Pod').cells(pod(undefined), now)).toEqual(['nginx', '0/1', 'Pending', '0', '5s', '<none>', '<none>', '<none>', '<none>']);
  });
  it('shows a waiting reason and restarts with the last restart age', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [{ name: 'a', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:59:30Z' } } }],
    });
    expect(podStatusSummary(p, now)).toEqual({ ready: '0/1', status: 'CrashLoopBackOff', restarts: '4 (30s ago)' });
  });
  it('shows terminated reasons, exit codes and signals', () => {
    expect(podStatusSummary(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), now).status).toBe('Completed');
    expect(podStatusSummary(pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] }), now).status).toBe('ExitCode:3');
    expect(podStatusSummary(pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }] }), now).status).toBe('Signal:9');
  });
  it('says Running when one container completed and another runs', () => {
    const p = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, state: { running: {} } },
          { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    );
    expect(podStatusSummary(p, now)).toMatchObject({ ready: '1/2', status: 'Running' });
  });
  it('shows init progress and init failures', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
    const waiting = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] }, { spec });
    expect(podStatusSummary(waiting, now).status).toBe('Init:1/2');
    const failing = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, { spec });
    expect(podStatusSummary(failing, now)).toMatchObject({ status: 'Init:CrashLoopBackOff', restarts: '2' });
    const failed = pod({ phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] }, { spec });
    expect(podStatusSummary(failed, now).status).toBe('Init:ExitCode:2');
  });
  it('shows Terminating when deletion started, Unknown when the node was lost', () => {
    const p = pod({ phase: 'Running' }, { metadata: { name: 'x', deletionTimestamp: created } });
    expect(podStatusSummary(p, now).status).toBe('Terminating');
    const lost = pod({ phase: 'Running', reason: 'NodeLost' }, { metadata: { name: 'x', deletionTimestamp: created } });
    expect(podStatusSummary(lost, now).status).toBe('Unknown');
  });
  it('shows status.reason (e.g. Evicted) over the phase', () => {
    expect(podStatusSummary(pod({ phase: 'Failed', reason: 'Evicted' }), now).status).toBe('Evicted');
  });
  it('counts readiness gates', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'g1', status: 'True' }] }, { spec: { containers: [{}], readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }] } });
    expect(tableFor('Pod').cells(p, now)[8]).toBe('1/2');
  });
});

describe('deployments', () => {
  it('prints replicas and wide columns', () => {
    const d: Deployment = {
      metadata: { name: 'web', creationTimestamp: created },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(tableFor('Deployment').cells(d, now)).toEqual(['web', '2/3', '3', '2', '5s', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
  });
});

describe('services', () => {
  const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ metadata: { name: 's' }, spec, status });
  it('formats ports with node ports', () => {
    expect(servicePorts(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 31234, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }))).toBe('80:31234/TCP,53/UDP');
    expect(servicePorts(svc({}))).toBe('<none>');
  });
  it('formats external IPs per type', () => {
    expect(serviceExternalIP(svc({ type: 'ClusterIP' }))).toBe('<none>');
    expect(serviceExternalIP(svc({ type: 'NodePort', externalIPs: ['1.2.3.4'] }))).toBe('1.2.3.4');
    expect(serviceExternalIP(svc({ type: 'LoadBalancer' }))).toBe('<pending>');
    expect(serviceExternalIP(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '172.18.0.10' }] } }))).toBe('172.18.0.10');
    expect(serviceExternalIP(svc({ type: 'ExternalName', externalName: 'my.database.com' }))).toBe('my.database.com');
  });
  it('prints a row', () => {
    const s: Service = { metadata: { name: 'web', creationTimestamp: created }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } } };
    expect(tableFor('Service').cells(s, now)).toEqual(['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '5s', 'app=web']);
  });
});

describe('endpoints', () => {
  it('lists at most three addresses', () => {
    const e: Endpoints = { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] };
    expect(formatEndpoints(e)).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
    expect(formatEndpoints({})).toBe('<none>');
    expect(formatEndpoints({ subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] })).toBe('10.0.0.1');
  });
});

describe('nodes', () => {
  it('derives status and roles', () => {
    const n: Node = { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    expect(nodeStatus(n)).toBe('Ready,SchedulingDisabled');
    expect(nodeRoles(n)).toBe('control-plane,worker');
    expect(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })).toBe('NotReady');
    expect(nodeStatus({})).toBe('Unknown');
    expect(nodeRoles({})).toBe('<none>');
  });
});

describe('events', () => {
  it('prints last seen, type, reason, object and message', () => {
    const e: Event = {
      metadata: { name: 'nginx.1' },
      involvedObject: { kind: 'Pod', name: 'nginx' },
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned default/nginx to node-1',
      firstTimestamp: '2026-01-01T00:50:00Z',
      lastTimestamp: '2026-01-01T00:59:00Z',
      count: 3,
      source: { component: 'default-scheduler' },
    };
    expect(tableFor('Event').cells(e, now)).toEqual(['60s', 'Normal', 'Scheduled', 'pod/nginx', '', 'default-scheduler', 'Successfully assigned default/nginx to node-1', '10m', '3', 'nginx.1']);
  });
});

describe('small kinds', () => {
  it('counts data of configmaps and secrets', () => {
    expect(tableFor('ConfigMap').cells({ kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: created }, data: { a: '1', b: '2' } }, now)).toEqual(['c', '2', '5s']);
    expect(tableFor('Secret').cells({ kind: 'Secret', metadata: { name: 's', creationTimestamp: created }, data: { a: 'MQ==' } }, now)).toEqual(['s', 'Opaque', '1', '5s']);
  });
  it('formats labels sorted', () => {
    expect(formatLabels({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabels(undefined)).toBe('<none>');
  });
});

describe('ingresses', () => {
  const ing = (spec: Ingress['spec'], status?: Ingress['status']): Ingress => ({ kind: 'Ingress', metadata: { name: 'web', namespace: 'default', creationTimestamp: created }, spec, status });
  const rule = (host?: string) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } });

  it('prints class, hosts, address, ports and age', () => {
    const i = ing({ ingressClassName: 'kubesim', rules: [rule('foo.com'), rule('bar.com')] }, { loadBalancer: { ingress: [{ ip: '10.244.255.1' }] } });
    expect(tableFor('Ingress').columns.map((c) => c.header)).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    expect(tableFor('Ingress').cells(i, now)).toEqual(['web', 'kubesim', 'foo.com,bar.com', '10.244.255.1', '80', '5s']);
  });
  it('shows <none> class, * hosts, an empty address and 443 with TLS', () => {
    const i = ing({ defaultBackend: { service: { name: 'web', port: { number: 80 } } }, tls: [{ hosts: ['foo.com'] }] });
    expect(tableFor('Ingress').cells(i, now)).toEqual(['web', '<none>', '*', '', '80, 443', '5s']);
  });
  it('lists three hosts and counts the rest as kubectl does', () => {
    expect(ingressHosts(ing({ rules: [rule('a.com'), rule(), rule('b.com'), rule('c.com'), rule('d.com')] }))).toBe('a.com,b.com,c.com + 2 more...');
    expect(ingressHosts(ing({ rules: [rule('a.com'), rule('b.com'), rule('c.com')] }))).toBe('a.com,b.com,c.com');
    expect(ingressHosts(ing({ rules: [rule()] }))).toBe('*');
  });
  it('sorts and dedupes addresses, cutting long ones unless wide', () => {
    const lb = { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }, { ip: '10.0.0.2' }] };
    expect(ingressAddress(lb, true)).toBe('10.0.0.1,10.0.0.2,lb.example.com');
    expect(ingressAddress(lb, false)).toBe('10.0.0.1,10.0...');
  });
  it('prints ingress classes', () => {
    const ic: IngressClass = { kind: 'IngressClass', metadata: { name: 'kubesim', creationTimestamp: created }, spec: { controller: 'kubesim.io/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'Config', name: 'cfg' } } };
    expect(tableFor('IngressClass').cells(ic, now)).toEqual(['kubesim', 'kubesim.io/ingress', 'Config.k8s.example.com/cfg', '5s']);
  });
});
