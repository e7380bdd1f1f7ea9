import { describe, expect, it } from 'vitest';
import type { Change, EndpointsState, Marker, NodeState, PodState, ProbeSample } from './record.js';
import { endpointsState, eventState, leaseState, nodeState, podState } from './record.js';
import { probeLines, timelineTable } from './table.js';
import { deriveTimeline, formatRel, isNotableEvent, summarizeProbes, timeZero, type RecordingInput } from './timeline.js';

const T = 1_000_000;
const UNREACHABLE = ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'];
const nodeC = (t: number, type: Change['type'], name: string, state: Partial<NodeState>): Change => ({ t, type, kind: 'Node', namespace: '', name, state: { taints: [], ...state } });
const podC = (t: number, type: Change['type'], name: string, state: Partial<PodState>): Change => ({
  t,
  type,
  kind: 'Pod',
  namespace: 'default',
  name,
  state: { node: '', phase: 'Pending', ready: false, deleting: false, labels: { app: 'web' }, ...state },
});
const epC = (t: number, type: Change['type'], ready: string[], notReady: string[] = []): Change => ({ t, type, kind: 'Endpoints', namespace: 'default', name: 'web', state: { ready, notReady } as EndpointsState });
const evC = (t: number, type: Change['type'], reason: string, involved: string, kind = 'Normal'): Change => ({ t, type, kind: 'Event', namespace: 'default', name: `e${t}`, state: { reason, message: `${reason} msg`, type: kind, involved, count: 1 } });
const sample = (t: number, ok: boolean, latencyMs = 2, error?: string): ProbeSample => ({ t, probe: 'web', ok, latencyMs, ...(error ? { error } : {}) });
const running = { node: 'n1', phase: 'Running', ready: true };

/** A node kill as it is recorded: n1 dies at T, pod a on n1 is replaced by c on n2. */
function nodeKill(): RecordingInput {
  const markers: Marker[] = [
    { t: T - 5000, kind: 'start', name: 'x', detail: '' },
    { t: T, kind: 'fault', name: 'power-cut', detail: 'node "n1" killed', node: 'n1' },
    { t: T + 20_000, kind: 'heal', name: 'power-cut', detail: 'node "n1" started', node: 'n1' },
    { t: T + 25_000, kind: 'end', name: 'x', detail: 'done' },
  ];
  const changes: Change[] = [
    nodeC(T - 9000, 'SYNC', 'n1', { ready: 'True' }),
    nodeC(T - 9000, 'SYNC', 'n2', { ready: 'True' }),
    podC(T - 8000, 'SYNC', 'a', running),
    podC(T - 8000, 'SYNC', 'b', { ...running, node: 'n2' }),
    epC(T - 8000, 'SYNC', ['10.0.1.2', '10.0.2.2']),
    evC(T - 8000, 'SYNC', 'NodeNotReady', 'Node/old'),
    nodeC(T + 4000, 'MODIFIED', 'n1', { ready: 'Unknown', reason: 'NodeStatusUnknown', taints: UNREACHABLE }),
    evC(T + 4000, 'ADDED', 'NodeNotReady', 'Node/n1'),
    podC(T + 4100, 'MODIFIED', 'a', { ...running, ready: false }),
    epC(T + 4100, 'MODIFIED', ['10.0.2.2'], ['10.0.1.2']),
    podC(T + 6000, 'MODIFIED', 'a', { ...running, ready: false, deleting: true }),
    evC(T + 6000, 'ADDED', 'TaintManagerEviction', 'Pod/a'),
    evC(T + 6000, 'ADDED', 'Scheduled', 'Pod/c'),
    podC(T + 6050, 'ADDED', 'c', {}),
    podC(T + 6100, 'MODIFIED', 'c', { node: 'n2' }),
    podC(T + 6100, 'MODIFIED', 'c', { node: 'n2' }),
    podC(T + 7000, 'MODIFIED', 'c', { node: 'n2', phase: 'Running' }),
    podC(T + 7500, 'MODIFIED', 'c', { node: 'n2', phase: 'Running', ready: true }),
    epC(T + 7600, 'MODIFIED', ['10.0.2.2', '10.0.2.3'], ['10.0.1.2']),
    nodeC(T + 21_000, 'MODIFIED', 'n1', { ready: 'True', reason: 'KubeletReady' }),
    podC(T + 21_500, 'DELETED', 'a', { ...running, ready: false, deleting: true }),
    epC(T + 21_600, 'MODIFIED', ['10.0.2.2', '10.0.2.3']),
  ];
  const samples = [sample(T - 100, true), sample(T + 100, false, 500, 'timeout after 500ms'), sample(T + 200, true, 3), sample(T + 3000, false, 500), sample(T + 4200, true, 4), sample(T + 5000, true, 10)];
  return { changes, markers, samples, observe: { namespace: 'default', selector: 'app=web' } };
}

