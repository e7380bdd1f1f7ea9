// What an experiment records while it runs: each change of a Node, Pod, Endpoints or
// Event reduced to the fields the timeline is made of, with the time it was seen; the
// runner's own marks (fault injected, healed); and every probe result. Pure: the
// recorder (recorder.ts) and the probes feed these in.
import type { Endpoints, Event, Lease, Node, Pod } from '@kubesim/api';
import { nodeReadyStatus } from './conditions.js';
import type { ReadyStatus } from './types.js';

/** SYNC: already there when recording started (a baseline, not a change). */
export type ChangeType = 'SYNC' | 'ADDED' | 'MODIFIED' | 'DELETED';

export interface NodeState {
  ready?: ReadyStatus;
  reason?: string;
  /** "key:effect", sorted. */
  taints: string[];
}

export interface PodState {
  node: string;
  phase: string;
  /** The Ready condition is True (whether or not the pod is being deleted). */
  ready: boolean;
  deleting: boolean;
  labels: Record<string, string>;
}

export interface EndpointsState {
  ready: string[];
  notReady: string[];
}

export interface EventState {
  reason: string;
  message: string;
  type: string;
  /** Kind/name of the object it is about. */
  involved: string;
  count: number;
}

/** A leader election Lease (kube-system): who holds it. */
export interface LeaseState {
  holder: string;
  /** The process of this cluster holding it (scheduler-2, ...), when known. */
  process?: string;
}

interface ChangeOf<K extends string, S> {
  /** Milliseconds since the epoch, when the change was seen. */
  t: number;
  type: ChangeType;
  kind: K;
  namespace: string;
  name: string;
  state: S;
}

export type Change =
  | ChangeOf<'Node', NodeState>
  | ChangeOf<'Pod', PodState>
  | ChangeOf<'Endpoints', EndpointsState>
  | ChangeOf<'Event', EventState>
  | ChangeOf<'Lease', LeaseState>;

export type MarkerKind = 'start' | 'fault' | 'heal' | 'end';

/** Something the runner did, at a time. */
export interface Marker {
  t: number;
  kind: MarkerKind;
  /** The fault step's name for fault/heal. */
  name: string;
  /** What it did, as the chaos verb said it. */
  detail: string;
  /** The node a node fault hit. */
  node?: string;
}

export interface ProbeSample {
  t: number;
  probe: string;
  ok: boolean;
  latencyMs: number;
  /** HTTP status, when an answer came. */
  code?: number;
  error?: string;
}

export function nodeState(n: Node): NodeState {
  return {
    ready: nodeReadyStatus(n),
    reason: n.status?.conditions?.find((c) => c.type === 'Ready')?.reason,
    taints: (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort(),
  };
}

export function podState(p: Pod): PodState {
  return {
    node: p.spec?.nodeName ?? '',
    phase: p.status?.phase ?? '',
    ready: !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    deleting: !!p.metadata?.deletionTimestamp,
    labels: { ...(p.metadata?.labels ?? {}) },
  };
}

export function endpointsState(e: Endpoints): EndpointsState {
  const ready = (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip ?? '')).filter(Boolean);
  const notReady = (e.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip ?? '')).filter(Boolean);
  return { ready: [...new Set(ready)].sort(), notReady: [...new Set(notReady)].sort() };
}

export function eventState(e: Event): EventState {
  return {
    reason: e.reason ?? '',
    message: e.message ?? '',
    type: e.type ?? 'Normal',
    involved: `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
    count: e.count ?? 1,
  };
}

export function leaseState(l: Lease, processOf: (identity: string) => string | undefined = () => undefined): LeaseState {
  const holder = l.spec?.holderIdentity ?? '';
  const process = holder ? processOf(holder) : undefined;
  return { holder, ...(process ? { process } : {}) };
}
