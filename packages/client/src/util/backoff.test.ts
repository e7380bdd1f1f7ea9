import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_BACKOFF } from './backoff.js';
import { FakeClock, sleep } from './clock.js';

describe('backoffDelay', () => {
  it('doubles from 200 ms and caps at 5 s without jitter', () => {
    const delays = Array.from({ length: 8 }, (_, i) => backoffDelay(i, DEFAULT_RETRY_BACKOFF, () => 0));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('adds up to 20% jitter', () => {
    expect(backoffDelay(0, DEFAULT_RETRY_BACKOFF, () => 0.5)).toBe(220);
    expect(backoffDelay(10, DEFAULT_RETRY_BACKOFF, () => 0.999)).toBeLessThanOrEqual(6000);
  });

  it('survives huge attempt numbers', () => {
    expect(backoffDelay(10_000, DEFAULT_RETRY_BACKOFF, () => 0)).toBe(5000);
  });
});

describe('FakeClock', () => {
  it('fires timers in time order, including timers set by timers', () => {
    const c = new FakeClock();
    const fired: string[] = [];
    c.setTimer(() => fired.push('b'), 20);
    c.setTimer(() => {
      fired.push('a');
      c.setTimer(() => fired.push('a2'), 5);
    }, 10);
    const x = c.setTimer(() => fired.push('x'), 12);
    x.cancel();
    c.advance(14);
    expect(fired).toEqual(['a']);
    c.advance(10);
    expect(fired).toEqual(['a', 'a2', 'b']);
    expect(c.pendingTimers()).toBe(0);
  });

  it('jump moves time without firing', () => {
    const c = new FakeClock(0);
    let fired = false;
    c.setTimer(() => (fired = true), 10);
    c.jump(100);
    expect(fired).toBe(false);
    expect(c.now()).toBe(100);
    c.advance(0);
    expect(fired).toBe(true);
  });

  it('sleep resolves on the timer or on abort, leaving no timer behind', async () => {
    const c = new FakeClock();
    const ac = new AbortController();
    const p = sleep(1000, ac.signal, c);
    expect(c.pendingTimers()).toBe(1);
    ac.abort();
    await p;
    expect(c.pendingTimers()).toBe(0);
    const q = sleep(5, undefined, c);
    c.advance(5);
    await q;
  });
});
