import { describe, expect, it } from 'vitest';
import type { Deployment, Node, Pod, Service } from '@kubesim/api';
import { deploymentAvailable, isPodReady, lastSucceeded, nodeOfSelector, nodeReadyStatus, probeNode, readyPodCount } from './conditions.js';
import { serviceUrl } from './probes.js';

const pod = (name: string, o: { node?: string; ready?: boolean; deleting?: boolean; labels?: Record<string, string>; ns?: string } = {}): Pod => ({
  metadata: { name, namespace: o.ns ?? 'default', labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'n1', containers: [] },
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const node = (name: string, ready: string | undefined, addr?: string): Node => ({
  metadata: { name },
  status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [], addresses: addr ? [{ type: 'InternalIP', address: addr }] : [] },
});

describe('pod and node conditions', () => {
  it('a pod is ready when its Ready condition is True and it is not being deleted', () => {
    expect(isPodReady(pod('a'))).toBe(true);
    expect(isPodReady(pod('a', { ready: false }))).toBe(false);
    expect(isPodReady(pod('a', { deleting: true }))).toBe(false);
    expect(isPodReady({ metadata: { name: 'x' } })).toBe(false);
  });

  it('counts ready pods of a selector and namespace, optionally only on Ready nodes', () => {
    const pods = [pod('a'), pod('b', { node: 'n2' }), pod('c', { ready: false }), pod('d', { deleting: true }), pod('e', { labels: { app: 'db' } }), pod('f', { ns: 'other' })];
    expect(readyPodCount(pods, 'default', 'app=web')).toBe(2);
    expect(readyPodCount(pods, 'default', '')).toBe(3);
    expect(readyPodCount(pods, 'other', 'app=web')).toBe(1);
    expect(readyPodCount(pods, 'default', 'app=web', [node('n1', 'True'), node('n2', 'Unknown')])).toBe(1);
    expect(readyPodCount(pods, 'default', 'app=web', [node('n1', 'True')])).toBe(1);
  });

  it('reads the Ready condition of a node', () => {
    expect(nodeReadyStatus(node('n', 'True'))).toBe('True');
    expect(nodeReadyStatus(node('n', 'Unknown'))).toBe('Unknown');
    expect(nodeReadyStatus(node('n', undefined))).toBeUndefined();
    expect(nodeReadyStatus(undefined)).toBeUndefined();
  });

  it('a deployment is available when the controller saw its generation and says so', () => {
    const d = (gen: number, observed: number, status: string): Deployment => ({ metadata: { name: 'd', generation: gen }, status: { observedGeneration: observed, conditions: [{ type: 'Available', status }] } });
    expect(deploymentAvailable(d(2, 2, 'True'))).toBe(true);
    expect(deploymentAvailable(d(3, 2, 'True'))).toBe(false);
    expect(deploymentAvailable(d(2, 2, 'False'))).toBe(false);
    expect(deploymentAvailable(undefined)).toBe(false);
  });

  it('checks the last n probe results', () => {
    expect(lastSucceeded([false, true, true], 2)).toBe(true);
    expect(lastSucceeded([true, false, true], 2)).toBe(false);
    expect(lastSucceeded([true], 2)).toBe(false);
  });
});

describe('choosing nodes', () => {
  it('nodeOf: the node of the first Ready pod by name', () => {
    const pods = [pod('web-c', { node: 'n3' }), pod('web-b', { node: 'n2' }), pod('web-a', { node: 'n1', ready: false }), pod('web-0', { node: 'n0', deleting: true })];
    expect(nodeOfSelector(pods, 'default', 'app=web')).toBe('n2');
    expect(() => nodeOfSelector(pods, 'default', 'app=db')).toThrow('no Ready pod matches app=db in namespace default: cannot choose the node to hit');
  });

  it('probe node: the named one, else the first not faulted, with an address', () => {
    const nodes = [node('n2', 'True', '10.0.2.1'), node('n1', 'True', '10.0.1.1'), node('n0', 'True')];
    expect(probeNode(nodes, new Set())?.metadata?.name).toBe('n1');
    expect(probeNode(nodes, new Set(['n1']))?.metadata?.name).toBe('n2');
    expect(probeNode(nodes, new Set(['n1', 'n2']))?.metadata?.name).toBe('n1');
    expect(probeNode(nodes, new Set(), 'n2')?.metadata?.name).toBe('n2');
    expect(probeNode(nodes, new Set(), 'n0')).toBeUndefined();
    expect(probeNode([], new Set())).toBeUndefined();
  });
});

describe('serviceUrl', () => {
  const svc: Service = { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.7', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'admin', port: 81 }] } };
  const base = { service: 'web', namespace: 'default', path: '/x', via: 'nodePort' as const };
  const n = node('n1', 'True', '10.244.1.1');
  it('goes through a node address and the NodePort, or the ClusterIP', () => {
    expect(serviceUrl(svc, { ...base, port: 80 }, n)).toBe('http://10.244.1.1:30080/x');
    expect(serviceUrl(svc, { ...base, port: 'http' }, n)).toBe('http://10.244.1.1:30080/x');
    expect(serviceUrl(svc, { ...base, port: 81, via: 'clusterIP' }, undefined)).toBe('http://10.96.0.7:81/x');
  });
  it('says what is missing', () => {
    expect(() => serviceUrl(svc, { ...base, port: 9 }, n)).toThrow('service default/web has no port 9; ports: http, admin');
    expect(() => serviceUrl(svc, { ...base, port: 'admin' }, n)).toThrow('service default/web port "admin" has no NodePort (use type: NodePort, or via: clusterIP)');
    expect(() => serviceUrl(svc, { ...base, port: 80 }, undefined)).toThrow('no node with an address');
    expect(() => serviceUrl({ spec: { clusterIP: 'None', ports: [{ port: 80 }] } }, { ...base, port: 80, via: 'clusterIP' }, n)).toThrow('has no ClusterIP');
  });
});
