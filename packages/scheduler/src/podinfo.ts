// What the scheduler needs to know about a pod, computed once per pod object: parsed
// resource requests, host ports, owner. Plugins run for every (pod, node) pair, so
// nothing in them may parse quantities or walk containers again.
import { controllerOf, objectKey, parseQuantity, quantityValue, type Container, type Pod, type Toleration } from '@kubesim/api';

/** Requested amounts: cpu in millicores, memory in bytes. */
export interface Resources {
  milliCpu: number;
  memory: number;
}

/** A host port a pod asks for; ip "0.0.0.0" means every address. */
export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

export interface PodInfo {
  /** "namespace/name" */
  key: string;
  pod: Pod;
  uid: string;
  priority: number;
  /** creationTimestamp in ms (0 if missing): the queue's second ordering key. */
  createdMs: number;
  /** What the pod needs to fit on a node (sum of app containers vs. init containers). */
  requests: Resources;
  /** Requests with kube-scheduler's defaults (100m cpu, 200Mi memory) for missing ones: used by scores only. */
  nonZero: Resources;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  /** The controller owner's uid ("" if none): pods of one owner spread over nodes. */
  ownerUid: string;
}

/** kube-scheduler's stand-ins for a missing request when scoring (DefaultMilliCPURequest, DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function quantity(text: string | undefined, milli: boolean): number | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return Number(milli ? parseQuantity(text) : quantityValue(text));
  } catch {
    // The apiserver validates quantities; a bad one here counts as no request.
    return undefined;
  }
}

/** A container's requests; a resource with only a limit requests its limit (as the apiserver defaults it). */
export function containerRequests(c: Container, nonZero: boolean): Resources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpu = quantity(req.cpu ?? lim.cpu, true);
  const mem = quantity(req.memory ?? lim.memory, false);
  return {
    milliCpu: cpu ?? (nonZero ? DEFAULT_MILLI_CPU_REQUEST : 0),
    memory: mem ?? (nonZero ? DEFAULT_MEMORY_REQUEST : 0),
  };
}

/**
 * The pod's effective requests, as Kubernetes computes them: app containers and sidecars
 * (init containers with restartPolicy Always) run together; each plain init container
 * runs alone beside the sidecars started before it; the pod needs the larger of the two.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const spec = pod.spec ?? {};
  const sum: Resources = { milliCpu: 0, memory: 0 };
  for (const c of spec.containers ?? []) add(sum, containerRequests(c, nonZero));
  const sidecars: Resources = { milliCpu: 0, memory: 0 };
  const initMax: Resources = { milliCpu: 0, memory: 0 };
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    let during: Resources;
    if (c.restartPolicy === 'Always') {
      add(sum, r);
      add(sidecars, r);
      during = { ...sidecars };
    } else {
      during = { milliCpu: r.milliCpu + sidecars.milliCpu, memory: r.memory + sidecars.memory };
    }
    initMax.milliCpu = Math.max(initMax.milliCpu, during.milliCpu);
    initMax.memory = Math.max(initMax.memory, during.memory);
  }
  return { milliCpu: Math.max(sum.milliCpu, initMax.milliCpu), memory: Math.max(sum.memory, initMax.memory) };
}

function add(into: Resources, r: Resources): void {
  into.milliCpu += r.milliCpu;
  into.memory += r.memory;
}

/** Host ports of all containers (init containers included, as Kubernetes counts them). */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const spec = pod.spec ?? {};
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ protocol: p.protocol || 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
  return out;
}

export function newPodInfo(pod: Pod): PodInfo {
  const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : 0;
  return {
    key: objectKey(pod),
    pod,
    uid: pod.metadata?.uid ?? '',
    priority: pod.spec?.priority ?? 0,
    createdMs: Number.isFinite(created) ? created : 0,
    requests: podRequests(pod),
    nonZero: podRequests(pod, true),
    hostPorts: podHostPorts(pod),
    tolerations: pod.spec?.tolerations ?? [],
    ownerUid: controllerOf(pod)?.uid ?? '',
  };
}

/** Succeeded and Failed pods hold no resources. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