describe('deriveTimeline', () => {
  it('tells a node kill in order, relative to the fault', () => {
    const tl = deriveTimeline(nodeKill());
    expect(tl.t0).toBe(T);
    expect(tl.entries.map((e) => [e.rel, e.kind, e.object, e.detail])).toEqual([
      [0, 'FaultInjected', 'fault/power-cut', 'node "n1" killed'],
      [100, 'ProbeFirstFailure', 'probe/web', '2 of 6 failed; timeout after 500ms'],
      [3000, 'ProbeLastFailure', 'probe/web', '2.9s after the first'],
      [4000, 'NodeNotReady', 'node/n1', 'Ready=Unknown (NodeStatusUnknown)'],
      [4000, 'TaintAdded', 'node/n1', 'node.kubernetes.io/unreachable:NoExecute'],
      [4000, 'TaintAdded', 'node/n1', 'node.kubernetes.io/unreachable:NoSchedule'],
      [4000, 'Event', 'node/n1', 'Normal NodeNotReady: NodeNotReady msg'],
      [4100, 'PodNotReady', 'pod/a', 'on n1'],
      [4100, 'EndpointsUpdated', 'endpoints/web', '1 ready (-10.0.1.2), 1 not ready'],
      [4200, 'ProbeRecovered', 'probe/web', ''],
      [6000, 'PodMarkedForDeletion', 'pod/a', 'on n1'],
      [6000, 'Event', 'pod/a', 'Normal TaintManagerEviction: TaintManagerEviction msg'],
      [6050, 'PodCreated', 'pod/c', 'after the fault'],
      [6100, 'PodBound', 'pod/c', 'to n2'],
      [7000, 'PodRunning', 'pod/c', 'on n2'],
      [7500, 'PodReady', 'pod/c', 'on n2'],
      [7600, 'EndpointsUpdated', 'endpoints/web', '2 ready (+10.0.2.3), 1 not ready'],
      [20_000, 'Healed', 'fault/power-cut', 'node "n1" started'],
      [21_000, 'NodeReady', 'node/n1', 'Ready=True (KubeletReady)'],
      [21_000, 'TaintRemoved', 'node/n1', 'node.kubernetes.io/unreachable:NoExecute'],
      [21_000, 'TaintRemoved', 'node/n1', 'node.kubernetes.io/unreachable:NoSchedule'],
      [21_500, 'PodDeleted', 'pod/a', 'from n1'],
      [21_600, 'EndpointsUpdated', 'endpoints/web', '2 ready, 0 not ready'],
    ]);
  });

  it('keeps fault < NotReady < taint < marked for deletion < replacement Ready', () => {
    const tl = deriveTimeline(nodeKill());
    const at = (kind: string) => tl.entries.find((e) => e.kind === kind)!.t;
    expect(at('FaultInjected')).toBeLessThan(at('NodeNotReady'));
    expect(at('NodeNotReady')).toBeLessThanOrEqual(at('TaintAdded'));
    expect(at('TaintAdded')).toBeLessThan(at('PodMarkedForDeletion'));
    expect(at('PodMarkedForDeletion')).toBeLessThan(at('PodReady'));
  });

  it('counts ready pods of the selector over time, one point per change of the count', () => {
    const tl = deriveTimeline(nodeKill());
    expect(tl.readyPods.map((p) => [p.rel, p.ready])).toEqual([
      [-8000, 1],
      [-8000, 2],
      [4100, 1],
      [7500, 2],
    ]);
  });

  it('does not count pods outside the selector, or being deleted', () => {
    const tl = deriveTimeline({
      markers: [],
      samples: [],
      observe: { namespace: 'default', selector: 'app=web' },
      changes: [podC(1, 'ADDED', 'db', { ...running, labels: { app: 'db' } }), podC(2, 'ADDED', 'w', running), podC(3, 'MODIFIED', 'w', { ...running, deleting: true })],
    });
    expect(tl.readyPods.map((p) => p.ready)).toEqual([0, 1, 0]);
  });

  it('takes what was there at the start as a baseline, not as changes', () => {
    const tl = deriveTimeline({
      markers: [],
      samples: [],
      observe: { namespace: 'default', selector: '' },
      changes: [nodeC(1, 'SYNC', 'n1', { ready: 'Unknown', taints: UNREACHABLE }), podC(1, 'SYNC', 'p', { ...running, deleting: true }), epC(1, 'SYNC', ['1.1.1.1']), evC(1, 'SYNC', 'NodeNotReady', 'Node/n1')],
    });
    expect(tl.entries).toEqual([]);
  });

  it('sees a pod created bound, and one created before the fault as no replacement', () => {
    const tl = deriveTimeline({
      markers: [{ t: 100, kind: 'fault', name: 'f', detail: '' }],
      samples: [],
      observe: { namespace: 'default', selector: '' },
      changes: [podC(50, 'ADDED', 'early', {}), podC(150, 'ADDED', 'pinned', { node: 'n1' })],
    });
    expect(tl.entries.map((e) => [e.kind, e.object, e.detail])).toEqual([
      ['PodCreated', 'pod/early', ''],
      ['FaultInjected', 'fault/f', ''],
      ['PodCreated', 'pod/pinned', 'after the fault'],
      ['PodBound', 'pod/pinned', 'to n1'],
    ]);
  });

  it('a node that goes NotReady then Unknown is NotReady twice; first Ready report is no "Ready again"', () => {
    const tl = deriveTimeline({
      markers: [],
      samples: [],
      observe: { namespace: 'default', selector: '' },
      changes: [nodeC(1, 'ADDED', 'n', {}), nodeC(2, 'MODIFIED', 'n', { ready: 'True' }), nodeC(3, 'MODIFIED', 'n', { ready: 'False' }), nodeC(4, 'MODIFIED', 'n', { ready: 'Unknown' }), nodeC(5, 'MODIFIED', 'n', { ready: 'True' })],
    });
    expect(tl.entries.map((e) => [e.t, e.kind, e.detail])).toEqual([
      [3, 'NodeNotReady', 'Ready=False'],
      [4, 'NodeNotReady', 'Ready=Unknown'],
      [5, 'NodeReady', 'Ready=True'],
    ]);
  });

  it('does not repeat unchanged endpoints', () => {
    const tl = deriveTimeline({ markers: [], samples: [], observe: { namespace: 'default', selector: '' }, changes: [epC(1, 'SYNC', ['a']), epC(2, 'MODIFIED', ['a']), epC(3, 'MODIFIED', ['b'])] });
    expect(tl.entries.map((e) => e.detail)).toEqual(['1 ready (+b -a), 0 not ready']);
  });

  it('sorts changes that arrive out of order', () => {
    const tl = deriveTimeline({ markers: [], samples: [], observe: { namespace: 'default', selector: '' }, changes: [podC(5, 'MODIFIED', 'p', { node: 'n', phase: 'Running' }), podC(1, 'ADDED', 'p', {})] });
    expect(tl.entries.map((e) => e.kind)).toEqual(['PodCreated', 'PodBound', 'PodRunning']);
  });
});

