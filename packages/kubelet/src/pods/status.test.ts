import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import type { ContainerInfo, PodRuntimeState } from '../runtime/runtime.js';
import { computePodStatus, podPhase, type StatusInput, type Waiting } from './status.js';
import { statusEqual } from './equal.js';

const NOW = new Date('2026-01-01T00:00:10Z');

function pod(restartPolicy = 'Always', names = ['a']): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { restartPolicy, containers: names.map((name) => ({ name, image: 'img' })) }, status: { phase: 'Pending' } };
}

function ctr(name: string, state: ContainerInfo['state'], over: Partial<ContainerInfo> = {}): ContainerInfo {
  return { id: `${name}-${over.restartCount ?? 0}`, podUid: 'u', name, restartCount: 0, state, image: 'img', imageID: 'sha256:1', createdAt: 1, startedAt: Date.parse('2026-01-01T00:00:01Z'), finishedAt: state === 'exited' ? Date.parse('2026-01-01T00:00:05Z') : 0, exitCode: 0, ...over };
}

function input(p: Pod, containers: ContainerInfo[], waiting: Record<string, Waiting> = {}, ready = true): StatusInput {
  const runtime: PodRuntimeState = { ref: { namespace: 'ns', name: 'p', uid: 'u' }, sandboxes: [{ id: 's', podUid: 'u', running: true, ip: '172.17.0.9', createdAt: 1 }], containers };
  return { pod: p, runtime, runtimeKind: 'docker', hostIP: '172.17.0.1', now: NOW, waiting: new Map(Object.entries(waiting)), probes: { ready: () => ready, started: () => true } };
}

describe('computePodStatus', () => {
  it('is Pending with ContainerCreating before anything runs', () => {
    const s = computePodStatus(input(pod(), []));
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0].state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(s.podIP).toBe('172.17.0.9');
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]' });
  });

  it('is Running and Ready when every container runs and is ready', () => {
    const s = computePodStatus(input(pod(), [ctr('a', 'running')]));
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses?.[0]).toMatchObject({ ready: true, started: true, containerID: 'docker://a-0', imageID: 'docker://sha256:1', state: { running: { startedAt: '2026-01-01T00:00:01Z' } } });
    expect(s.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    expect(s.qosClass).toBe('BestEffort');
  });

  it('is not Ready while a readiness probe has not passed', () => {
    const s = computePodStatus(input(pod(), [ctr('a', 'running')], {}, false));
    expect(s.phase).toBe('Running');
    expect(s.conditions?.find((c) => c.type === 'ContainersReady')?.status).toBe('False');
  });

  it('shows CrashLoopBackOff with the dead instance as lastState, phase Running', () => {
    const s = computePodStatus(input(pod(), [ctr('a', 'exited', { exitCode: 2, restartCount: 3 })], { a: { reason: 'CrashLoopBackOff', message: 'back-off' } }));
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses?.[0]).toMatchObject({ restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } });
  });

  it('keeps lastTransitionTime of unchanged conditions, so a repeat is equal', () => {
    const first = computePodStatus(input(pod(), [ctr('a', 'running')]));
    const p2 = { ...pod(), status: first };
    const second = computePodStatus({ ...input(p2, [ctr('a', 'running')]), now: new Date('2026-01-01T00:05:00Z') });
    expect(statusEqual(first, second)).toBe(true);
  });

  it('reports OOMKilled', () => {
    const s = computePodStatus(input(pod('Never'), [ctr('a', 'exited', { exitCode: 137, reason: 'OOMKilled' })]));
    expect(s.containerStatuses?.[0].state?.terminated?.reason).toBe('OOMKilled');
    expect(s.phase).toBe('Failed');
  });
});

describe('podPhase', () => {
  const st = (state: object, lastState: object = {}) => ({ name: 'x', state, lastState });
  it('follows the restart policy once containers stopped', () => {
    const ok = st({ terminated: { exitCode: 0 } });
    const bad = st({ terminated: { exitCode: 1 } });
    expect(podPhase(pod('Never'), [ok])).toBe('Succeeded');
    expect(podPhase(pod('Never'), [ok, bad])).toBe('Failed');
    expect(podPhase(pod('OnFailure'), [ok])).toBe('Succeeded');
    expect(podPhase(pod('OnFailure'), [bad])).toBe('Running');
    expect(podPhase(pod('Always'), [ok])).toBe('Running');
  });
  it('is Pending while a container waits to start for the first time', () => {
    expect(podPhase(pod(), [st({ running: {} }), st({ waiting: { reason: 'ErrImagePull' } })])).toBe('Pending');
  });
  it('never leaves a terminal phase', () => {
    expect(podPhase({ ...pod(), status: { phase: 'Succeeded' } }, [st({ running: {} })])).toBe('Succeeded');
  });
});
