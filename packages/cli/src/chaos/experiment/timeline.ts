// The timeline of an experiment, derived from what was recorded: each recorded change is
// compared with the object's previous state to say what happened (node NotReady, taint
// added, pod marked for deletion, replacement bound/Running/Ready, endpoints updated...),
// merged with the runner's marks and the probes' first and last failures, in time order.
// Pure: the same recording always gives the same timeline.
import { matchesSelector, parseLabelSelector } from '@kubesim/api';
import type { Change, EndpointsState, LeaseState, Marker, NodeState, PodState, ProbeSample } from './record.js';

export type EntryKind =
  | 'FaultInjected'
  | 'Healed'
  | 'NodeNotReady'
  | 'NodeReady'
  | 'TaintAdded'
  | 'TaintRemoved'
  | 'PodCreated'
  | 'PodBound'
  | 'PodRunning'
  | 'PodReady'
  | 'PodNotReady'
  | 'PodMarkedForDeletion'
  | 'PodDeleted'
  | 'EndpointsUpdated'
  | 'LeaderChanged'
  | 'Event'
  | 'ProbeFirstFailure'
  | 'ProbeLastFailure'
  | 'ProbeRecovered';

/** What the table says for each kind. */
export const ENTRY_LABELS: Record<EntryKind, string> = {
  FaultInjected: 'fault injected',
  Healed: 'healed',
  NodeNotReady: 'node NotReady',
  NodeReady: 'node Ready again',
  TaintAdded: 'taint added',
  TaintRemoved: 'taint removed',
  PodCreated: 'pod created',
  PodBound: 'pod bound',
  PodRunning: 'pod Running',
  PodReady: 'pod Ready',
  PodNotReady: 'pod NotReady',
  PodMarkedForDeletion: 'pod marked for deletion',
  PodDeleted: 'pod deleted',
  EndpointsUpdated: 'endpoints updated',
  LeaderChanged: 'new leader',
  Event: 'event',
  ProbeFirstFailure: 'first failed probe',
  ProbeLastFailure: 'last failed probe',
  ProbeRecovered: 'probe succeeds again',
};

export interface TimelineEntry {
  /** Milliseconds since the epoch. */
  t: number;
  /** Milliseconds since the first fault (negative before it). */
  rel: number;
  kind: EntryKind;
  /** node/NAME, pod/NAME, endpoints/NAME, probe/NAME, fault/NAME. */
  object: string;
  detail: string;
}

export interface ReadyPoint {
  t: number;
  rel: number;
  ready: number;
}

export interface ProbeSummary {
  probe: string;
  sent: number;
  failed: number;
  /** Latency of successful requests, ms. */
  p50?: number;
  p99?: number;
  firstFailure?: number;
  lastFailure?: number;
  /** First success after the last failure. */
  recovered?: number;
}

export interface Timeline {
  /** The time everything is relative to: the first fault (else the start of the steps). */
  t0: number;
  entries: TimelineEntry[];
  readyPods: ReadyPoint[];
  probes: ProbeSummary[];
}

export interface RecordingInput {
  changes: readonly Change[];
  markers: readonly Marker[];
  samples: readonly ProbeSample[];
  /** Which pods count in the ready series. */
  observe: { namespace: string; selector: string };
}

/** Kubernetes Events worth a row: about nodes, evictions, and every warning. */
const NOTABLE_REASONS = new Set(['TaintManagerEviction', 'NodeNotReady', 'NodeReady', 'NodeNotSchedulable', 'Killing', 'RemovingNode', 'RegisteredNode']);
export function isNotableEvent(e: { reason: string; type: string; involved: string }): boolean {
  return e.type === 'Warning' || e.involved.startsWith('Node/') || NOTABLE_REASONS.has(e.reason);
}

/** The time zero of a recording. */
export function timeZero(markers: readonly Marker[], samples: readonly ProbeSample[], changes: readonly Change[]): number {
  return markers.find((m) => m.kind === 'fault')?.t ?? markers.find((m) => m.kind === 'start')?.t ?? samples[0]?.t ?? changes[0]?.t ?? 0;
}

type Emit = (t: number, kind: EntryKind, object: string, detail: string) => void;

