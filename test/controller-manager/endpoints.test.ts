// The Endpoints controller against a real apiserver, with the controller-manager as its
// own process (only the endpoint controller runs). No kubelet runs: the test plays the
// node agent's part by writing pod status (Running, podIP, Ready condition) through
// updateStatus, as a kubelet would report it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointAddress, Endpoints, Pod, Service } from '@kubesim/api';
import { isNotFound } from '@kubesim/api';
import { eventually, startControlPlane, type ControlPlane } from './harness.js';

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
  cp.startControllerManager(['--controllers=endpoint']);
});

afterAll(async () => {
  await cp?.stop();
});

function service(name: string, selector: Record<string, string> | undefined, targetPort: number | string = 'http'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { selector, ports: [{ name: 'web', port: 80, targetPort, protocol: 'TCP' }] },
  };
}

async function createPod(name: string, labels: Record<string, string>, node = 'node-a'): Promise<Pod> {
  return cp.client.create<Pod>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
  });
}

/** The node agent's part: the pod runs at `ip`, ready or not. */
async function reportStatus(name: string, ip: string, ready: boolean): Promise<void> {
  const pod = await cp.client.get('pods', 'default', name);
  pod.status = {
    ...pod.status,
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
  };
  await cp.client.updateStatus(pod);
}

async function getEndpoints(name: string): Promise<Endpoints | undefined> {
  try {
    return await cp.client.get('endpoints', 'default', name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const ipsOf = (as: EndpointAddress[] | undefined) => (as ?? []).map((a) => a.ip);
const ready = (ep: Endpoints | undefined) => (ep?.subsets ?? []).flatMap((s) => ipsOf(s.addresses));
const notReady = (ep: Endpoints | undefined) => (ep?.subsets ?? []).flatMap((s) => ipsOf(s.notReadyAddresses));
const same = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);

describe('Endpoints controller', () => {
  it('follows the pods a Service selects: readiness, deletion, relabeling, and the Service itself', async () => {
    const pods = await Promise.all(['web-1', 'web-2', 'web-3'].map((n) => createPod(n, { app: 'web' })));
    await createPod('other', { app: 'other' });
    await Promise.all([reportStatus('web-1', '10.244.1.11', true), reportStatus('web-2', '10.244.1.12', true), reportStatus('web-3', '10.244.1.13', true), reportStatus('other', '10.244.1.99', true)]);
    await cp.client.create(service('web', { app: 'web' }));

    const ep = await eventually('3 ready addresses', async () => {
      const e = await getEndpoints('web');
      return same(ready(e), ['10.244.1.11', '10.244.1.12', '10.244.1.13']) && e;
    });
    expect(ep.subsets).toHaveLength(1);
    // targetPort "http" is the pods' named containerPort 8080.
    expect(ep.subsets?.[0].ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets?.[0].notReadyAddresses ?? []).toEqual([]);
    const first = ep.subsets?.[0].addresses?.[0];
    expect(first?.nodeName).toBe('node-a');
    expect(first?.targetRef).toMatchObject({ kind: 'Pod', namespace: 'default', name: 'web-1', uid: pods[0].metadata?.uid });

    // web-2 turns not ready: it moves to notReadyAddresses.
    await reportStatus('web-2', '10.244.1.12', false);
    await eventually('web-2 not ready', async () => {
      const e = await getEndpoints('web');
      return same(ready(e), ['10.244.1.11', '10.244.1.13']) && same(notReady(e), ['10.244.1.12']);
    });

    // web-3 deleted: bound to a node, it first turns terminating (and leaves at once), then
    // the node agent's final delete removes it.
    await cp.client.delete('pods', 'default', 'web-3');
    await eventually('terminating web-3 gone from Endpoints', async () => same(ready(await getEndpoints('web')), ['10.244.1.11']));
    await cp.client.delete('pods', 'default', 'web-3', { gracePeriodSeconds: 0 });

    // web-1 relabeled: no longer selected.
    await cp.client.patch('pods', 'default', 'web-1', { metadata: { labels: { app: 'moved' } } });
    await eventually('web-1 left', async () => {
      const e = await getEndpoints('web');
      return ready(e).length === 0 && same(notReady(e), ['10.244.1.12']);
    });
    // And back: it returns.
    await cp.client.patch('pods', 'default', 'web-1', { metadata: { labels: { app: 'web' } } });
    await eventually('web-1 back', async () => same(ready(await getEndpoints('web')), ['10.244.1.11']));

    // A hand edit of managed Endpoints is put right.
    const current = (await getEndpoints('web'))!;
    await cp.client.update({ ...current, subsets: [{ addresses: [{ ip: '10.9.9.9' }], ports: [{ port: 1 }] }] });
    await eventually('hand edit reverted', async () => same(ready(await getEndpoints('web')), ['10.244.1.11']));

    // The Service goes: its Endpoints go too.
    await cp.client.delete('services', 'default', 'web');
    await eventually('Endpoints deleted', async () => (await getEndpoints('web')) === undefined);
  });

  it('uses a numbered targetPort as is', async () => {
    await createPod('num-1', { app: 'num' });
    await reportStatus('num-1', '10.244.2.11', true);
    await cp.client.create(service('num', { app: 'num' }, 9376));
    const ep = await eventually('endpoints of num', async () => {
      const e = await getEndpoints('num');
      return ready(e).length === 1 && e;
    });
    expect(ep.subsets?.[0].ports).toEqual([{ name: 'web', port: 9376, protocol: 'TCP' }]);
  });

  it('leaves the hand-written Endpoints of a Service without selector alone', async () => {
    await cp.client.create(service('external', undefined, 9376));
    const handWritten: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external', namespace: 'default', labels: { by: 'hand' } },
      subsets: [{ addresses: [{ ip: '192.0.2.42' }], ports: [{ name: 'web', port: 9376, protocol: 'TCP' }] }],
    };
    const written = await cp.client.create(handWritten);
    // No event to wait for proves a non-write, so: a later Service with a selector gets
    // its Endpoints; by then the controller has long handled the selector-less one (the
    // queue is FIFO), and its hand-written Endpoints must be untouched.
    await createPod('bystander', { app: 'bystander' });
    await reportStatus('bystander', '10.244.3.11', true);
    await cp.client.create(service('marker', { app: 'bystander' }));
    await eventually('marker endpoints', async () => ready(await getEndpoints('marker')).length === 1);
    const after = await getEndpoints('external');
    expect(after?.metadata?.resourceVersion).toBe(written.metadata?.resourceVersion);
    expect(after?.subsets).toEqual(handWritten.subsets);
    expect(after?.metadata?.labels).toEqual({ by: 'hand' });
  });
});
