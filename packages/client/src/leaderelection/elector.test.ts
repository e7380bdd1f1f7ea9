import { describe, expect, it } from 'vitest';
import { alreadyExists, conflict, notFound, StatusError, type Lease } from '@kubesim/api';
import { FakeClock } from '../util/clock.js';
import { flushAsync } from '../util/wait.js';
import { LeaderElector, type LeaseClient } from './elector.js';

/** An in-memory lease store with resourceVersion checks, as the apiserver does them. */
class LeaseStore {
  lease: Lease | undefined;
  private rv = 0;
  writes: string[] = [];

  clientFor(identity: string) {
    const state = { down: false, hang: false };
    const call = async <R>(fn: () => R): Promise<R> => {
      await Promise.resolve();
      if (state.hang) return new Promise<R>(() => {});
      if (state.down) throw new StatusError('ServiceUnavailable', 'the apiserver is unavailable: connect ECONNREFUSED');
      return fn();
    };
    const client: LeaseClient = {
      get: (_ns, name) =>
        call(() => {
          if (!this.lease) throw notFound('leases.coordination.k8s.io', name);
          return structuredClone(this.lease);
        }),
      create: (lease) =>
        call(() => {
          if (this.lease) throw alreadyExists('leases.coordination.k8s.io', lease.metadata!.name!);
          return this.store(lease, identity);
        }),
      update: (lease) =>
        call(() => {
          if (!this.lease || lease.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) throw conflict('leases.coordination.k8s.io', lease.metadata!.name!);
          return this.store(lease, identity);
        }),
    };
    return { client, state };
  }

  /** Writes as some other party would (no checks). */
  force(spec: Lease['spec']): void {
    this.store({ ...(this.lease ?? { metadata: { name: 'lock', namespace: 'kube-system' } }), spec }, 'force');
  }

  private store(lease: Lease, by: string): Lease {
    this.lease = structuredClone({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } });
    this.writes.push(by);
    return structuredClone(this.lease);
  }
}

interface Candidate {
  elector: LeaderElector;
  state: { down: boolean; hang: boolean };
  leading: boolean;
  log: string[];
  signal?: AbortSignal;
  abort: AbortController;
  done: Promise<void>;
}

function candidate(store: LeaseStore, clock: FakeClock, identity: string, opts: { releaseOnCancel?: boolean; random?: number } = {}): Candidate {
  const { client, state } = store.clientFor(identity);
  const c = { state, leading: false, log: [] as string[], abort: new AbortController() } as Candidate;
  c.elector = new LeaderElector({
    client,
    lockName: 'lock',
    identity,
    clock,
    random: () => opts.random ?? 0,
    releaseOnCancel: opts.releaseOnCancel,
    callbacks: {
      onStartedLeading: (signal) => {
        c.leading = true;
        c.signal = signal;
        c.log.push(`started@${clock.now()}`);
      },
      onStoppedLeading: () => {
        // The work must already have been told to stop.
        expect(c.signal?.aborted).toBe(true);
        c.leading = false;
        c.log.push(`stopped@${clock.now()}`);
      },
      onNewLeader: (id) => c.log.push(`leader ${id}`),
    },
  });
  c.done = c.elector.run(c.abort.signal);
  return c;
}

const START = 1_000_000;

/** Moves the fake time forward in small steps, checking that at most one candidate leads. */
async function advance(clock: FakeClock, ms: number, cands: Candidate[], step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    for (let i = 0; i < 5; i++) await flushAsync();
    expect(cands.filter((c) => c.leading).length).toBeLessThanOrEqual(1);
    expect(cands.filter((c) => c.elector.isLeader()).length).toBeLessThanOrEqual(1);
  }
}