describe('leader changes', () => {
  it('says who took a leader Lease over, naming the process when known', () => {
    const lease = (t: number, type: Change['type'], holder: string, process?: string): Change => ({ t, type, kind: 'Lease', namespace: 'kube-system', name: 'kube-scheduler', state: { holder, ...(process ? { process } : {}) } });
    const tl = deriveTimeline({
      markers: [],
      samples: [],
      observe: { namespace: 'default', selector: '' },
      changes: [lease(1, 'SYNC', 'h_1_a', 'scheduler-1'), lease(2, 'MODIFIED', 'h_1_a', 'scheduler-1'), lease(3, 'MODIFIED', 'h_2_b', 'scheduler-2'), lease(4, 'MODIFIED', 'h_9_c')],
    });
    expect(tl.entries.map((e) => [e.t, e.kind, e.object, e.detail])).toEqual([
      [3, 'LeaderChanged', 'lease/kube-scheduler', 'scheduler-2 (h_2_b), was scheduler-1 (h_1_a)'],
      [4, 'LeaderChanged', 'lease/kube-scheduler', 'h_9_c, was scheduler-2 (h_2_b)'],
    ]);
  });
  it('records the holder of a Lease', () => {
    expect(leaseState({ metadata: { name: 'l' }, spec: { holderIdentity: 'h_7_x' } }, (id) => (id === 'h_7_x' ? 'scheduler-1' : undefined))).toEqual({ holder: 'h_7_x', process: 'scheduler-1' });
    expect(leaseState({ metadata: { name: 'l' } })).toEqual({ holder: '' });
  });
});

