import { describe, expect, it } from 'vitest';
import { nowMicroTimestamp, nowTimestamp } from './meta.js';

describe('timestamps', () => {
  it('formats whole seconds in UTC, whatever came before', () => {
    expect(nowTimestamp(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05Z');
    expect(nowTimestamp(new Date('2026-01-02T03:04:05.999Z'))).toBe('2026-01-02T03:04:05Z');
    expect(nowTimestamp(new Date('2026-01-02T03:04:06.000Z'))).toBe('2026-01-02T03:04:06Z');
    expect(nowTimestamp(new Date('2025-12-31T23:59:59.500Z'))).toBe('2025-12-31T23:59:59Z');
    expect(nowTimestamp(new Date(-1500))).toBe('1969-12-31T23:59:58Z');
  });
  it('stamps now by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const stamp = Date.parse(nowTimestamp()) / 1000;
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
  it('keeps microseconds for MicroTime', () => expect(nowMicroTimestamp(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z'));
});
