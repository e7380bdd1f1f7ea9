import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { FakeClock } from '@kubesim/client';
import { FakeRuntime, fakeNodeIndex } from './fake.js';
import type { ContainerConfig } from './runtime.js';

const pod = (uid: string): Pod => ({ metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'img' }] } });
const config: ContainerConfig = { name: 'c', image: 'img', env: {}, memoryLimit: 0, cpuLimitMilli: 0, cpuRequestMilli: 0, ports: [], tty: false, stdin: false, restartCount: 0 };

describe('FakeRuntime', () => {
  it('derives the node index from a trailing number, else a hash', () => {
    expect(fakeNodeIndex('hollow-12')).toBe(12);
    expect(fakeNodeIndex('abc')).toBe(fakeNodeIndex('abc'));
  });

  it('gives deterministic IPs, runs containers after the delay and forgets removed pods', async () => {
    const clock = new FakeClock();
    const rt = new FakeRuntime({ nodeName: 'n-3', startDelayMs: 100, clock });
    const events: string[] = [];
    rt.onPodEvent((uid) => events.push(uid));
    const a = await rt.runSandbox(pod('a'));
    const b = await rt.runSandbox(pod('b'));
    expect([a.ip, b.ip]).toEqual(['10.244.3.2', '10.244.3.3']);
    const ref = { namespace: 'default', name: 'a', uid: 'a' };
    const c = await rt.startContainer(ref, a, config);
    expect(c.state).toBe('created');
    clock.advance(100);
    expect((await rt.podState(ref)).containers[0].state).toBe('running');
    expect(events).toEqual(['a']);
    await rt.stopContainer(c.id);
    await rt.removeContainer(c.id);
    await rt.removeSandbox(a.id);
    expect((await rt.listPods()).has('a')).toBe(false);
    // The freed address is the next one handed out.
    expect((await rt.runSandbox(pod('c'))).ip).toBe('10.244.3.2');
  });
});
