import { describe, expect, it } from 'vitest';
import { processCpuSeconds, pssMiB, rssMiB } from './proc.js';

describe('/proc readings of a process', () => {
  it('count this process\'s CPU time as it works, and its memory', () => {
    const before = processCpuSeconds(process.pid);
    const until = Date.now() + 150;
    let n = 0;
    while (Date.now() < until) n += Math.sqrt(n + 1);
    expect(n).toBeGreaterThan(0);
    expect(processCpuSeconds(process.pid) - before).toBeGreaterThanOrEqual(0.05);
    expect(rssMiB(process.pid)).toBeGreaterThan(10);
    expect(pssMiB(process.pid)).toBeGreaterThan(1);
    expect(pssMiB(process.pid)).toBeLessThanOrEqual(rssMiB(process.pid) + 1);
  });
});