function nodeDiff(emit: Emit, t: number, name: string, prev: NodeState | undefined, next: NodeState): void {
  const obj = `node/${name}`;
  if (next.ready && next.ready !== prev?.ready) {
    if (next.ready !== 'True') emit(t, 'NodeNotReady', obj, `Ready=${next.ready}${next.reason ? ` (${next.reason})` : ''}`);
    else if (prev?.ready) emit(t, 'NodeReady', obj, `Ready=True${next.reason ? ` (${next.reason})` : ''}`);
  }
  const before = new Set(prev?.taints ?? []);
  const after = new Set(next.taints);
  for (const k of next.taints) if (!before.has(k)) emit(t, 'TaintAdded', obj, k);
  for (const k of prev?.taints ?? []) if (!after.has(k)) emit(t, 'TaintRemoved', obj, k);
}

function podDiff(emit: Emit, t: number, name: string, prev: PodState | undefined, next: PodState, t0: number): void {
  const obj = `pod/${name}`;
  if (!prev) emit(t, 'PodCreated', obj, t > t0 ? 'after the fault' : '');
  if (!prev?.node && next.node) emit(t, 'PodBound', obj, `to ${next.node}`);
  if (prev?.phase !== 'Running' && next.phase === 'Running') emit(t, 'PodRunning', obj, next.node ? `on ${next.node}` : '');
  if (!prev?.ready && next.ready) emit(t, 'PodReady', obj, next.node ? `on ${next.node}` : '');
  if (prev?.ready && !next.ready) emit(t, 'PodNotReady', obj, next.node ? `on ${next.node}` : '');
  if (!prev?.deleting && next.deleting) emit(t, 'PodMarkedForDeletion', obj, next.node ? `on ${next.node}` : '');
}

function endpointsDetail(prev: EndpointsState | undefined, next: EndpointsState): string {
  const was = new Set(prev?.ready ?? []);
  const now = new Set(next.ready);
  const delta = [...next.ready.filter((ip) => !was.has(ip)).map((ip) => `+${ip}`), ...(prev?.ready ?? []).filter((ip) => !now.has(ip)).map((ip) => `-${ip}`)];
  return `${next.ready.length} ready${delta.length ? ` (${delta.join(' ')})` : ''}, ${next.notReady.length} not ready`;
}

function sameEndpoints(a: EndpointsState | undefined, b: EndpointsState): boolean {
  return !!a && a.ready.join() === b.ready.join() && a.notReady.join() === b.notReady.join();
}

function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Per probe: how many, how many failed, latency, first and last failure, recovery. */
export function summarizeProbes(samples: readonly ProbeSample[]): ProbeSummary[] {
  const names = [...new Set(samples.map((s) => s.probe))];
  return names.map((probe) => {
    const mine = samples.filter((s) => s.probe === probe).sort((a, b) => a.t - b.t);
    const fails = mine.filter((s) => !s.ok);
    const lat = mine.filter((s) => s.ok).map((s) => s.latencyMs).sort((a, b) => a - b);
    const lastFailure = fails.length ? fails[fails.length - 1].t : undefined;
    const recovered = lastFailure === undefined ? undefined : mine.find((s) => s.ok && s.t > lastFailure)?.t;
    return {
      probe,
      sent: mine.length,
      failed: fails.length,
      ...(lat.length ? { p50: percentile(lat, 50), p99: percentile(lat, 99) } : {}),
      ...(fails.length ? { firstFailure: fails[0].t, lastFailure } : {}),
      ...(recovered !== undefined ? { recovered } : {}),
    };
  });
}

