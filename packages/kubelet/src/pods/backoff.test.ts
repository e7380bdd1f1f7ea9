import { describe, expect, it } from 'vitest';
import { Backoff, CRASH_BACKOFF } from './backoff.js';

describe('Backoff', () => {
  it('is not in backoff before the first failure, then doubles to the maximum', () => {
    const b = new Backoff(CRASH_BACKOFF);
    expect(b.remaining('k', 0, 0)).toBe(0);
    const delays = [];
    let now = 0;
    for (let i = 0; i < 8; i++) {
      delays.push(b.next('k', now));
      now += 1000;
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('counts the remaining time from when the container finished', () => {
    const b = new Backoff(CRASH_BACKOFF);
    b.next('k', 1000);
    expect(b.remaining('k', 2000, 5000)).toBe(7000);
    expect(b.remaining('k', 2000, 12_000)).toBe(0);
  });

  it('starts over after twice the maximum without failures', () => {
    const b = new Backoff(CRASH_BACKOFF);
    b.next('k', 0);
    b.next('k', 1);
    expect(b.delay('k')).toBe(20_000);
    expect(b.next('k', 1 + 600_001)).toBe(10_000);
  });

  it('forgets keys by prefix', () => {
    const b = new Backoff(CRASH_BACKOFF);
    b.next('uid-1/a', 0);
    b.next('uid-2/a', 0);
    b.resetPrefix('uid-1/');
    expect(b.delay('uid-1/a')).toBe(0);
    expect(b.delay('uid-2/a')).toBe(10_000);
  });
});
