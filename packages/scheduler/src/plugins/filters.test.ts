// Table tests of each filter plugin.
import { describe, expect, it } from 'vitest';
import { nodeInfo, podInfo } from '../fixtures.js';
import { ERR_NODE_AFFINITY, matchesFieldRequirement, matchesLabelRequirement, nodeAffinityFilter } from './nodeaffinity.js';
import { ERR_NODE_NAME, nodeName } from './nodename.js';
import { ERR_NODE_PORTS, nodePorts } from './nodeports.js';
import { ERR_NODE_NOT_READY, nodeReady } from './nodeready.js';
import { ERR_INSUFFICIENT_CPU, ERR_INSUFFICIENT_MEMORY, ERR_TOO_MANY_PODS, nodeResourcesFit } from './noderesources.js';
import { ERR_NODE_UNSCHEDULABLE, nodeUnschedulable } from './nodeunschedulable.js';
import { taintTolerationFilter } from './tainttoleration.js';

describe('NodeUnschedulable', () => {
  it('passes schedulable nodes', () => {
    expect(nodeUnschedulable.filter(podInfo(), nodeInfo())).toBeUndefined();
  });
  it('rejects cordoned nodes', () => {
    expect(nodeUnschedulable.filter(podInfo(), nodeInfo({ unschedulable: true }))).toEqual([ERR_NODE_UNSCHEDULABLE]);
  });
  it.each([
    [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }, true],
    [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }, false],
  ])('toleration %j lets a pod on: %s', (tol, ok) => {
    const r = nodeUnschedulable.filter(podInfo({ tolerations: [tol] }), nodeInfo({ unschedulable: true }));
    expect(r === undefined).toBe(ok);
  });
});

describe('NodeName', () => {
  it.each([
    [undefined, 'node-1', true],
    ['node-1', 'node-1', true],
    ['node-2', 'node-1', false],
  ])('pod nodeName %s on %s', (want, node, ok) => {
    const pod = podInfo();
    if (want) pod.pod.spec!.nodeName = want;
    expect(nodeName.filter(pod, nodeInfo({ name: node }))).toEqual(ok ? undefined : [ERR_NODE_NAME]);
  });
});

