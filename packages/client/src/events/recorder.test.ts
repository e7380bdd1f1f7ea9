import { describe, expect, it } from 'vitest';
import { notFound, StatusError, type Event, type Pod } from '@kubesim/api';
import { FakeClock } from '../util/clock.js';
import { EventCorrelator } from './correlator.js';
import { EventRecorder, type EventSink } from './recorder.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', uid: 'u1', resourceVersion: '7' } };

class FakeSink implements EventSink {
  events = new Map<string, Event>();
  calls: string[] = [];
  failNext: unknown[] = [];

  async create(ev: Event): Promise<Event> {
    this.calls.push(`create ${ev.reason} count=${ev.count}`);
    const f = this.failNext.shift();
    if (f) throw f;
    this.events.set(ev.metadata!.name!, structuredClone(ev));
    return structuredClone(ev);
  }

  async patch(_ns: string, name: string, patch: Partial<Event>): Promise<Event> {
    this.calls.push(`patch ${name.split('.')[0]} count=${patch.count}`);
    const f = this.failNext.shift();
    if (f) throw f;
    const cur = this.events.get(name);
    if (!cur) throw notFound('events', name);
    Object.assign(cur, patch);
    return structuredClone(cur);
  }
}

function setup(opts: Partial<ConstructorParameters<typeof EventRecorder>[1]> = {}) {
  const sink = new FakeSink();
  const clock = new FakeClock();
  const rec = new EventRecorder(sink, { component: 'scheduler', host: 'node-1', clock, ...opts });
  return { sink, clock, rec };
}

describe('EventRecorder', () => {
  it('creates a core/v1 Event describing the object', async () => {
    const { sink, rec } = setup();
    rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web-1 to node-1');
    await rec.flush();
    const [ev] = [...sink.events.values()];
    expect(ev).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'prod' },
      involvedObject: { kind: 'Pod', namespace: 'prod', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '7' },
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned prod/web-1 to node-1',
      source: { component: 'scheduler', host: 'node-1' },
      count: 1,
      reportingComponent: 'scheduler',
      reportingInstance: 'node-1',
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:00Z',
    });
    expect(ev.metadata!.name).toMatch(/^web-1\.[0-9a-f]+$/);
  });

  it('puts events about cluster-scoped objects in "default" and names are unique', async () => {
    const { sink, rec } = setup();
    const node = { apiVersion: 'v1', kind: 'Node' as const, metadata: { name: 'node-1' } };
    rec.event(node, 'Warning', 'NodeNotReady', 'a');
    rec.event(node, 'Warning', 'NodeNotReady', 'b');
    await rec.flush();
    const evs = [...sink.events.values()];
    expect(evs).toHaveLength(2);
    expect(evs.every((e) => e.metadata?.namespace === 'default' && e.involvedObject?.namespace === '')).toBe(true);
  });

  it('counts repeats on the existing Event within the window', async () => {
    const { sink, clock, rec } = setup();
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    clock.advance(1000);
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    rec.event(pod, 'Warning', 'BackOff', 'another message');
    await rec.flush();
    expect(sink.calls).toEqual(['create BackOff count=1', 'patch web-1 count=2', 'patch web-1 count=3', 'create BackOff count=1']);
    const counted = [...sink.events.values()].find((e) => e.message?.startsWith('Back-off'))!;
    expect(counted.count).toBe(3);
    expect(counted.lastTimestamp).toBe('2026-01-01T00:00:01Z');
    expect(counted.firstTimestamp).toBe('2026-01-01T00:00:00Z');

    // After the window, a repeat is a new Event.
    clock.advance(11 * 60_000);
    rec.event(pod, 'Warning', 'BackOff', 'another message');
    await rec.flush();
    expect(sink.calls.at(-1)).toBe('create BackOff count=1');
  });

  it('starts a new Event (keeping the count) when the counted one is gone', async () => {
    const { sink, rec } = setup();
    rec.event(pod, 'Normal', 'Pulled', 'ok');
    await rec.flush();
    sink.events.clear();
    rec.event(pod, 'Normal', 'Pulled', 'ok');
    await rec.flush();
    expect(sink.calls).toEqual(['create Pulled count=1', 'patch web-1 count=2', 'create Pulled count=2']);
  });

  it('never throws into the caller and keeps going after a failed write', async () => {
    const { sink, clock, rec } = setup();
    sink.failNext.push(new StatusError('Forbidden', 'events is forbidden'));
    sink.failNext.push(new StatusError('ServiceUnavailable', 'down'));
    expect(() => rec.event(pod, 'Normal', 'A', 'x')).not.toThrow();
    rec.event(pod, 'Normal', 'B', 'x');
    // B is retried after 500 ms.
    const flushed = rec.flush();
    for (let i = 0; i < 50 && clock.pendingTimers() === 0; i++) await new Promise((r) => setImmediate(r));
    clock.advance(500);
    await flushed;
    expect(sink.calls).toEqual(['create A count=1', 'create B count=1', 'create B count=1']);
    expect([...sink.events.values()].map((e) => e.reason)).toEqual(['B']);
  });

  it('drops events beyond the pending limit and after shutdown', async () => {
    const { sink, rec } = setup({ maxPending: 2 });
    for (let i = 0; i < 5; i++) rec.event(pod, 'Normal', `R${i}`, 'x');
    await rec.shutdown();
    rec.event(pod, 'Normal', 'late', 'x');
    await rec.flush();
    expect(sink.calls.length).toBeLessThanOrEqual(3);
    expect(sink.calls.some((c) => c.includes('late'))).toBe(false);
  });
});

describe('EventCorrelator', () => {
  const ev = (reason: string, name = 'web-1'): Event => ({ involvedObject: { kind: 'Pod', namespace: 'prod', name }, source: { component: 'c' }, reason, message: 'm', type: 'Normal' });

  it('limits the events of one object to a burst, refilling slowly', () => {
    const c = new EventCorrelator({ spamBurst: 3, spamRefillMs: 1000 });
    const actions = Array.from({ length: 5 }, (_, i) => c.correlate(ev(`R${i}`), 0).action);
    expect(actions).toEqual(['create', 'create', 'create', 'drop', 'drop']);
    expect(c.correlate(ev('other', 'web-2'), 0).action).toBe('create');
    expect(c.correlate(ev('R9'), 1000).action).toBe('create');
    expect(c.correlate(ev('R9'), 1000).action).toBe('drop');
  });

  it('remembers a bounded number of events', () => {
    const c = new EventCorrelator({ maxEntries: 2 });
    for (const r of ['a', 'b', 'c']) c.record(ev(r, r), { name: r, namespace: 'prod', count: 1, firstTimestamp: 't' }, 0);
    expect(c.correlate(ev('a', 'a'), 0).action).toBe('create');
    expect(c.correlate(ev('c', 'c'), 0).action).toBe('repeat');
  });
});
