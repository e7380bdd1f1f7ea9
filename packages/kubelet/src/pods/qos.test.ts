import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '@kubesim/api';
import { qosClass } from './qos.js';

const pod = (...containers: Container[]): Pod => ({ spec: { containers } });

describe('qosClass', () => {
  it('is BestEffort without requests or limits', () => {
    expect(qosClass(pod({ name: 'a' }, { name: 'b', resources: {} }))).toBe('BestEffort');
  });
  it('is Guaranteed when every container limits cpu and memory with equal requests', () => {
    expect(qosClass(pod({ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }))).toBe('Guaranteed');
    expect(qosClass(pod({ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } } }))).toBe('Guaranteed');
  });
  it('is Burstable otherwise', () => {
    expect(qosClass(pod({ name: 'a', resources: { requests: { cpu: '100m' } } }))).toBe('Burstable');
    expect(qosClass(pod({ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } } }))).toBe('Burstable');
    expect(qosClass(pod({ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }))).toBe('Burstable');
    expect(qosClass(pod({ name: 'a', resources: { limits: { cpu: '1' } } }))).toBe('Burstable');
  });
});