describe('timeZero', () => {
  it('is the first fault, else the start, else the first sample or change', () => {
    const m = (t: number, kind: Marker['kind']): Marker => ({ t, kind, name: '', detail: '' });
    expect(timeZero([m(1, 'start'), m(5, 'fault'), m(9, 'fault')], [], [])).toBe(5);
    expect(timeZero([m(1, 'start')], [], [])).toBe(1);
    expect(timeZero([], [sample(3, true)], [])).toBe(3);
    expect(timeZero([], [], [podC(7, 'ADDED', 'p', {})])).toBe(7);
    expect(timeZero([], [], [])).toBe(0);
  });
});

describe('summarizeProbes', () => {
  it('counts, finds the outage and the latency of successes', () => {
    const s = summarizeProbes([sample(1, true, 1), sample(2, false), sample(3, false), sample(4, true, 3), sample(5, true, 2), { t: 1, probe: 'other', ok: true, latencyMs: 9 }]);
    expect(s).toEqual([
      { probe: 'web', sent: 5, failed: 2, p50: 2, p99: 3, firstFailure: 2, lastFailure: 3, recovered: 4 },
      { probe: 'other', sent: 1, failed: 0, p50: 9, p99: 9 },
    ]);
  });
  it('has no recovery when the last request failed, and no latency without success', () => {
    expect(summarizeProbes([sample(1, false), sample(2, false)])).toEqual([{ probe: 'web', sent: 2, failed: 2, firstFailure: 1, lastFailure: 2 }]);
  });
});

describe('events worth a row', () => {
  it('node events, evictions and warnings', () => {
    expect(isNotableEvent({ reason: 'NodeNotReady', type: 'Normal', involved: 'Node/n' })).toBe(true);
    expect(isNotableEvent({ reason: 'Anything', type: 'Normal', involved: 'Node/n' })).toBe(true);
    expect(isNotableEvent({ reason: 'TaintManagerEviction', type: 'Normal', involved: 'Pod/p' })).toBe(true);
    expect(isNotableEvent({ reason: 'FailedScheduling', type: 'Warning', involved: 'Pod/p' })).toBe(true);
    expect(isNotableEvent({ reason: 'Scheduled', type: 'Normal', involved: 'Pod/p' })).toBe(false);
  });
});