/** Derives the timeline of a recording. */
export function deriveTimeline(rec: RecordingInput): Timeline {
  const t0 = timeZero(rec.markers, rec.samples, rec.changes);
  const entries: TimelineEntry[] = [];
  const emit: Emit = (t, kind, object, detail) => entries.push({ t, rel: t - t0, kind, object, detail });

  for (const m of rec.markers) {
    if (m.kind === 'fault') emit(m.t, 'FaultInjected', `fault/${m.name}`, m.detail);
    else if (m.kind === 'heal') emit(m.t, 'Healed', `fault/${m.name}`, m.detail);
  }

  const sel = parseLabelSelector(rec.observe.selector);
  const nodes = new Map<string, NodeState>();
  const pods = new Map<string, PodState>();
  const eps = new Map<string, EndpointsState>();
  const leases = new Map<string, LeaseState>();
  const readyPods: ReadyPoint[] = [];
  const countReady = () => {
    let n = 0;
    for (const [key, p] of pods) if (key.startsWith(`${rec.observe.namespace}/`) && p.ready && !p.deleting && matchesSelector(sel, p.labels)) n++;
    return n;
  };

  const changes = [...rec.changes].sort((a, b) => a.t - b.t);
  for (const c of changes) {
    const key = `${c.namespace}/${c.name}`;
    if (c.kind === 'Node') {
      if (c.type === 'DELETED') nodes.delete(key);
      else {
        if (c.type !== 'SYNC') nodeDiff(emit, c.t, c.name, nodes.get(key), c.state);
        nodes.set(key, c.state);
      }
    } else if (c.kind === 'Pod') {
      if (c.type === 'DELETED') {
        if (pods.has(key)) emit(c.t, 'PodDeleted', `pod/${c.name}`, c.state.node ? `from ${c.state.node}` : '');
        pods.delete(key);
      } else {
        if (c.type !== 'SYNC') podDiff(emit, c.t, c.name, pods.get(key), c.state, t0);
        pods.set(key, c.state);
      }
      const n = countReady();
      if (!readyPods.length || readyPods[readyPods.length - 1].ready !== n) readyPods.push({ t: c.t, rel: c.t - t0, ready: n });
    } else if (c.kind === 'Endpoints') {
      if (c.type === 'DELETED') eps.delete(key);
      else {
        const prev = eps.get(key);
        if (c.type !== 'SYNC' && !sameEndpoints(prev, c.state)) emit(c.t, 'EndpointsUpdated', `endpoints/${c.name}`, endpointsDetail(prev, c.state));
        eps.set(key, c.state);
      }
    } else if (c.kind === 'Lease') {
      const prev = leases.get(key);
      if (c.type === 'DELETED') leases.delete(key);
      else {
        if (c.type !== 'SYNC' && prev?.holder !== c.state.holder) {
          const who = (l: LeaseState) => (l.process ? `${l.process} (${l.holder})` : l.holder || '(none)');
          emit(c.t, 'LeaderChanged', `lease/${c.name}`, `${who(c.state)}${prev ? `, was ${who(prev)}` : ''}`);
        }
        leases.set(key, c.state);
      }
    } else if (c.kind === 'Event' && c.type === 'ADDED' && isNotableEvent(c.state)) {
      emit(c.t, 'Event', c.state.involved.toLowerCase(), `${c.state.type} ${c.state.reason}: ${c.state.message}`);
    }
  }

  const probes = summarizeProbes(rec.samples);
  for (const p of probes) {
    const obj = `probe/${p.probe}`;
    if (p.firstFailure !== undefined) {
      const first = rec.samples.find((s) => s.probe === p.probe && s.t === p.firstFailure && !s.ok);
      emit(p.firstFailure, 'ProbeFirstFailure', obj, `${p.failed} of ${p.sent} failed${first?.error ? `; ${first.error}` : ''}`);
    }
    if (p.lastFailure !== undefined && p.lastFailure !== p.firstFailure) emit(p.lastFailure, 'ProbeLastFailure', obj, `${((p.lastFailure - (p.firstFailure ?? p.lastFailure)) / 1000).toFixed(1)}s after the first`);
    if (p.recovered !== undefined) emit(p.recovered, 'ProbeRecovered', obj, '');
  }
  // Stable: entries at the same time keep the order they were derived in.
  entries.sort((a, b) => a.t - b.t);
  return { t0, entries, readyPods, probes };
}

/** "+12.3s" / "-0.4s": a time relative to the fault. */
export function formatRel(ms: number): string {
  const s = ms / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)}s`;
}

/** The first entry of `kind` (optionally about `object`), if any. */
export function firstEntry(tl: Pick<Timeline, 'entries'>, kind: EntryKind, pred: (e: TimelineEntry) => boolean = () => true): TimelineEntry | undefined {
  return tl.entries.find((e) => e.kind === kind && pred(e));
}
