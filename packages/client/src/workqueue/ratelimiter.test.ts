import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.js';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from './ratelimiter.js';

describe('ItemExponentialRateLimiter', () => {
  it('doubles per failure from 5 ms up to 1000 s, per key', () => {
    const rl = new ItemExponentialRateLimiter();
    const delays = Array.from({ length: 20 }, () => rl.when('a'));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays.at(-1)).toBe(1_000_000);
    expect(Math.max(...delays)).toBe(1_000_000);
    expect(rl.numRequeues('a')).toBe(20);
    expect(rl.when('b')).toBe(5);
  });

  it('forget starts a key over', () => {
    const rl = new ItemExponentialRateLimiter(1, 100);
    rl.when('a');
    rl.when('a');
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(1);
  });

  it('does not overflow for very many failures', () => {
    const rl = new ItemExponentialRateLimiter();
    for (let i = 0; i < 5000; i++) rl.when('x');
    expect(rl.when('x')).toBe(1_000_000);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through, then spaces requests at qps', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter(10, 100, clock);
    const burst = Array.from({ length: 100 }, (_, i) => rl.when(`k${i}`));
    expect(burst.every((d) => d === 0)).toBe(true);
    expect([rl.when('x'), rl.when('y'), rl.when('z')]).toEqual([100, 200, 300]);
    // Tokens refill with time: after 1 s, 10 more tokens, which pay back the debt of 3.
    clock.advance(1000);
    expect(rl.when('w')).toBe(0);
    expect(rl.numRequeues('x')).toBe(0);
  });

  it('never holds more than the burst', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter(10, 2, clock);
    clock.advance(60_000);
    expect([rl.when('a'), rl.when('a'), rl.when('a')]).toEqual([0, 0, 100]);
  });
});

describe('MaxOfRateLimiter / default controller limiter', () => {
  it('takes the longest delay and records the failure in every limiter', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter(clock);
    expect(rl.when('a')).toBe(5);
    expect(rl.when('a')).toBe(10);
    expect(rl.numRequeues('a')).toBe(2);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    // Exhaust the bucket: the overall limit dominates small per-item delays.
    for (let i = 0; i < 98; i++) rl.when(`k${i}`);
    expect(rl.when('fresh')).toBe(100);
  });

  it('combines arbitrary limiters', () => {
    const a = new ItemExponentialRateLimiter(1, 1000);
    const b = new ItemExponentialRateLimiter(3, 1000);
    const m = new MaxOfRateLimiter(a, b);
    expect(m.when('k')).toBe(3);
    expect(a.numRequeues('k')).toBe(1);
    expect(m.numRequeues('k')).toBe(1);
  });
});
