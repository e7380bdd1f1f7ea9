import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '@kubesim/api';
import { kubeletAddress, pickContainer } from './logs-proxy.js';

const pod = (containers: string[], init: string[] = []): Pod => ({
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: containers.map((name) => ({ name, image: 'i' })), initContainers: init.map((name) => ({ name, image: 'i' })) },
});

describe('pickContainer', () => {
  it('takes the only container, or the one asked for', () => {
    expect(pickContainer(pod(['a']), undefined)).toBe('a');
    expect(pickContainer(pod(['a', 'b']), 'b')).toBe('b');
    expect(pickContainer(pod(['a'], ['setup']), 'setup')).toBe('setup');
  });
  it("answers kubectl's errors", () => {
    expect(() => pickContainer(pod(['a', 'b']), undefined)).toThrow('a container name must be specified for pod web, choose one of: [a b]');
    expect(() => pickContainer(pod(['a', 'b'], ['i']), '')).toThrow('or one of the init containers: [i]');
    expect(() => pickContainer(pod(['a']), 'zz')).toThrow('container zz is not valid for pod web');
  });
});

describe('kubeletAddress', () => {
  const node = (addresses: { type: string; address: string }[], port?: number): Node => ({
    kind: 'Node',
    metadata: { name: 'n1' },
    status: { addresses, ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
  });
  it('prefers the InternalIP', () => {
    expect(kubeletAddress(node([{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '172.17.0.1' }], 10250))).toBe('172.17.0.1:10250');
    expect(kubeletAddress(node([], 10250))).toBe('127.0.0.1:10250');
  });
  it('refuses a node without an endpoint', () => {
    expect(() => kubeletAddress(node([], undefined))).toThrow('node n1 publishes no kubelet endpoint');
  });
});
