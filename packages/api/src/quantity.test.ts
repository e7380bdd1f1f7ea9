import { describe, expect, it } from 'vitest';
import {
  compareQuantities,
  formatBytes,
  formatDecimal,
  formatMilliCPU,
  formatResource,
  isValidQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityValue,
  validateQuantity,
} from './quantity.js';

describe('parseQuantity (milli-units)', () => {
  it.each<[string, bigint]>([
    ['0', 0n],
    ['1', 1000n],
    ['100m', 100n],
    ['1500m', 1500n],
    ['0.5', 500n],
    ['.5', 500n],
    ['1.', 1000n],
    ['+1', 1000n],
    ['-1', -1000n],
    ['-0.5', -500n],
    ['2k', 2_000_000n],
    ['1M', 1_000_000_000n],
    ['1G', 10n ** 12n],
    ['1T', 10n ** 15n],
    ['1P', 10n ** 18n],
    ['1E', 10n ** 21n],
    ['1Ki', 1_024_000n],
    ['128Mi', 128n * 1024n * 1024n * 1000n],
    ['1.5Gi', 1610612736000n],
    ['1Ti', 1024n ** 4n * 1000n],
    ['1Pi', 1024n ** 5n * 1000n],
    ['1Ei', 1024n ** 6n * 1000n],
    ['1e3', 1_000_000n],
    ['1E3', 1_000_000n],
    ['1e+3', 1_000_000n],
    ['1e-3', 1n],
    ['1.5e2', 150_000n],
    ['1073741824', 1073741824000n],
    ['12345678901234567890', 12345678901234567890000n],
    // Fractions of a milli round up, as Kubernetes' MilliValue does.
    ['1n', 1n],
    ['1u', 1n],
    ['999999n', 1n],
    ['1000000n', 1n],
    ['1000001n', 2n],
    ['1500u', 2n],
    ['0.0001', 1n],
    ['0.1m', 1n],
    ['1.0001m', 2n],
    ['1e-4', 1n],
    ['1e-5000', 1n],
    ['0e-5000', 0n],
    ['-0.1m', -1n], // away from zero
    ['0.001Ki', 1024n],
    ['0.0001Ki', 103n], // 102.4 -> 103
  ])('%s -> %s', (text, want) => expect(parseQuantity(text)).toBe(want));

  it('throws on bad strings', () => {
    expect(() => parseQuantity('abc')).toThrow(QUANTITY_FORMAT_ERROR);
    expect(() => parseQuantity('1K')).toThrow(QUANTITY_SUFFIX_ERROR);
  });
});

describe('validateQuantity', () => {
  it.each(['0', '1', '100m', '1.5Gi', '.5', '1.', '+1', '-1', '1e3', '1E-3', '5n', '7u', '1E', '1Ei'])('accepts %s', (q) => {
    expect(validateQuantity(q)).toEqual([]);
    expect(isValidQuantity(q)).toBe(true);
  });
  it.each(['', ' ', '.', '-', '+', 'abc', '1GB', '1 Gi', 'Gi', '1.2.3', '1..2', 'm', '1m ', '1,5', '0x10', '--1', '1e3.5'])('rejects %j with the format message', (q) => {
    expect(validateQuantity(q)).toEqual(["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]);
    expect(isValidQuantity(q)).toBe(false);
  });
  it.each(['1K', '1Mm', '1e', '1e+', '1mi', '1i', '1m3', '1kk', '1Gii'])('rejects %j with the suffix message', (q) => {
    expect(validateQuantity(q)).toEqual(["unable to parse quantity's suffix"]);
  });
  it('rejects absurd exponents without hanging', () => {
    expect(validateQuantity('1e99999999')).toEqual(['quantity is too large']);
  });
});

describe('quantityValue (whole units, rounded up)', () => {
  it.each<[string, bigint]>([
    ['1', 1n],
    ['1500m', 2n],
    ['100m', 1n],
    ['0', 0n],
    ['128Mi', 134217728n],
    ['1.5Gi', 1610612736n],
    ['1k', 1000n],
    ['-1500m', -2n],
  ])('%s -> %s', (text, want) => expect(quantityValue(text)).toBe(want));
});

describe('formatting', () => {
  it('formats cpu', () => {
    expect(formatMilliCPU(0n)).toBe('0');
    expect(formatMilliCPU(100n)).toBe('100m');
    expect(formatMilliCPU(1500n)).toBe('1500m');
    expect(formatMilliCPU(2000n)).toBe('2');
  });
  it('formats bytes', () => {
    expect(formatBytes(0n)).toBe('0');
    expect(formatBytes(1000n)).toBe('1000');
    expect(formatBytes(1024n)).toBe('1Ki');
    expect(formatBytes(134217728n)).toBe('128Mi');
    expect(formatBytes(1610612736n)).toBe('1536Mi');
    expect(formatBytes(1024n ** 3n)).toBe('1Gi');
    expect(formatBytes(1024n ** 7n)).toBe('1024Ei');
  });
  it('formats decimal amounts', () => {
    expect(formatDecimal(0n)).toBe('0');
    expect(formatDecimal(1500n)).toBe('1500m');
    expect(formatDecimal(110_000n)).toBe('110');
    expect(formatDecimal(2_000_000_000n)).toBe('2M');
    expect(formatDecimal(1_500_000n)).toBe('1500');
  });
  it('formats per resource', () => {
    expect(formatResource('cpu', parseQuantity('0.25'))).toBe('250m');
    expect(formatResource('memory', parseQuantity('0.5Gi'))).toBe('512Mi');
    expect(formatResource('memory', parseQuantity('1G'))).toBe('1000000000');
    expect(formatResource('pods', parseQuantity('110'))).toBe('110');
    expect(formatResource('ephemeral-storage', parseQuantity('10Gi'))).toBe('10Gi');
  });
  it('compares', () => {
    expect(compareQuantities('500m', '0.5')).toBe(0);
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('100m', '1')).toBe(-1);
  });
});
