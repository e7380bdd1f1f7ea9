// How healthy a node is, as the node lifecycle controller judges it (Kubernetes'
// tryUpdateNodeHealth): the last heartbeat is the newest of the node's Lease renewTime
// and its Ready condition's lastHeartbeatTime (a node that never posted counts from its
// creation, with the longer startup grace). Past the grace period the controller speaks
// for the silent agent: every condition goes Unknown. Pure: time comes in as `now`.
import { nowTimestamp, type Lease, type Node, type NodeCondition } from '@kubesim/api';

/** The conditions the kubelet always posts; a silent node gets them as Unknown even if missing. */
export const STANDARD_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const REASON_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

export type ReadyStatus = 'True' | 'False' | 'Unknown';

export interface HealthTimings {
  /** --node-monitor-grace-period, ms */
  gracePeriodMs: number;
  /** --node-startup-grace-period, ms: the grace of a node that has not posted Ready yet */
  startupGracePeriodMs: number;
}

export interface HealthDecision {
  /** Ready as stored before this decision (undefined: no Ready condition). */
  observedReady: ReadyStatus | undefined;
  /** Ready after it (what the taints follow). */
  ready: ReadyStatus | undefined;
  /** New status.conditions to write, when the controller must change them. */
  conditions?: NodeCondition[];
  /** When the node will be past its grace if no heartbeat comes (ms since epoch), while it is not yet. */
  staleAtMs?: number;
}

function ms(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const v = Date.parse(ts);
  return Number.isNaN(v) ? undefined : v;
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

function asReady(status: string | undefined): ReadyStatus | undefined {
  return status === 'True' || status === 'False' || status === 'Unknown' ? status : status === undefined ? undefined : 'Unknown';
}

/** The newest sign of life: Lease renewTime, Ready's lastHeartbeatTime, or (never posted) creation. */
export function lastHeartbeatMs(node: Node, lease: Lease | undefined): number | undefined {
  const candidates = [ms(lease?.spec?.renewTime), ms(readyCondition(node)?.lastHeartbeatTime), ms(node.metadata?.creationTimestamp)].filter((v): v is number => v !== undefined);
  return candidates.length ? Math.max(...candidates) : undefined;
}

/** The node's health at `now` (ms since epoch) and, when the agent went silent, the conditions to write. */
export function decideNodeHealth(node: Node, lease: Lease | undefined, nowMs: number, t: HealthTimings): HealthDecision {
  const ready = readyCondition(node);
  const observedReady = asReady(ready?.status);
  const grace = ready ? t.gracePeriodMs : t.startupGracePeriodMs;
  const beat = lastHeartbeatMs(node, lease);
  // No timestamp at all: nothing to measure from; wait for the first heartbeat.
  if (beat === undefined || nowMs - beat <= grace) {
    return { observedReady, ready: observedReady, staleAtMs: beat === undefined ? undefined : beat + grace };
  }
  const now = nowTimestamp(new Date(nowMs));
  const created = node.metadata?.creationTimestamp ?? now;
  const old = node.status?.conditions ?? [];
  let changed = false;
  const next: NodeCondition[] = old.map((c) => {
    if (c.status === 'Unknown') return c;
    changed = true;
    // lastHeartbeatTime stays: it is when the agent last spoke.
    return { ...c, status: 'Unknown', reason: REASON_UNKNOWN, message: MESSAGE_UNKNOWN, lastTransitionTime: now };
  });
  for (const type of STANDARD_CONDITIONS) {
    if (old.some((c) => c.type === type)) continue;
    changed = true;
    next.push({ type, status: 'Unknown', reason: REASON_NEVER_UPDATED, message: MESSAGE_NEVER_UPDATED, lastHeartbeatTime: created, lastTransitionTime: now });
  }
  return { observedReady, ready: 'Unknown', ...(changed ? { conditions: next } : {}) };
}
