import { describe, expect, it } from 'vitest';
import { StatusError, type ContainerStatus, type Pod } from '@kubesim/api';
import { findLogPod, logContainerID, runtimeID } from './log-target.js';

function pod(statuses?: ContainerStatus[], name = 'p', uid = 'u1'): Pod {
  return {
    metadata: { name, namespace: 'default', uid },
    spec: { containers: [{ name: 'c', image: 'i' }], initContainers: [{ name: 'init', image: 'i' }] },
    status: statuses ? { containerStatuses: statuses } : {},
  };
}

function err(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    return e as StatusError;
  }
  throw new Error('no error');
}

const term = (id: string) => ({ terminated: { exitCode: 1, containerID: `docker://${id}` } });

describe('logContainerID', () => {
  it('reads the running instance, and the last terminated one with previous', () => {
    const p = pod([{ name: 'c', containerID: 'docker://cur', state: { running: {} }, lastState: term('old') }]);
    expect(logContainerID(p, 'c', false)).toBe('cur');
    expect(logContainerID(p, 'c', true)).toBe('old');
  });

  it('answers kubectl errors for a previous instance that does not exist', () => {
    const e = err(() => logContainerID(pod([{ name: 'c', containerID: 'docker://cur', state: { running: {} } }]), 'c', true));
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toBe('previous terminated container "c" in pod "p" not found');
  });

  it('says a container that has not started is waiting, with the reason', () => {
    expect(err(() => logContainerID(pod(), 'c', false)).message).toBe('container "c" in pod "p" is waiting to start: ContainerCreating');
    const w = pod([{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }]);
    expect(err(() => logContainerID(w, 'c', false))).toMatchObject({ reason: 'BadRequest', message: 'container "c" in pod "p" is waiting to start: ContainerCreating' });
    const pull = pod([{ name: 'c', state: { waiting: { reason: 'ImagePullBackOff' } } }]);
    expect(err(() => logContainerID(pull, 'c', false)).message).toBe('container "c" in pod "p" is waiting to start: trying and failing to pull image');
  });

  it('reads the dead instance of a container in CrashLoopBackOff', () => {
    const p = pod([{ name: 'c', containerID: 'docker://dead', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: term('dead') }]);
    expect(logContainerID(p, 'c', false)).toBe('dead');
    expect(logContainerID(p, 'c', true)).toBe('dead');
  });

  it('reads a terminated container, and refuses an unknown one', () => {
    expect(logContainerID(pod([{ name: 'c', state: term('t') }]), 'c', false)).toBe('t');
    expect(logContainerID(pod([{ name: 'c', state: { terminated: { exitCode: 0 } }, lastState: term('l') }]), 'c', false)).toBe('l');
    expect(err(() => logContainerID(pod([]), 'x', false))).toMatchObject({ reason: 'NotFound', message: 'container "x" not found in pod "p"' });
  });
});

describe('findLogPod', () => {
  const pods = [pod(undefined, 'a', 'ua'), pod(undefined, 'b', 'ub')];
  it('finds by uid, else by namespace/name', () => {
    expect(findLogPod(pods, { podUid: 'ub', name: 'b', namespace: 'default' }).metadata?.name).toBe('b');
    expect(findLogPod(pods, { name: 'a', namespace: 'default' }).metadata?.uid).toBe('ua');
  });
  it('answers NotFound for an unknown pod or a stale uid', () => {
    expect(err(() => findLogPod(pods, { name: 'z', namespace: 'default' }))).toMatchObject({ reason: 'NotFound', message: 'pod "z" does not exist' });
    expect(err(() => findLogPod(pods, { podUid: 'other', name: 'a', namespace: 'default' })).reason).toBe('NotFound');
  });
});

it('runtimeID strips the runtime scheme', () => {
  expect(runtimeID('docker://abc')).toBe('abc');
  expect(runtimeID(undefined)).toBe('');
});
