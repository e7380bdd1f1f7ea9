import { describe, expect, it } from 'vitest';
import { deleteOptions, parseTimeout } from './delete.js';

describe('deleteOptions', () => {
  it('defaults to background cascade and the object grace period', () => {
    expect(deleteOptions({})).toEqual({ propagationPolicy: 'Background' });
  });
  it('maps grace periods as kubectl does', () => {
    expect(deleteOptions({ gracePeriod: '30' }).gracePeriodSeconds).toBe(30);
    expect(deleteOptions({ gracePeriod: '0' }).gracePeriodSeconds).toBe(1);
    expect(deleteOptions({ gracePeriod: '0', force: true }).gracePeriodSeconds).toBe(0);
    expect(deleteOptions({ force: true }).gracePeriodSeconds).toBe(0);
    expect(deleteOptions({ now: true }).gracePeriodSeconds).toBe(1);
    expect(() => deleteOptions({ now: true, gracePeriod: '5' })).toThrow('--now and --grace-period cannot be specified together');
  });
  it('maps cascade', () => {
    expect(deleteOptions({ cascade: 'foreground' }).propagationPolicy).toBe('Foreground');
    expect(deleteOptions({ cascade: 'orphan' }).propagationPolicy).toBe('Orphan');
    expect(() => deleteOptions({ cascade: 'sideways' })).toThrow('invalid cascade value (sideways)');
  });
});

describe('parseTimeout', () => {
  it('reads durations', () => {
    expect(parseTimeout('30s')).toBe(30_000);
    expect(parseTimeout('2m')).toBe(120_000);
    expect(parseTimeout('500ms')).toBe(500);
    expect(parseTimeout('5')).toBe(5000);
    expect(parseTimeout(undefined)).toBeGreaterThan(24 * 3600_000);
    expect(() => parseTimeout('soon')).toThrow('invalid duration');
  });
});
