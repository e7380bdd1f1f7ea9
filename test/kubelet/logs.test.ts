// `kubesim logs` end to end: the CLI asks the apiserver, which proxies to the NodeService
// of the `kubesim node` process running the pod in real Docker. One agent, three pods.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Node, Pod } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { runCli } from '../cli/harness.js';
import { buildImages, docker, removeContainersWith, spawnCli, startAgent, waitForPod, type AgentProcess, type StreamingCli } from './support.js';

const NODE = `e2e-logs-${randomBytes(3).toString('hex')}`;
const NS = 'default';

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let agent: AgentProcess;
let env: NodeJS.ProcessEnv;
const streams: StreamingCli[] = [];

function busybox(name: string, script: string): Container {
  return { name, image: 'kubesim/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', script] };
}

function pod(name: string, containers: Container[], restartPolicy = 'Always'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, restartPolicy, containers } };
}

const kubesim = (...args: string[]) => runCli(args, { env });

// Container a: a line on stderr, three on stdout, then one more once /go-on exists (for -f).
const A_SCRIPT = 'echo err-0 >&2; usleep 200000; echo line-1; echo line-2; echo line-3; while [ ! -f /go-on ]; do usleep 100000; done; echo after-follow; exec sleep 3600';

function running(p: Pod): boolean {
  return (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((c) => c.state?.running);
}

beforeAll(async () => {
  await buildImages();
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  env = { KUBESIM_SERVER: api.endpoint, KUBESIM_CONFIG: '/nonexistent/kubesim-config.json' };
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  agent = startAgent(api.endpoint, ['--name', NODE, '--runtime', 'docker', '--node-status-update-frequency', '2']);
  await waitFor(async () => !!(await client.get('nodes', '', NODE).catch(() => undefined)), { timeoutMs: 30_000, intervalMs: 200, what: `node ${NODE} registered (${agent.output().slice(-1000)})` });
  await client.create(pod('two', [busybox('a', A_SCRIPT), busybox('b', 'echo from-b; exec sleep 3600')]));
  await client.create(pod('crash', [busybox('c', 'echo crashed-once; exit 1')]));
  await client.create(pod('noimage', [{ name: 'c', image: 'kubesim/absent:none', imagePullPolicy: 'Never' }]));
}, 120_000);

afterAll(async () => {
  for (const s of streams) await s.kill();
  await agent?.kill('SIGTERM');
  client?.close();
  await api?.stop();
  await etcd?.stop();
  await removeContainersWith(`kubesim.node=${NODE}`);
});

describe('kubesim logs', () => {
  it('the Node publishes the NodeService port and an InternalIP', async () => {
    const node: Node = await client.get('nodes', '', NODE);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    expect(node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('prints a container (stdout and stderr demultiplexed), with -c for a two-container pod', async () => {
    await waitForPod(client, NS, 'two', running, 'both containers running');
    const none = await kubesim('logs', 'two');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('a container name must be specified for pod two, choose one of: [a b]');

    expect(await kubesim('logs', 'two', '-c', 'b')).toMatchObject({ code: 0, stdout: 'from-b\n' });
    let out = '';
    await waitFor(async () => (out = (await kubesim('logs', 'two', '-c', 'a')).stdout).includes('line-3'), { timeoutMs: 10_000, intervalMs: 200, what: 'line-3 logged' });
    expect(out).toBe('err-0\nline-1\nline-2\nline-3\n');
  });

  it('honours --tail and --timestamps', async () => {
    expect(await kubesim('logs', 'two', '-c', 'a', '--tail', '2')).toMatchObject({ code: 0, stdout: 'line-2\nline-3\n' });
    const ts = await kubesim('logs', 'two', '-c', 'a', '--tail', '1', '--timestamps');
    expect(ts.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line-3\n$/);
  });

  it('-f streams a line written after the call started', async () => {
    const f = spawnCli(['logs', 'two', '-c', 'a', '-f'], env);
    streams.push(f);
    await waitFor(() => f.stdout().includes('line-3'), { timeoutMs: 10_000, intervalMs: 100, what: `logs -f printed the old lines (${f.stderr()})` });
    expect(f.stdout()).not.toContain('after-follow');
    const p: Pod = await client.get('pods', NS, 'two');
    const id = p.status!.containerStatuses!.find((c) => c.name === 'a')!.containerID!.replace('docker://', '');
    await docker('exec', id, 'touch', '/go-on');
    await waitFor(() => f.stdout().includes('after-follow\n'), { timeoutMs: 10_000, intervalMs: 100, what: `logs -f printed the new line (${f.stderr()})` });
    expect(f.proc.exitCode).toBeNull();
    await f.kill();
  });

  it('--previous prints the terminated instance of a restarted container, and errors when there is none', async () => {
    await waitForPod(client, NS, 'crash', (p) => !!p.status?.containerStatuses?.[0]?.lastState?.terminated?.containerID, 'a terminated instance', 60_000);
    expect(await kubesim('logs', 'crash', '--previous')).toMatchObject({ code: 0, stdout: 'crashed-once\n' });
    const none = await kubesim('logs', 'two', '-c', 'b', '--previous');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('Error from server (BadRequest): previous terminated container "b" in pod "two" not found');
  });

  it('says a container that never started is waiting to start', async () => {
    await waitForPod(client, NS, 'noimage', (p) => !!p.status?.containerStatuses?.[0]?.state?.waiting, 'waiting');
    const r = await kubesim('logs', 'noimage');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Error from server \(BadRequest\): container "c" in pod "noimage" is waiting to start: \w+/);
  });
});
