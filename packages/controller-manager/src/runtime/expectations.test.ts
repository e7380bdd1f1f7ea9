import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kubesim/client';
import { EXPECTATIONS_TIMEOUT_MS, Expectations } from './expectations.js';
import { slowStartBatch } from './batch.js';

describe('Expectations', () => {
  it('an unknown key is satisfied', () => expect(new Expectations(new FakeClock()).satisfied('a')).toBe(true));

  it('creations are satisfied once each is observed', () => {
    const e = new Expectations(new FakeClock());
    e.expectCreations('ns/rs', 3);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
    // Extra observations (pods created before) do not go below "satisfied".
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('deletions count each expected pod once, and only expected pods', () => {
    const e = new Expectations(new FakeClock());
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // terminating, then deleted: one deletion
    e.deletionObserved('ns/rs', 'ns/other');
    expect(e.satisfied('ns/rs')).toBe(false);
    expect(e.pending('ns/rs')).toEqual({ add: 0, del: 1 });
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('expire after five minutes', () => {
    const clock = new FakeClock();
    const e = new Expectations(clock);
    e.expectCreations('k', 2);
    clock.advance(EXPECTATIONS_TIMEOUT_MS);
    expect(e.satisfied('k')).toBe(false);
    clock.advance(1);
    expect(e.satisfied('k')).toBe(true);
  });

  it('a new expectation replaces the old one; delete forgets', () => {
    const e = new Expectations(new FakeClock());
    e.expectCreations('k', 2);
    e.expectDeletions('k', ['x']);
    expect(e.pending('k')).toEqual({ add: 0, del: 1 });
    e.delete('k');
    expect(e.pending('k')).toBeUndefined();
    expect(e.satisfied('k')).toBe(true);
  });
});

describe('slowStartBatch', () => {
  it('issues batches of 1, 2, 4, ... up to the count', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      inFlight++;
      await Promise.resolve();
      batches.push(inFlight);
      inFlight--;
    });
    expect(r).toEqual({ successes: 10 });
    expect(calls).toBe(10);
    // Max concurrency observed per batch: 1, 2, 4, then the remaining 3.
    expect(Math.max(...batches)).toBe(4);
  });

  it('stops after the first batch with an error', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls === 3) throw new Error('quota');
    });
    // batch 1 (ok), batch 2 (one of two fails): no batch 3.
    expect(calls).toBe(3);
    expect(r.successes).toBe(2);
    expect((r.error as Error).message).toBe('quota');
  });

  it('does nothing for zero', async () => {
    let calls = 0;
    expect(await slowStartBatch(0, 1, async () => void calls++)).toEqual({ successes: 0 });
    expect(calls).toBe(0);
  });
});
