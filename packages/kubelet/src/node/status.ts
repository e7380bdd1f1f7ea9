// The Node object a node agent registers and the status it posts, as the kubelet's
// setters build them. Pure: facts about the host come in as NodeFacts.
import { nowTimestamp, type Node, type NodeCondition, type NodeStatus } from '@kubesim/api';

export const KUBELET_VERSION = 'v1.32.0-kubesim';

export interface NodeFacts {
  nodeName: string;
  capacity: { cpu: string; memory: string; pods: string };
  labels?: Record<string, string>;
  hostIP: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  bootID: string;
  kubeletPort: number;
  /** "docker://20.10.24" or "fake://0.1.0"; empty when the runtime is unreachable. */
  containerRuntimeVersion: string;
  /** Why the runtime is not usable (undefined: it is). */
  runtimeError?: string;
  /** Why the pod network is not usable yet (undefined: it is), e.g. no pod CIDR assigned. */
  networkError?: string;
}

export function nodeLabels(f: Pick<NodeFacts, 'nodeName' | 'architecture' | 'labels'>): Record<string, string> {
  return {
    'kubernetes.io/hostname': f.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': f.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': f.architecture,
    ...(f.labels ?? {}),
  };
}

/** Node.js's process.arch as Go's GOARCH, which Kubernetes labels use. */
export function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

function cond(type: string, ok: boolean, reason: string, message: string): NodeCondition {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/** The node conditions: Ready from the runtime's health, no pressure of any kind. */
export function nodeConditions(f: NodeFacts, old: NodeCondition[] | undefined, now: Date): NodeCondition[] {
  const ts = nowTimestamp(now);
  const conds = [
    cond('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    cond('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    f.runtimeError
      ? cond('Ready', false, 'KubeletNotReady', `container runtime is down: ${f.runtimeError}`)
      : f.networkError
        ? cond('Ready', false, 'KubeletNotReady', `network is not ready: ${f.networkError}`)
        : cond('Ready', true, 'KubeletReady', 'kubelet is posting ready status'),
  ];
  return conds.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    return { ...c, lastHeartbeatTime: ts, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : ts };
  });
}

export function nodeStatus(f: NodeFacts, old: NodeStatus | undefined, now: Date): NodeStatus {
  const capacity = { cpu: f.capacity.cpu, memory: f.capacity.memory, pods: f.capacity.pods, 'ephemeral-storage': '100Gi' };
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(f, old?.conditions, now),
    addresses: [
      { type: 'InternalIP', address: f.hostIP },
      { type: 'Hostname', address: f.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: f.machineID,
      systemUUID: f.machineID,
      bootID: f.bootID,
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion: f.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: f.architecture,
    },
  };
}

export function newNode(f: NodeFacts, now: Date): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: f.nodeName, labels: nodeLabels(f), annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: {},
    status: nodeStatus(f, undefined, now),
  };
}
