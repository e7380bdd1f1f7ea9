// The node agent end to end: real etcd, the apiserver and `kubesim node` as separate
// processes, and real Docker. Pods are created with spec.nodeName set (no scheduler).
// Traffic goes only to the pods' IPs on Docker's bridge (containers this test made).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type Container, type Lease, type Node, type Pod } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { buildImages, containersWith, docker, podReady, removeContainersWith, startAgent, waitForPod, type AgentProcess } from './support.js';

const NODE = `e2e-kl-${randomBytes(3).toString('hex')}`;
const FAKE_NODE = `${NODE}-fake-7`;
const NS = 'default';

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let agent: AgentProcess;
let fakeAgent: AgentProcess | undefined;

function pod(name: string, containers: Container[], extra: Partial<Pod['spec']> = {}, node = NODE): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { test: 'kubelet' } },
    spec: { nodeName: node, terminationGracePeriodSeconds: 2, containers, ...extra },
  };
}

const hostname: Container = { name: 'web', image: 'kubesim/hostname:latest', imagePullPolicy: 'Never', ports: [{ name: 'http', containerPort: 80 }] };

function nodeReady(n: Node | undefined): boolean {
  return n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function startDockerAgent(): AgentProcess {
  return startAgent(api.endpoint, ['--name', NODE, '--runtime', 'docker', '--node-status-update-frequency', '2', '--node-lease-duration', '8']);
}

beforeAll(async () => {
  await buildImages();
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  agent = startDockerAgent();
});

afterAll(async () => {
  await agent?.kill('SIGTERM');
  await fakeAgent?.kill('SIGTERM');
  client?.close();
  await api?.stop();
  await etcd?.stop();
  await removeContainersWith(`kubesim.node=${NODE}`);
});

describe('node agent (docker runtime)', () => {
  it('registers its Node, which becomes Ready, and renews its Lease', async () => {
    let node: Node | undefined;
    await waitFor(
      async () => {
        node = await client.get('nodes', '', NODE).catch(() => undefined);
        return nodeReady(node);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `node ${NODE} Ready (agent output: ${agent.output().slice(-2000)})` },
    );
    expect(node!.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': NODE, 'kubernetes.io/os': 'linux' });
    expect(node!.status?.capacity).toMatchObject({ cpu: '2', memory: '4Gi', pods: '110' });
    expect(node!.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^docker:\/\//);
    expect(node!.status?.nodeInfo?.kubeletVersion).toBe('v1.32.0-kubesim');
    const ready = node!.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    expect(node!.status?.addresses?.map((a) => a.type)).toEqual(['InternalIP', 'Hostname']);

    let first: Lease | undefined;
    await waitFor(async () => (first = await client.get('leases', 'kube-node-lease', NODE).catch(() => undefined)), { timeoutMs: 10_000, intervalMs: 100, what: 'node lease' });
    const lease = first!;
    expect(lease.spec?.holderIdentity).toBe(NODE);
    await waitFor(async () => (await client.get('leases', 'kube-node-lease', NODE)).spec?.renewTime !== lease.spec?.renewTime, { timeoutMs: 10_000, intervalMs: 200, what: 'lease renewal' });
  });

  it('runs a pod: sandbox and app containers with labels, Running/Ready with a pod IP that answers HTTP', async () => {
    await client.create(pod('web-1', [{ ...hostname, readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }]));
    const p = await waitForPod(client, NS, 'web-1', podReady, 'Running and Ready');
    const uid = p.metadata!.uid!;
    expect(p.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status?.qosClass).toBe('BestEffort');
    const cs = p.status?.containerStatuses?.[0];
    expect(cs).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0 });
    expect(cs?.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
    expect(cs?.state?.running?.startedAt).toBeTruthy();

    const cts = await containersWith({ 'kubesim.pod.uid': uid });
    expect(cts.map((c) => c.labels['kubesim.role']).sort()).toEqual(['app', 'sandbox']);
    for (const c of cts) {
      expect(c.state).toBe('running');
      expect(c.labels).toMatchObject({ 'kubesim.node': NODE, 'kubesim.pod.namespace': NS, 'kubesim.pod.name': 'web-1', 'kubesim.restart-count': '0' });
    }
    const app = cts.find((c) => c.labels['kubesim.role'] === 'app')!;
    expect(app.labels['kubesim.container.name']).toBe('web');
    expect(cs?.containerID).toBe(`docker://${app.id}`);

    const res = await fetch(`http://${p.status!.podIP}:80/any/path`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('web-1\n');
  });

  it('gives the containers of a pod one localhost', async () => {
    const sidecar: Container = {
      name: 'sidecar',
      image: 'kubesim/hostname:latest',
      imagePullPolicy: 'Never',
      command: ['sh', '-c', 'sleep 3600'],
      readinessProbe: { exec: { command: ['sh', '-c', 'wget -qO- http://localhost:80/ | grep -qx duo'] }, periodSeconds: 1 },
    };
    await client.create(pod('duo', [hostname, sidecar]));
    const p = await waitForPod(client, NS, 'duo', podReady, 'Ready (the sidecar reached localhost:80)');
    const side = p.status!.containerStatuses!.find((c) => c.name === 'sidecar')!;
    const out = await docker('exec', side.containerID!.replace('docker://', ''), 'wget', '-qO-', 'http://localhost:80/');
    expect(out).toBe('duo');
  });

  it('restarts a crashing container with back-off (CrashLoopBackOff)', async () => {
    await client.create(pod('crash', [{ name: 'boom', image: 'kubesim/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'echo bye; exit 3'] }]));
    const p = await waitForPod(client, NS, 'crash', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'CrashLoopBackOff');
    const cs = p.status!.containerStatuses![0];
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(p.status?.phase).toBe('Running');
    await waitForPod(client, NS, 'crash', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2, 'restartCount >= 2', 40_000);
    // Only the current and the previous instance are kept.
    const apps = await containersWith({ 'kubesim.pod.uid': p.metadata!.uid!, 'kubesim.role': 'app' });
    expect(apps.length).toBeLessThanOrEqual(2);
  });

  it('restarts a container whose liveness probe fails (Unhealthy, Killing)', async () => {
    await client.create(pod('sick', [{ ...hostname, livenessProbe: { tcpSocket: { port: 81 }, periodSeconds: 1, failureThreshold: 2 } }]));
    const p = await waitForPod(client, NS, 'sick', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'restarted once', 30_000);
    expect(p.status?.containerStatuses?.[0]?.lastState?.terminated).toBeTruthy();
    const events = (await client.list('events', { namespace: NS })).items.filter((e) => e.involvedObject?.name === 'sick');
    expect(events.some((e) => e.reason === 'Unhealthy' && /^Liveness probe failed: /.test(e.message ?? ''))).toBe(true);
    expect(events.some((e) => e.reason === 'Killing' && e.message === 'Container web failed liveness probe, will be restarted')).toBe(true);
  });

  it('reports ErrImagePull, then ImagePullBackOff, for an image that is nowhere', async () => {
    await client.create(pod('noimage', [{ name: 'c', image: 'kubesim/does-not-exist:v1', imagePullPolicy: 'IfNotPresent' }]));
    // ErrImagePull shows for a moment only (the next sync is in back-off): the events keep it.
    const p = await waitForPod(client, NS, 'noimage', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 'ImagePullBackOff', 30_000);
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('Back-off pulling image "kubesim/does-not-exist:v1"');
    await waitFor(
      async () => {
        const events = (await client.list('events', { namespace: NS })).items.filter((e) => e.involvedObject?.name === 'noimage' && e.source?.host === NODE);
        return events.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull') && events.some((e) => e.reason === 'BackOff');
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'ErrImagePull and BackOff events' },
    );
  });

  it('stops and removes the containers of a deleted pod, then the pod is gone', async () => {
    const p = await client.get('pods', NS, 'web-1');
    await client.delete('pods', NS, 'web-1');
    await waitFor(
      async () => {
        try {
          await client.get('pods', NS, 'web-1');
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'pod web-1 gone' },
    );
    expect(await containersWith({ 'kubesim.pod.uid': p.metadata!.uid! })).toEqual([]);
  });

  it('survives SIGKILL: a restarted agent adopts running containers and removes orphans', async () => {
    await client.create(pod('keep', [hostname]));
    const before = await waitForPod(client, NS, 'keep', podReady, 'Ready');
    const uid = before.metadata!.uid!;
    const idsBefore = (await containersWith({ 'kubesim.pod.uid': uid })).map((c) => c.id).sort();

    await agent.kill('SIGKILL');
    // A container of this node that no pod owns, as a crash mid-cleanup leaves behind.
    await docker('run', '-d', '--label', `kubesim.node=${NODE}`, '--label', 'kubesim.pod.uid=orphan-uid', '--label', 'kubesim.pod.name=ghost', '--label', 'kubesim.pod.namespace=default', '--label', 'kubesim.role=sandbox', 'kubesim/pause:latest');
    agent = startDockerAgent();

    // A new pod runs: the new agent is up and past adoption.
    await client.create(pod('after', [hostname]));
    await waitForPod(client, NS, 'after', podReady, 'Ready after the agent restart');
    await waitFor(async () => (await containersWith({ 'kubesim.pod.uid': 'orphan-uid' })).length === 0, { timeoutMs: 15_000, intervalMs: 200, what: 'orphan removed' });

    const after = await containersWith({ 'kubesim.pod.uid': uid });
    expect(after.map((c) => c.id).sort()).toEqual(idsBefore);
    expect(after.every((c) => c.state === 'running')).toBe(true);
    const p = await client.get('pods', NS, 'keep');
    expect(p.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(podReady(p)).toBe(true);
  });
});

describe('node agent (fake runtime)', () => {
  it('runs pods to Running with a fake pod IP', async () => {
    fakeAgent = startAgent(api.endpoint, ['--name', FAKE_NODE, '--runtime', 'fake', '--fake-start-delay', '200']);
    await waitFor(async () => nodeReady(await client.get('nodes', '', FAKE_NODE).catch(() => undefined)), { timeoutMs: 30_000, intervalMs: 200, what: 'fake node Ready' });
    await client.create(pod('hollow', [{ name: 'c', image: 'nginx:1.25' }], {}, FAKE_NODE));
    const p = await waitForPod(client, NS, 'hollow', podReady, 'Running and Ready');
    expect(p.status?.podIP).toMatch(/^10\.244\.7\.\d+$/);
    expect(p.status?.containerStatuses?.[0]?.containerID).toMatch(/^fake:\/\//);
    const fakeNode = await client.get('nodes', '', FAKE_NODE);
    expect(fakeNode.status?.nodeInfo?.containerRuntimeVersion).toBe('fake://0.1.0');
    await client.delete('pods', NS, 'hollow');
    await waitFor(async () => client.get('pods', NS, 'hollow').then(() => false, isNotFound), { timeoutMs: 15_000, intervalMs: 200, what: 'hollow pod gone' });
  });
});