describe('TaintToleration filter', () => {
  it('passes a node without taints', () => {
    expect(taintTolerationFilter.filter(podInfo(), nodeInfo())).toBeUndefined();
  });
  it('ignores PreferNoSchedule', () => {
    expect(taintTolerationFilter.filter(podInfo(), nodeInfo({ taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }))).toBeUndefined();
  });
  it.each(['NoSchedule', 'NoExecute'])('rejects an untolerated %s taint with kube-scheduler\'s message', (effect) => {
    const node = nodeInfo({ taints: [{ key: 'node.kubernetes.io/not-ready', effect }] });
    expect(taintTolerationFilter.filter(podInfo(), node)).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  });
  it('names the key and value of the first untolerated taint', () => {
    const node = nodeInfo({ taints: [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(taintTolerationFilter.filter(podInfo({ tolerations: [{ key: 'a', operator: 'Exists' }] }), node)).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
  });
  it('passes when every hard taint is tolerated', () => {
    const node = nodeInfo({ taints: [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'b', effect: 'NoExecute' }] });
    expect(taintTolerationFilter.filter(podInfo({ tolerations: [{ key: 'a', value: '1' }, { key: 'b', operator: 'Exists', effect: 'NoExecute' }] }), node)).toBeUndefined();
    expect(taintTolerationFilter.filter(podInfo({ tolerations: [{ operator: 'Exists' }] }), node)).toBeUndefined();
  });
  it('a NoSchedule toleration does not tolerate a NoExecute taint', () => {
    const node = nodeInfo({ taints: [{ key: 'b', effect: 'NoExecute' }] });
    expect(taintTolerationFilter.filter(podInfo({ tolerations: [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }] }), node)).toBeDefined();
  });
});

describe('NodeReady', () => {
  it.each<[boolean | 'Unknown', boolean]>([
    [true, true],
    [false, false],
    ['Unknown', false],
  ])('Ready=%s fits: %s', (ready, ok) => {
    expect(nodeReady.filter(podInfo(), nodeInfo({ ready }))).toEqual(ok ? undefined : [ERR_NODE_NOT_READY]);
  });
  it('a node without conditions is not ready', () => {
    const ni = nodeInfo();
    ni.setNode({ metadata: { name: 'node-1' }, status: { allocatable: { cpu: '1' } } });
    expect(nodeReady.filter(podInfo(), ni)).toEqual([ERR_NODE_NOT_READY]);
  });
  it('leaves nodes with the not-ready or unreachable taint to TaintToleration', () => {
    expect(nodeReady.filter(podInfo(), nodeInfo({ ready: false, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }))).toBeUndefined();
    expect(nodeReady.filter(podInfo(), nodeInfo({ ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }))).toBeUndefined();
  });
  it('lets pods that tolerate not-ready through', () => {
    expect(nodeReady.filter(podInfo({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }), nodeInfo({ ready: false }))).toBeUndefined();
  });
});

describe('NodeAffinity requirements', () => {
  const labels = { zone: 'a', disk: 'ssd', cores: '8', weird: 'x1' };
  it.each<[string, string[] | undefined, boolean]>([
    ['In', ['a', 'b'], true],
    ['In', ['b'], false],
    ['NotIn', ['b'], true],
    ['NotIn', ['a'], false],
    ['Exists', undefined, true],
    ['DoesNotExist', undefined, false],
    ['Bogus', ['a'], false],
  ])('zone %s %j -> %s', (operator, values, want) => {
    expect(matchesLabelRequirement({ key: 'zone', operator, values }, labels)).toBe(want);
  });
  it.each<[string, string[] | undefined, boolean]>([
    ['In', ['a'], false],
    ['NotIn', ['a'], true],
    ['Exists', undefined, false],
    ['DoesNotExist', undefined, true],
    ['Gt', ['1'], false],
    ['Lt', ['1'], false],
  ])('missing key %s %j -> %s', (operator, values, want) => {
    expect(matchesLabelRequirement({ key: 'gpu', operator, values }, labels)).toBe(want);
  });
  it.each<[string, string, string[], boolean]>([
    ['cores', 'Gt', ['4'], true],
    ['cores', 'Gt', ['8'], false],
    ['cores', 'Lt', ['9'], true],
    ['cores', 'Lt', ['8'], false],
    ['cores', 'Gt', ['-1'], true],
    ['cores', 'Gt', ['four'], false],
    ['cores', 'Gt', ['1', '2'], false],
    ['weird', 'Gt', ['0'], false],
  ])('%s %s %j -> %s', (key, operator, values, want) => {
    expect(matchesLabelRequirement({ key, operator, values }, labels)).toBe(want);
  });
  it.each<[string, string, string[], boolean]>([
    ['metadata.name', 'In', ['node-1', 'node-2'], true],
    ['metadata.name', 'In', ['node-2'], false],
    ['metadata.name', 'NotIn', ['node-2'], true],
    ['metadata.name', 'NotIn', ['node-1'], false],
    ['metadata.name', 'Exists', [], false],
    ['metadata.uid', 'In', ['node-1'], false],
  ])('field %s %s %j -> %s', (key, operator, values, want) => {
    expect(matchesFieldRequirement({ key, operator, values }, 'node-1')).toBe(want);
  });
});

describe('NodeAffinity filter', () => {
  const node = nodeInfo({ labels: { zone: 'a', disk: 'ssd' } });
  const withRequired = (terms: object[]) => podInfo({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['no selector', undefined, true],
    ['matching selector', { zone: 'a' }, true],
    ['all pairs must match', { zone: 'a', disk: 'hdd' }, false],
    ['missing label', { gpu: 'true' }, false],
  ])('nodeSelector: %s', (_, sel, ok) => {
    expect(nodeAffinityFilter.filter(podInfo({ nodeSelector: sel }), node)).toEqual(ok ? undefined : [ERR_NODE_AFFINITY]);
  });
  it('terms are ORed, requirements in a term ANDed', () => {
    const t1 = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] };
    const t2 = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'Exists' }] };
    const t3 = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'DoesNotExist' }] };
    expect(nodeAffinityFilter.filter(withRequired([t1, t2]), node)).toBeUndefined();
    expect(nodeAffinityFilter.filter(withRequired([t1, t3]), node)).toEqual([ERR_NODE_AFFINITY]);
  });
  it('an empty term matches nothing', () => {
    expect(nodeAffinityFilter.filter(withRequired([{}]), node)).toEqual([ERR_NODE_AFFINITY]);
    expect(nodeAffinityFilter.filter(withRequired([]), node)).toEqual([ERR_NODE_AFFINITY]);
  });
  it('matchFields on the node name', () => {
    expect(nodeAffinityFilter.filter(withRequired([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }]), node)).toBeUndefined();
    expect(nodeAffinityFilter.filter(withRequired([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-9'] }] }]), node)).toEqual([ERR_NODE_AFFINITY]);
  });
  it('nodeSelector and affinity must both match', () => {
    const pod = withRequired([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }]);
    pod.pod.spec!.nodeSelector = { disk: 'hdd' };
    expect(nodeAffinityFilter.filter(pod, node)).toEqual([ERR_NODE_AFFINITY]);
  });
});

