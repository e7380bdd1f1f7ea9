import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.js';
import { flushAsync } from '../util/wait.js';
import { ItemExponentialRateLimiter } from './ratelimiter.js';
import { WorkQueue } from './queue.js';

function newQueue() {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) });
  return { q, clock };
}

describe('WorkQueue', () => {
  it('hands keys out in order and deduplicates waiting keys', async () => {
    const { q } = newQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands out a key being processed; a re-add comes back after done()', async () => {
    const { q } = newQueue();
    q.add('a');
    const k = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((x) => (second = x));
    await flushAsync();
    expect(second).toBeUndefined();
    q.done(k!);
    await flushAsync();
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('get() waits for a key; concurrent getters get different keys', async () => {
    const { q } = newQueue();
    const g1 = q.get();
    const g2 = q.get();
    q.add('x');
    q.add('y');
    expect([await g1, await g2]).toEqual(['x', 'y']);
  });

  it('addAfter adds when the delay passes; the earliest pending time wins', async () => {
    const { q, clock } = newQueue();
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 2000);
    q.addAfter('b', 500);
    q.addAfter('now', 0);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('now');
    clock.advance(299);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(200);
    expect(q.len()).toBe(2);
    expect([await q.get(), await q.get()]).toEqual(['a', 'b']);
    clock.advance(10_000);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('addRateLimited backs off per key until forget()', async () => {
    const { q, clock } = newQueue();
    const readyAfter = async (key: string): Promise<number> => {
      q.addRateLimited(key);
      let waited = 0;
      while (q.len() === 0) {
        clock.advance(1);
        waited++;
      }
      const got = await q.get();
      q.done(got!);
      return waited;
    };
    expect(await readyAfter('a')).toBe(5);
    expect(await readyAfter('a')).toBe(10);
    expect(await readyAfter('a')).toBe(20);
    expect(q.numRequeues('a')).toBe(3);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(await readyAfter('a')).toBe(5);
  });

  it('uses the default limiter (per-item and overall bucket) when none is given', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    for (let i = 0; i < 100; i++) q.addRateLimited(`k${i}`);
    clock.advance(5);
    expect(q.len()).toBe(100);
    q.addRateLimited('late');
    clock.advance(5);
    expect(q.len()).toBe(100);
    clock.advance(95);
    expect(q.len()).toBe(101);
  });

  it('shutDown releases waiting getters, but queued keys are still handed out', async () => {
    const { q, clock } = newQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();

    const { q: q2 } = newQueue();
    q2.add('a');
    q2.addAfter('later', 100);
    q2.shutDown();
    q2.add('b');
    expect(await q2.get()).toBe('a');
    expect(await q2.get()).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shutDownWithDrain waits for keys in flight to be done', async () => {
    const { q } = newQueue();
    q.add('a');
    const k = await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => (drained = true));
    await flushAsync();
    expect(drained).toBe(false);
    q.done(k!);
    await p;
    expect(drained).toBe(true);
    expect(q.isShuttingDown).toBe(true);
  });
});
