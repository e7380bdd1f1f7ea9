import { describe, expect, it } from 'vitest';
import { countFlag } from './args.js';

describe('countFlag', () => {
  it('reads the number after the flag, or the default', () => {
    expect(countFlag(['node-death', '--runs', '3'], '--runs', 5)).toBe(3);
    expect(countFlag(['node-death'], '--runs', 5)).toBe(5);
  });
  it('names the flag and the rule on bad input', () => {
    expect(() => countFlag(['--runs', 'x'], '--runs', 5)).toThrow('--runs: Invalid value: "x": must be a whole number >= 1');
    expect(() => countFlag(['--minutes', '0'], '--minutes', 10)).toThrow('--minutes: Invalid value: "0"');
    expect(() => countFlag(['--runs'], '--runs', 5)).toThrow('--runs: Invalid value: ""');
  });
});
