import { describe, expect, it } from 'vitest';
import type { Binding, Event, Lease, Namespace, Node } from '../gen/types.js';
import { problems } from './testing.js';

function expectProblems(got: string[], want: string[]): void {
  expect(got, JSON.stringify(got)).toHaveLength(want.length);
  got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
}

describe('Node', () => {
  const node = (mutate: (n: Node) => void = () => {}): Node => {
    const n: Node = {
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
      spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
      status: { capacity: { cpu: '2', memory: '4Gi', pods: '110' }, allocatable: { cpu: '1900m', memory: '3800Mi', pods: '110' } },
    };
    mutate(n);
    return n;
  };
  it.each<[string, (n: Node) => void, string[]]>([
    ['the fixture', () => {}, []],
    ['taint without effect', (n) => (n.spec!.taints![0].effect = ''), ['spec.taints[0].effect: Required value']],
    ['bad taint effect', (n) => (n.spec!.taints![0].effect = 'NoRun'), ['spec.taints[0].effect: Unsupported value: "NoRun": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']],
    ['taint without key', (n) => (n.spec!.taints![0].key = ''), ['spec.taints[0].key: Required value']],
    ['bad taint key', (n) => (n.spec!.taints![0].key = 'a/b/c'), ['spec.taints[0].key: Invalid value: "a/b/c": a qualified name']],
    ['bad taint value', (n) => (n.spec!.taints![0].value = '-x'), ['spec.taints[0].value: Invalid value: "-x": a valid label']],
    ['duplicate taint', (n) => n.spec!.taints!.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule', value: 'x' }), ['spec.taints[1]: Duplicate value:']],
    ['same key, other effect', (n) => n.spec!.taints!.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoExecute' }), []],
    ['bad podCIDR', (n) => (n.spec!.podCIDR = '10.244.1.0'), ['spec.podCIDR: Invalid value: "10.244.1.0": must be a valid CIDR']],
    ['bad capacity', (n) => (n.status!.capacity!.memory = '4GB'), ['status.capacity[memory]: Invalid value: "4GB": quantities must match']],
    ['negative allocatable', (n) => (n.status!.allocatable!.cpu = '-1'), ['status.allocatable[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
  ])('%s', (_n, mutate, want) => expectProblems(problems(node(mutate)), want));
});

describe('Namespace', () => {
  it.each<[string, Namespace, string[]]>([
    ['plain', { kind: 'Namespace', metadata: { name: 'team-a' }, status: { phase: 'Active' } }, []],
    ['finalizers', { kind: 'Namespace', metadata: { name: 'a' }, spec: { finalizers: ['kubernetes', 'a/b/c'] } }, ['spec.finalizers[1]: Invalid value: "a/b/c"']],
    ['phase', { kind: 'Namespace', metadata: { name: 'a' }, status: { phase: 'Gone' } }, ['status.phase: Unsupported value: "Gone": supported values: "Active", "Terminating"']],
  ])('%s', (_n, ns, want) => expectProblems(problems(ns), want));
});

describe('Lease', () => {
  const lease = (spec: Lease['spec']): Lease => ({ kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec });
  it.each<[string, Lease['spec'], string[]]>([
    ['empty', {}, []],
    ['held', { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' }, []],
    ['zero duration', { leaseDurationSeconds: 0 }, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']],
    ['negative transitions', { leaseTransitions: -1 }, ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0']],
  ])('%s', (_n, spec, want) => expectProblems(problems(lease(spec)), want));
});

describe('Event', () => {
  const ev = (ns: string | undefined, objNs: string | undefined, extra: Partial<Event> = {}): Event => ({
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: ns },
    involvedObject: { kind: 'Pod', name: 'web', namespace: objNs },
    reason: 'Started',
    type: 'Normal',
    ...extra,
  });
  it.each<[string, Event, string[]]>([
    ['same namespace', ev('default', 'default'), []],
    ['cluster-scoped object in default', ev('default', undefined), []],
    ['not yet defaulted', ev(undefined, 'team-a'), []],
    ['other namespace', ev('default', 'team-a'), ['involvedObject.namespace: Invalid value: "team-a": does not match event.namespace']],
    ['cluster-scoped object elsewhere', ev('team-a', undefined), ['involvedObject.namespace: Invalid value: "": does not match event.namespace']],
    ['bad type', ev('default', 'default', { type: 'Info' }), ['type: Unsupported value: "Info": supported values: "Normal", "Warning"']],
  ])('%s', (_n, e, want) => expectProblems(problems(e), want));
});

describe('Binding', () => {
  const b = (target: Binding['target']): Binding => ({ kind: 'Binding', metadata: { name: 'web-1', namespace: 'default' }, target });
  it.each<[string, Binding['target'], string[]]>([
    ['a node', { kind: 'Node', name: 'node-1' }, []],
    ['no kind', { name: 'node-1' }, []],
    ['no name', { kind: 'Node' }, ['target.name: Required value']],
    ['not a node', { kind: 'Pod', name: 'x' }, ['target.kind: Invalid value: "Pod": must be empty or \'Node\'']],
  ])('%s', (_n, target, want) => expectProblems(problems(b(target)), want));
});
