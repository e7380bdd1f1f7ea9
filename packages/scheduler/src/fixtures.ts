// Builders of pods and nodes for the scheduler's tests and benchmarks.
import type { Container, Node, Pod, Taint, Toleration } from '@kubesim/api';
import { NodeInfo } from './nodeinfo.js';
import { newPodInfo, type PodInfo } from './podinfo.js';

export interface PodShape {
  name?: string;
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  containers?: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostPorts?: number[];
  priority?: number;
  created?: string;
  ownerUid?: string;
  schedulerName?: string;
  labels?: Record<string, string>;
  spec?: Pod['spec'];
}

export function makePod(s: PodShape = {}): Pod {
  const name = s.name ?? 'p';
  const requests: Record<string, string> = {};
  if (s.cpu) requests.cpu = s.cpu;
  if (s.memory) requests.memory = s.memory;
  const containers: Container[] = s.containers ?? [
    {
      name: 'c',
      image: 'busybox',
      ...(s.cpu || s.memory ? { resources: { requests } } : {}),
      ...(s.hostPorts ? { ports: s.hostPorts.map((p) => ({ containerPort: p, hostPort: p })) } : {}),
    },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: s.namespace ?? 'default',
      uid: s.uid ?? `uid-${name}`,
      creationTimestamp: s.created ?? '2026-01-01T00:00:00Z',
      ...(s.labels ? { labels: s.labels } : {}),
      ...(s.ownerUid ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: s.ownerUid, controller: true }] } : {}),
    },
    spec: {
      containers,
      ...(s.initContainers ? { initContainers: s.initContainers } : {}),
      ...(s.nodeName ? { nodeName: s.nodeName } : {}),
      ...(s.nodeSelector ? { nodeSelector: s.nodeSelector } : {}),
      ...(s.tolerations ? { tolerations: s.tolerations } : {}),
      ...(s.priority !== undefined ? { priority: s.priority } : {}),
      schedulerName: s.schedulerName ?? 'default-scheduler',
      ...s.spec,
    },
    status: { phase: 'Pending' },
  };
}

export function podInfo(s: PodShape = {}): PodInfo {
  return newPodInfo(makePod(s));
}

export interface NodeShape {
  name?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: boolean | 'Unknown';
}

export function makeNode(s: NodeShape = {}): Node {
  const name = s.name ?? 'node-1';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110' },
      capacity: { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110' },
      conditions: [{ type: 'Ready', status: s.ready === undefined ? 'True' : s.ready === 'Unknown' ? 'Unknown' : s.ready ? 'True' : 'False' }],
    },
  };
}

/** A NodeInfo with these pods on it. */
export function nodeInfo(s: NodeShape = {}, pods: PodInfo[] = []): NodeInfo {
  const ni = new NodeInfo(s.name ?? 'node-1', makeNode(s));
  for (const p of pods) ni.addPod(p);
  return ni;
}
