import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kubesim/client';
import { makePod } from './fixtures.js';
import { backoffDuration, podUpdateMayHelp, SchedulingQueue } from './queue.js';

const setup = () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  return { clock, q };
};
const names = (q: SchedulingQueue) => {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.info.pod.metadata!.name!);
  return out;
};

describe('backoffDuration', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 10000],
    [50, 10000],
    [0, 1000],
  ])('attempt %d -> %d ms', (n, ms) => {
    expect(backoffDuration(n, 1000, 10000)).toBe(ms);
  });
});

describe('SchedulingQueue ordering', () => {
  it('pops by priority, then creation time, then arrival', () => {
    const { q } = setup();
    q.add(makePod({ name: 'late', created: '2026-01-01T00:00:09Z' }));
    q.add(makePod({ name: 'early', created: '2026-01-01T00:00:01Z' }));
    q.add(makePod({ name: 'high', priority: 100, created: '2026-01-01T00:00:10Z' }));
    q.add(makePod({ name: 'late2', created: '2026-01-01T00:00:09Z' }));
    q.add(makePod({ name: 'low', priority: -5 }));
    expect(names(q)).toEqual(['high', 'early', 'late', 'late2', 'low']);
  });

  it('adding a queued pod again replaces it', () => {
    const { q } = setup();
    q.add(makePod({ name: 'a' }));
    q.add(makePod({ name: 'a', cpu: '1' }));
    expect(q.counts().active).toBe(1);
    expect(q.pop()!.info.requests.milliCpu).toBe(1000);
  });

  it('pop counts attempts and marks the pod in flight until done', () => {
    const { q } = setup();
    q.add(makePod({ name: 'a' }));
    const p = q.pop()!;
    expect(p.attempts).toBe(1);
    expect(q.whereIs('default/a')).toBe('inFlight');
    q.done('default/a');
    expect(q.whereIs('default/a')).toBeUndefined();
  });
});

describe('SchedulingQueue backoff', () => {
  it('retries after 1 s, 2 s, 4 s ... up to 10 s', () => {
    const { q, clock } = setup();
    q.add(makePod({ name: 'a' }));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = q.pop()!;
      q.addBackoff(p);
      expect(q.whereIs('default/a')).toBe('backoff');
      const start = clock.now();
      while (q.counts().active === 0) clock.advance(100);
      waits.push(clock.now() - start);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('keeps backoff order across pods', () => {
    const { q, clock } = setup();
    q.add(makePod({ name: 'a' }));
    q.add(makePod({ name: 'b' }));
    const a = q.pop()!;
    const b = q.pop()!;
    b.attempts = 3; // b has failed more: 4 s
    q.addBackoff(b);
    q.addBackoff(a);
    clock.advance(1000);
    expect(names(q)).toEqual(['a']);
    clock.advance(3000);
    expect(names(q)).toEqual(['b']);
  });
});

describe('SchedulingQueue unschedulable pods', () => {
  const parked = () => {
    const s = setup();
    s.q.add(makePod({ name: 'a' }));
    s.q.addUnschedulable(s.q.pop()!);
    return s;
  };

  it('wait until the cluster changes', () => {
    const { q, clock } = parked();
    expect(q.whereIs('default/a')).toBe('unschedulable');
    clock.advance(30_000);
    expect(q.counts().active).toBe(0);
    expect(q.moveAllToActiveOrBackoff()).toBe(1);
    expect(q.whereIs('default/a')).toBe('active');
  });

  it('go to backoff when moved while their backoff runs', () => {
    const { q, clock } = parked();
    clock.advance(500);
    q.moveAllToActiveOrBackoff();
    expect(q.whereIs('default/a')).toBe('backoff');
    clock.advance(500);
    expect(q.whereIs('default/a')).toBe('active');
  });

  it('are retried after the unschedulable timeout without any change', () => {
    const { q, clock } = parked();
    clock.advance(59_000);
    expect(q.whereIs('default/a')).toBe('unschedulable');
    clock.advance(16_000);
    expect(q.whereIs('default/a')).toBe('active');
  });

  it('a status-only update leaves the pod parked; a spec change retries it', () => {
    const { q, clock } = parked();
    clock.advance(5_000);
    const old = makePod({ name: 'a' });
    const statusOnly = makePod({ name: 'a' });
    statusOnly.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
    statusOnly.metadata!.resourceVersion = '7';
    q.update(old, statusOnly);
    expect(q.whereIs('default/a')).toBe('unschedulable');
    q.update(statusOnly, makePod({ name: 'a', tolerations: [{ operator: 'Exists' }] }));
    expect(q.whereIs('default/a')).toBe('active');
    expect(q.pop()!.info.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe('SchedulingQueue deletes and in-flight pods', () => {
  it('delete removes the pod wherever it waits', () => {
    const { q } = setup();
    q.add(makePod({ name: 'a' }));
    q.add(makePod({ name: 'b' }));
    q.add(makePod({ name: 'c' }));
    q.addBackoff(q.pop()!);
    q.addUnschedulable(q.pop()!);
    for (const n of ['a', 'b', 'c']) q.delete(`default/${n}`);
    expect(q.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  });

  it('a pod deleted while in flight is not requeued', () => {
    const { q } = setup();
    q.add(makePod({ name: 'a' }));
    const p = q.pop()!;
    q.delete('default/a');
    q.addUnschedulable(p);
    expect(q.whereIs('default/a')).toBeUndefined();
  });

  it('an update while in flight is kept for the requeue', () => {
    const { q } = setup();
    q.add(makePod({ name: 'a' }));
    const p = q.pop()!;
    q.update(undefined, makePod({ name: 'a', cpu: '2' }));
    expect(q.counts().active).toBe(0);
    q.addUnschedulable(p);
    q.moveAllToActiveOrBackoff();
    expect(q.whereIs('default/a')).toBe('backoff');
  });
});

describe('SchedulingQueue waitForPod', () => {
  it('resolves when a pod becomes active, or on abort, or close', async () => {
    const { q } = setup();
    let woke = false;
    const w = q.waitForPod().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    q.add(makePod({ name: 'a' }));
    await w;
    expect(woke).toBe(true);
    q.pop();
    const ac = new AbortController();
    const aborted = q.waitForPod(ac.signal);
    ac.abort();
    await aborted;
    const closed = q.waitForPod();
    q.close();
    await closed;
  });
});

describe('podUpdateMayHelp', () => {
  it.each<[string, (p: ReturnType<typeof makePod>) => void, boolean]>([
    ['status', (p) => (p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] }), false],
    ['resourceVersion', (p) => (p.metadata!.resourceVersion = '9'), false],
    ['tolerations', (p) => (p.spec!.tolerations = [{ operator: 'Exists' }]), true],
    ['labels', (p) => (p.metadata!.labels = { a: 'b' }), true],
    ['annotations', (p) => (p.metadata!.annotations = { a: 'b' }), true],
  ])('%s -> %s', (_, f, want) => {
    const a = makePod();
    const b = makePod();
    f(b);
    expect(podUpdateMayHelp(a, b)).toBe(want);
  });
});