describe('LeaderElector', () => {
  it('creates the lease, leads, and renews every retry period', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a');
    await advance(clock, 100, [a]);
    expect(a.leading).toBe(true);
    expect(a.elector.isLeader()).toBe(true);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(store.lease?.metadata?.namespace).toBe('kube-system');
    const first = store.lease!.spec!.renewTime;
    await advance(clock, 10_000, [a]);
    expect(store.writes.filter((w) => w === 'a')).toHaveLength(6);
    expect(store.lease?.spec?.renewTime).not.toBe(first);
    expect(store.lease?.spec?.acquireTime).toBe(first);
    expect(a.log).toEqual(['leader a', `started@${START + 50}`]);
    a.abort.abort();
    await a.done;
    expect(a.leading).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a second candidate waits while the leader renews', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a');
    await advance(clock, 100, [a]);
    const b = candidate(store, clock, 'b');
    await advance(clock, 60_000, [a, b]);
    expect(a.leading).toBe(true);
    expect(b.leading).toBe(false);
    expect(b.log).toEqual(['leader a']);
    expect(b.elector.getLeader()).toBe('a');
    a.abort.abort();
    b.abort.abort();
    await Promise.all([a.done, b.done]);
  });

  it('a leader cut off from the apiserver stops before another takes over', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a');
    await advance(clock, 100, [a]);
    const b = candidate(store, clock, 'b');
    await advance(clock, 3_000, [a, b]);
    a.state.down = true;
    const cutAt = clock.now();
    await advance(clock, 30_000, [a, b]);
    expect(a.leading).toBe(false);
    expect(b.leading).toBe(true);
    const stoppedAt = Number(a.log.find((l) => l.startsWith('stopped@'))!.split('@')[1]);
    const startedB = Number(b.log.find((l) => l.startsWith('started@'))!.split('@')[1]);
    // a stops within renewDeadline of its last renewal; b starts only after a full lease duration.
    expect(stoppedAt - cutAt).toBeLessThanOrEqual(10_000);
    expect(startedB - stoppedAt).toBeGreaterThanOrEqual(5_000);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await a.done; // run() returns once leadership is lost
    b.abort.abort();
    await b.done;
  });

  it('after a pause (SIGSTOP) it stops leading without writing as leader', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a');
    await advance(clock, 3_000, [a]);
    const writes = store.writes.length;
    clock.jump(30_000); // the process was stopped: no timer ran meanwhile
    expect(a.elector.isLeader()).toBe(false); // known at once, before any timer runs
    await advance(clock, 1, [a], 1);
    expect(a.leading).toBe(false);
    expect(store.writes.length).toBe(writes);
    await a.done;
  });

  it('a renewal that hangs does not extend leadership past the deadline', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a');
    await advance(clock, 100, [a]);
    a.state.hang = true;
    // The last renewal that went through was sent at START: the deadline is START + 10 s.
    await advance(clock, 9_850, [a]);
    expect(a.leading).toBe(true);
    await advance(clock, 100, [a]);
    expect(a.leading).toBe(false);
    await a.done;
  });

  it('notices that someone else took the lease and stops', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a');
    await advance(clock, 100, [a]);
    store.force({ ...store.lease!.spec, holderIdentity: 'intruder', leaseTransitions: 1 });
    await advance(clock, 2_100, [a]);
    expect(a.leading).toBe(false);
    expect(a.log).toContain('leader intruder');
    await a.done;
  });

  it('of candidates racing for an expired lease exactly one wins', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    store.force({ holderIdentity: 'dead', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z', leaseTransitions: 4 });
    const cands = ['a', 'b', 'c'].map((id) => candidate(store, clock, id));
    await advance(clock, 14_000, cands);
    expect(cands.filter((c) => c.leading)).toHaveLength(0);
    await advance(clock, 6_000, cands);
    expect(cands.filter((c) => c.leading)).toHaveLength(1);
    expect(store.lease?.spec?.leaseTransitions).toBe(5);
    for (const c of cands) c.abort.abort();
    await Promise.all(cands.map((c) => c.done));
  });

  it('releaseOnCancel hands the lease over without waiting for expiry', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock(START);
    const a = candidate(store, clock, 'a', { releaseOnCancel: true });
    await advance(clock, 100, [a]);
    const b = candidate(store, clock, 'b');
    await advance(clock, 1_000, [a, b]);
    a.abort.abort();
    await a.done;
    expect(a.leading).toBe(false);
    expect(store.lease?.spec?.holderIdentity).toBe('');
    await advance(clock, 2_100, [a, b]);
    expect(b.leading).toBe(true);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.abort.abort();
    await b.done;
    expect(store.lease?.spec?.holderIdentity).toBe('b'); // b did not ask to release
  });

  it('rejects unsafe timings', () => {
    const store = new LeaseStore();
    expect(
      () => new LeaderElector({ client: store.clientFor('a').client, lockName: 'x', identity: 'a', leaseDurationSeconds: 5, renewDeadlineSeconds: 10, callbacks: { onStartedLeading() {} } }),
    ).toThrow(/leaseDuration must be greater than renewDeadline/);
  });
});