describe('the table', () => {
  it('prints from the fault on, with relative times', () => {
    const tl = deriveTimeline(nodeKill());
    const lines = timelineTable(tl);
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+OBJECT\s+DETAIL$/);
    expect(lines[1]).toMatch(/^\+0\.0s\s+fault injected\s+fault\/power-cut\s+node "n1" killed$/);
    expect(lines.find((l) => l.includes('taint added'))).toMatch(/^\+4\.0s\s+taint added\s+node\/n1\s+node\.kubernetes\.io\/unreachable:NoExecute$/);
    expect(lines.some((l) => /^\+7\.5s\s+pod Ready\s+pod\/c\s+on n2$/.test(l))).toBe(true);
    expect(lines).toHaveLength(1 + tl.entries.length);
    // The columns line up: every EVENT starts where the header's does.
    const col = lines[0].indexOf('EVENT');
    for (const l of lines) expect(l[col - 1]).toBe(' ');
  });
  it('says how many earlier rows are only in the JSON', () => {
    const tl = deriveTimeline({ ...nodeKill(), changes: [...nodeKill().changes, podC(T - 3000, 'ADDED', 'early', {})] });
    expect(timelineTable(tl).at(-1)).toBe('(1 earlier entry, from the setup, in timeline.json)');
    expect(timelineTable(tl, -Infinity).at(-1)).not.toMatch(/earlier/);
  });
  it('one line per probe', () => {
    expect(probeLines(deriveTimeline(nodeKill()))).toEqual(['probe web: 6 requests, 2 failed; failures from +0.1s to +3.0s; ok again at +4.2s; latency p50 3.0ms p99 10.0ms']);
  });
  it('formats relative times', () => {
    expect(formatRel(0)).toBe('+0.0s');
    expect(formatRel(12_345)).toBe('+12.3s');
    expect(formatRel(-400)).toBe('-0.4s');
  });
});

describe('what is recorded of each object', () => {
  it('node: Ready status and reason, taints as key:effect sorted', () => {
    expect(
      nodeState({
        metadata: { name: 'n' },
        spec: { taints: [{ key: 'b', effect: 'NoSchedule' }, { key: 'a', effect: 'NoExecute' }] },
        status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] },
      }),
    ).toEqual({ ready: 'Unknown', reason: 'NodeStatusUnknown', taints: ['a:NoExecute', 'b:NoSchedule'] });
  });
  it('pod: node, phase, Ready, deleting, labels', () => {
    expect(
      podState({
        metadata: { name: 'p', labels: { app: 'web' }, deletionTimestamp: '2026-01-01T00:00:00Z' },
        spec: { nodeName: 'n', containers: [] },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      }),
    ).toEqual({ node: 'n', phase: 'Running', ready: true, deleting: true, labels: { app: 'web' } });
    expect(podState({ metadata: { name: 'p' } })).toEqual({ node: '', phase: '', ready: false, deleting: false, labels: {} });
  });
  it('endpoints: ready and not-ready addresses, deduplicated and sorted', () => {
    expect(endpointsState({ metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.3' }] }, { addresses: [{ ip: '10.0.0.1' }] }] })).toEqual({
      ready: ['10.0.0.1', '10.0.0.2'],
      notReady: ['10.0.0.3'],
    });
  });
  it('event: reason, message, type and what it is about', () => {
    expect(eventState({ metadata: { name: 'e' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'NodeNotReady', message: 'm', type: 'Normal', count: 2 })).toEqual({
      reason: 'NodeNotReady',
      message: 'm',
      type: 'Normal',
      involved: 'Node/n1',
      count: 2,
    });
  });
});
