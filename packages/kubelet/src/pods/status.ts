// A pod's status from what runs (the runtime's view), what the last sync could not do
// (waiting reasons) and the probes, as the kubelet's generateAPIPodStatus. Pure.
import { nowTimestamp, type ContainerState, type ContainerStatus, type Pod, type PodCondition, type PodStatus } from '@kubesim/api';
import type { ContainerInfo, PodRuntimeState } from '../runtime/runtime.js';
import { qosClass } from './qos.js';

export interface Waiting {
  reason: string;
  message?: string;
}

export interface ProbeView {
  /** Readiness of a running container (true when it has no readiness probe). */
  ready(containerId: string): boolean;
  /** Whether its startup probe passed (true when it has none). */
  started(containerId: string): boolean;
}

export interface StatusInput {
  pod: Pod;
  runtime: PodRuntimeState;
  /** Prefix of container IDs: "docker" or "fake". */
  runtimeKind: string;
  hostIP: string;
  now: Date;
  /** Why a container is not running, from the last sync (ErrImagePull, CrashLoopBackOff, ...). */
  waiting: ReadonlyMap<string, Waiting>;
  probes: ProbeView;
}

const ts = (ms: number): string | undefined => (ms > 0 ? nowTimestamp(new Date(ms)) : undefined);

function terminatedState(c: ContainerInfo, kind: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      message: c.message,
      startedAt: ts(c.startedAt),
      finishedAt: ts(c.finishedAt),
      containerID: `${kind}://${c.id}`,
    },
  };
}

/** The status of one container from its instances (newest first). */
export function containerStatus(name: string, image: string, instances: ContainerInfo[], input: Pick<StatusInput, 'runtimeKind' | 'waiting' | 'probes'>): ContainerStatus {
  const kind = input.runtimeKind;
  const cur = instances[0];
  const prev = instances[1];
  const waiting = input.waiting.get(name);
  const status: ContainerStatus = { name, image, imageID: '', containerID: undefined, ready: false, started: false, restartCount: 0, state: {}, lastState: {} };
  if (!cur) {
    status.state = { waiting: waiting ?? { reason: 'ContainerCreating' } };
    return clean(status);
  }
  status.imageID = cur.imageID ? `${kind}://${cur.imageID}` : '';
  status.containerID = `${kind}://${cur.id}`;
  status.restartCount = cur.restartCount;
  switch (cur.state) {
    case 'running':
      status.state = { running: { startedAt: ts(cur.startedAt) } };
      status.started = input.probes.started(cur.id);
      status.ready = status.started && input.probes.ready(cur.id);
      if (prev && prev.state === 'exited') status.lastState = terminatedState(prev, kind);
      break;
    case 'exited':
      if (waiting) {
        // Waiting to restart (CrashLoopBackOff ...): the dead instance is the last state.
        status.state = { waiting };
        status.lastState = terminatedState(cur, kind);
      } else {
        status.state = terminatedState(cur, kind);
        if (prev && prev.state === 'exited') status.lastState = terminatedState(prev, kind);
      }
      break;
    default:
      status.state = { waiting: waiting ?? { reason: 'ContainerCreating' } };
      if (prev && prev.state === 'exited') status.lastState = terminatedState(prev, kind);
  }
  return clean(status);
}

function clean(s: ContainerStatus): ContainerStatus {
  if (s.containerID === undefined) delete s.containerID;
  return s;
}

/** The pod phase from container statuses, as the kubelet's getPhase. */
export function podPhase(pod: Pod, statuses: ContainerStatus[]): string {
  const old = pod.status?.phase;
  if (old === 'Succeeded' || old === 'Failed') return old;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      // A container waiting to restart has run before: it counts as stopped.
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    // OnFailure restarts failed containers: still running as a pod.
    if (policy === 'OnFailure') return 'Running';
    return 'Failed';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False' };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** Keeps lastTransitionTime (and probe time) of conditions whose status did not change. */
export function withTransitionTimes(conds: PodCondition[], old: PodCondition[] | undefined, now: string): PodCondition[] {
  return conds.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    return { ...c, lastProbeTime: undefined, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime ?? now : now };
  });
}

export function computePodStatus(input: StatusInput): PodStatus {
  const { pod, runtime, now } = input;
  const old = pod.status ?? {};
  const nowTs = nowTimestamp(now);
  const statuses = (pod.spec?.containers ?? []).map((c) =>
    containerStatus(
      c.name ?? '',
      c.image ?? '',
      runtime.containers.filter((x) => x.name === c.name),
      input,
    ),
  );
  const phase = podPhase(pod, statuses);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const sandbox = runtime.sandboxes[0];
  const podIP = sandbox?.running && sandbox.ip ? sandbox.ip : old.podIP;

  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const ready = !terminal && unready.length === 0;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conds: PodCondition[] = [
    condition('PodReadyToStartContainers', !!sandbox?.running),
    condition('Initialized', true),
    condition('Ready', ready, notReadyReason, notReadyMessage),
    condition('ContainersReady', ready, notReadyReason, notReadyMessage),
  ];
  const scheduled = old.conditions?.find((c) => c.type === 'PodScheduled');
  conds.push(scheduled ? { ...scheduled } : { type: 'PodScheduled', status: 'True' });
  const conditions = withTransitionTimes(conds, old.conditions, nowTs).map((c) => {
    if (c.type === 'PodScheduled' && scheduled) return { ...scheduled };
    const out = { ...c };
    if (out.lastProbeTime === undefined) delete out.lastProbeTime;
    return out;
  });

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? nowTs,
    containerStatuses: statuses,
    qosClass: qosClass(pod),
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  if (old.initContainerStatuses) status.initContainerStatuses = old.initContainerStatuses;
  return status;
}