describe('NodePorts', () => {
  const used = (ports: Array<{ port: number; ip?: string; protocol?: string }>) =>
    nodeInfo({}, [
      podInfo({
        name: 'other',
        containers: [{ name: 'c', ports: ports.map((p) => ({ containerPort: p.port, hostPort: p.port, hostIP: p.ip, protocol: p.protocol })) }],
      }),
    ]);
  const wants = (p: { port: number; ip?: string; protocol?: string }) => podInfo({ containers: [{ name: 'c', ports: [{ containerPort: p.port, hostPort: p.port, hostIP: p.ip, protocol: p.protocol }] }] });
  it.each<[string, Array<{ port: number; ip?: string; protocol?: string }>, { port: number; ip?: string; protocol?: string }, boolean]>([
    ['free port', [{ port: 80 }], { port: 81 }, true],
    ['same port, any address', [{ port: 80 }], { port: 80 }, false],
    ['same port, other protocol', [{ port: 53 }], { port: 53, protocol: 'UDP' }, true],
    ['same port, two specific addresses', [{ port: 80, ip: '127.0.0.1' }], { port: 80, ip: '127.0.0.2' }, true],
    ['same port and address', [{ port: 80, ip: '127.0.0.1' }], { port: 80, ip: '127.0.0.1' }, false],
    ['wildcard wanted, specific used', [{ port: 80, ip: '127.0.0.1' }], { port: 80 }, false],
    ['specific wanted, wildcard used', [{ port: 80 }], { port: 80, ip: '127.0.0.1' }, false],
  ])('%s', (_, usedPorts, want, ok) => {
    expect(nodePorts.filter(wants(want), used(usedPorts))).toEqual(ok ? undefined : [ERR_NODE_PORTS]);
  });
  it('pods without host ports always fit', () => {
    expect(nodePorts.filter(podInfo(), used([{ port: 80 }]))).toBeUndefined();
  });
  it('a port frees up when its pod leaves', () => {
    const ni = used([{ port: 80 }]);
    ni.removePod('default/other');
    expect(nodePorts.filter(wants({ port: 80 }), ni)).toBeUndefined();
  });
});

describe('NodeResourcesFit', () => {
  const node = (pods: ReturnType<typeof podInfo>[] = [], s = {}) => nodeInfo({ cpu: '2', memory: '1Gi', pods: '3', ...s }, pods);
  it.each<[string, { cpu?: string; memory?: string }, string[] | undefined]>([
    ['fits', { cpu: '1', memory: '512Mi' }, undefined],
    ['exactly fits', { cpu: '2', memory: '1Gi' }, undefined],
    ['too much cpu', { cpu: '2001m' }, [ERR_INSUFFICIENT_CPU]],
    ['too much memory', { memory: '2Gi' }, [ERR_INSUFFICIENT_MEMORY]],
    ['both', { cpu: '3', memory: '2Gi' }, [ERR_INSUFFICIENT_CPU, ERR_INSUFFICIENT_MEMORY]],
    ['no requests', {}, undefined],
  ])('empty node: %s', (_, req, want) => {
    expect(nodeResourcesFit.filter(podInfo(req), node())).toEqual(want);
  });
  it('counts what the pods there request', () => {
    const ni = node([podInfo({ name: 'a', cpu: '1500m', memory: '1Gi' })]);
    expect(nodeResourcesFit.filter(podInfo({ cpu: '500m' }), ni)).toBeUndefined();
    expect(nodeResourcesFit.filter(podInfo({ cpu: '501m' }), ni)).toEqual([ERR_INSUFFICIENT_CPU]);
    expect(nodeResourcesFit.filter(podInfo({ memory: '1' }), ni)).toEqual([ERR_INSUFFICIENT_MEMORY]);
  });
  it('limits the pod count', () => {
    const ni = node([podInfo({ name: 'a' }), podInfo({ name: 'b' }), podInfo({ name: 'c' })]);
    expect(nodeResourcesFit.filter(podInfo(), ni)).toEqual([ERR_TOO_MANY_PODS]);
    expect(nodeResourcesFit.filter(podInfo({ cpu: '3' }), ni)).toEqual([ERR_TOO_MANY_PODS, ERR_INSUFFICIENT_CPU]);
  });
  it('limit-only containers request their limits', () => {
    const pod = podInfo({ containers: [{ name: 'c', resources: { limits: { cpu: '3' } } }] });
    expect(nodeResourcesFit.filter(pod, node())).toEqual([ERR_INSUFFICIENT_CPU]);
  });
  it('a node without allocatable pods takes none', () => {
    const ni = nodeInfo();
    ni.setNode({ metadata: { name: 'node-1' }, status: { allocatable: { cpu: '1', memory: '1Gi' } } });
    expect(nodeResourcesFit.filter(podInfo(), ni)).toEqual([ERR_TOO_MANY_PODS]);
  });
  it('falls back to capacity when allocatable is missing', () => {
    const ni = nodeInfo();
    ni.setNode({ metadata: { name: 'node-1' }, status: { capacity: { cpu: '1', memory: '1Gi', pods: '10' } } });
    expect(nodeResourcesFit.filter(podInfo({ cpu: '1' }), ni)).toBeUndefined();
  });
});
