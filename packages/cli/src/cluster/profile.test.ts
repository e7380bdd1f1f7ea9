import { describe, expect, it } from 'vitest';
import { profileFlags, profileTable, timingProfile, TIMING_KNOBS } from './profile.js';

describe('timing profiles', () => {
  it('default is Kubernetes values', () => {
    expect(timingProfile('default')).toEqual({
      apiserver: ['--default-not-ready-toleration-seconds', '300', '--default-unreachable-toleration-seconds', '300'],
      'controller-manager': [
        '--node-monitor-period', '5', '--node-monitor-grace-period', '50', '--node-startup-grace-period', '60',
        '--leader-elect-lease-duration', '15', '--leader-elect-renew-deadline', '10', '--leader-elect-retry-period', '2',
      ],
      scheduler: ['--leader-elect-lease-duration', '15', '--leader-elect-renew-deadline', '10', '--leader-elect-retry-period', '2'],
      node: ['--node-status-update-frequency', '10', '--node-lease-duration', '40'],
    });
  });

  it('fast declares a node dead after several missed heartbeats, and evicts within 10 s', () => {
    const v = (flag: string) => TIMING_KNOBS.find((k) => k.flag === flag)!.values.fast;
    const renew = v('--node-lease-duration') / 4;
    expect(v('--node-monitor-grace-period') / Math.max(renew, v('--node-status-update-frequency'))).toBeGreaterThanOrEqual(3);
    // worst case: grace + one monitor period + toleration, leaving time to start replacements
    expect(v('--node-monitor-grace-period') + v('--node-monitor-period') + v('--default-unreachable-toleration-seconds')).toBeLessThanOrEqual(7);
    expect(profileFlags('fast', 'node')).toEqual(['--node-status-update-frequency', '1', '--node-lease-duration', '4']);
  });

  it('fast leader election satisfies duration > deadline > 1.2 x retry, with a whole-second lease', () => {
    const v = (flag: string) => TIMING_KNOBS.find((k) => k.flag === flag)!.values.fast;
    const [d, r, p] = [v('--leader-elect-lease-duration'), v('--leader-elect-renew-deadline'), v('--leader-elect-retry-period')];
    expect(Number.isInteger(d)).toBe(true);
    expect(d).toBeGreaterThan(r);
    expect(r).toBeGreaterThan(1.2 * p);
    expect(profileFlags('fast', 'scheduler')).toEqual(['--leader-elect-lease-duration', '2', '--leader-elect-renew-deadline', '1.5', '--leader-elect-retry-period', '0.5']);
  });

  it('rejects unknown profiles and renders the README table', () => {
    expect(() => timingProfile('turbo')).toThrow(/unknown profile "turbo"/);
    expect(profileTable().split('\n')).toHaveLength(2 + TIMING_KNOBS.length);
  });
});
