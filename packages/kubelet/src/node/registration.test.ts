import { describe, expect, it } from 'vitest';
import type { Node } from '@kubesim/api';
import { FakeClock, newLogger, type Client, type EventRecorder } from '@kubesim/client';
import { NodeRegistration } from './registration.js';
import type { NodeFacts } from './status.js';

const facts: NodeFacts = {
  nodeName: 'n1',
  capacity: { cpu: '2', memory: '4Gi', pods: '110' },
  hostIP: '127.0.0.1',
  kernelVersion: 'k',
  osImage: 'o',
  architecture: 'amd64',
  machineID: 'm',
  bootID: 'b',
  kubeletPort: 1,
  containerRuntimeVersion: 'fake://0.1.0',
};

function setup(stored: Node) {
  const events: string[] = [];
  const client = {
    create: async () => {
      throw Object.assign(new Error('exists'), { code: 6, reason: 'AlreadyExists' });
    },
    get: async () => stored,
    update: async (n: Node) => n,
    patch: async (_r: string, _ns: string, _n: string, p: { status: Node['status'] }) => ({ ...stored, status: p.status }),
  } as unknown as Client;
  const recorder = { event: (_o: unknown, type: string, reason: string, message: string) => events.push(`${type} ${reason} ${message}`) } as unknown as EventRecorder;
  const reg = new NodeRegistration(client, new FakeClock(), newLogger('test'), recorder);
  return { reg, events };
}

describe('NodeRegistration Ready events', () => {
  it('reports NodeReady when status goes from Unknown (controller) to Ready, once', async () => {
    const { reg, events } = setup({ kind: 'Node', metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
    reg.node = { kind: 'Node', metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    await reg.postStatus(facts);
    await reg.postStatus(facts);
    expect(events).toEqual(['Normal NodeReady Node n1 status is now: NodeReady']);
  });

  it('reports NodeNotReady when the runtime goes down', async () => {
    const { reg, events } = setup({ kind: 'Node', metadata: { name: 'n1' } });
    reg.node = { kind: 'Node', metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    await reg.postStatus({ ...facts, runtimeError: 'docker is down' });
    expect(events).toEqual(['Normal NodeNotReady Node n1 status is now: NodeNotReady']);
  });
});
