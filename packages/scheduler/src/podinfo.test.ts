import { describe, expect, it } from 'vitest';
import { makePod } from './fixtures.js';
import { containerRequests, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, isTerminal, newPodInfo, podHostPorts, podRequests } from './podinfo.js';

const Mi = 1024 * 1024;
const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>, restartPolicy?: string) => ({
  name,
  image: 'x',
  resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe('containerRequests', () => {
  it.each([
    ['requests', c('a', { cpu: '250m', memory: '64Mi' }), { milliCpu: 250, memory: 64 * Mi }],
    ['limits only: requests default to limits', c('a', undefined, { cpu: '1', memory: '1Gi' }), { milliCpu: 1000, memory: 1024 * Mi }],
    ['request wins over limit', c('a', { cpu: '100m' }, { cpu: '2', memory: '1Mi' }), { milliCpu: 100, memory: Mi }],
    ['nothing', c('a'), { milliCpu: 0, memory: 0 }],
    ['bad quantity counts as none', c('a', { cpu: 'lots' }), { milliCpu: 0, memory: 0 }],
    ['decimal memory', c('a', { memory: '1G' }), { milliCpu: 0, memory: 1e9 }],
  ])('%s', (_, container, want) => {
    expect(containerRequests(container, false)).toEqual(want);
  });

  it('non-zero defaults fill only missing requests', () => {
    expect(containerRequests(c('a'), true)).toEqual({ milliCpu: DEFAULT_MILLI_CPU_REQUEST, memory: DEFAULT_MEMORY_REQUEST });
    expect(containerRequests(c('a', { cpu: '300m' }), true)).toEqual({ milliCpu: 300, memory: DEFAULT_MEMORY_REQUEST });
  });
});

describe('podRequests', () => {
  it('sums app containers', () => {
    const pod = makePod({ containers: [c('a', { cpu: '100m', memory: '10Mi' }), c('b', { cpu: '200m', memory: '20Mi' })] });
    expect(podRequests(pod)).toEqual({ milliCpu: 300, memory: 30 * Mi });
  });

  it('takes the larger of the app sum and the largest init container, per resource', () => {
    const pod = makePod({
      containers: [c('a', { cpu: '100m', memory: '100Mi' }), c('b', { cpu: '100m', memory: '100Mi' })],
      initContainers: [c('i1', { cpu: '500m', memory: '10Mi' }), c('i2', { cpu: '50m', memory: '150Mi' })],
    });
    expect(podRequests(pod)).toEqual({ milliCpu: 500, memory: 200 * Mi });
  });

  it('counts sidecars (restartPolicy Always) with the app and beside later init containers', () => {
    const pod = makePod({
      containers: [c('a', { cpu: '100m' })],
      initContainers: [c('side', { cpu: '200m' }, undefined, 'Always'), c('init', { cpu: '250m' })],
    });
    // app + sidecar = 300m; init runs beside the sidecar: 450m
    expect(podRequests(pod).milliCpu).toBe(450);
  });

  it('non-zero requests per container', () => {
    const pod = makePod({ containers: [c('a'), c('b', { cpu: '1' })] });
    expect(podRequests(pod, true)).toEqual({ milliCpu: 1100, memory: 2 * DEFAULT_MEMORY_REQUEST });
  });
});

describe('podHostPorts', () => {
  it('lists host ports with defaults for protocol and address', () => {
    const pod = makePod({
      containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '127.0.0.1' }] }],
      initContainers: [{ name: 'i', ports: [{ containerPort: 9, hostPort: 9 }] }],
    });
    expect(podHostPorts(pod)).toEqual([
      { protocol: 'TCP', ip: '0.0.0.0', port: 9 },
      { protocol: 'TCP', ip: '0.0.0.0', port: 8080 },
      { protocol: 'UDP', ip: '127.0.0.1', port: 53 },
    ]);
  });
});

describe('newPodInfo', () => {
  it('carries key, priority, creation time, owner', () => {
    const info = newPodInfo(makePod({ name: 'web', namespace: 'prod', priority: 7, created: '2026-01-01T00:00:05Z', ownerUid: 'rs-1' }));
    expect(info).toMatchObject({ key: 'prod/web', priority: 7, createdMs: Date.parse('2026-01-01T00:00:05Z'), ownerUid: 'rs-1', uid: 'uid-web' });
  });

  it('defaults priority to 0 and owner to none', () => {
    expect(newPodInfo(makePod())).toMatchObject({ priority: 0, ownerUid: '' });
  });

  it('isTerminal', () => {
    expect(isTerminal({ status: { phase: 'Succeeded' } })).toBe(true);
    expect(isTerminal({ status: { phase: 'Failed' } })).toBe(true);
    expect(isTerminal({ status: { phase: 'Running' } })).toBe(false);
    expect(isTerminal({})).toBe(false);
  });
});
