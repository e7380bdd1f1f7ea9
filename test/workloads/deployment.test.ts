// The workloads story end to end, as a user lives it: `kubesim up --nodes 3` (every
// component its own process, node agents on the real Docker engine), the seeds'
// Deployment with the local demo image, healing, scaling, a rolling update sampled for
// availability, rollbacks, an unschedulable pod, a node agent killed and restarted,
// and `kubesim down` leaving nothing behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { freePort } from '../support/ports.js';
import { alive } from '../support/process.js';
import { CLI, runCli } from '../cli/harness.js';
import { until } from '../support/until.js';

const exec = promisify(execFile);
const NAME = 'wl';
const NODES = ['wl-node-1', 'wl-node-2', 'wl-node-3'];

interface State {
  apiserver: string;
  processes: { component: string; pid: number; args: string[]; log: string }[];
}


/** App containers (not sandboxes) of this cluster's nodes, as Docker sees them. */
async function dockerApps(opts: { all?: boolean } = {}): Promise<{ id: string; pod: string; state: string }[]> {
  const out: { id: string; pod: string; state: string }[] = [];
  for (const n of NODES) {
    const { stdout } = await exec('docker', ['ps', ...(opts.all ? ['-a'] : []), '--filter', `label=kubesim.node=${n}`, '--filter', 'label=kubesim.role=app', '--format', '{{.ID}} {{.Label "kubesim.pod.name"}} {{.State}}']);
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [id, pod, state] = line.split(' ');
      out.push({ id, pod, state });
    }
  }
  return out;
}

/** Every container (sandboxes too, running or not) of this cluster's nodes. */
async function nodeContainers(): Promise<string[]> {
  const ids: string[] = [];
  // Several label filters AND together in Docker, so ask per node.
  for (const n of NODES) ids.push(...(await exec('docker', ['ps', '-aq', '--filter', `label=kubesim.node=${n}`])).stdout.split('\n').filter(Boolean));
  return ids;
}

const isReady = (p: Pod) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('workloads on a 3-node Docker cluster', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-wl-'));
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const kubesim = (args: string[], timeoutMs = 60_000) => runCli(args, { env, timeoutMs });
  let client: Client;
  let state: State;
  let restartedAgent: ChildProcess | undefined;

  const pods = async (selector = 'app=web') => (await client.list('pods', { namespace: 'default', labelSelector: selector })).items;
  const readyPods = async (selector?: string) => (await pods(selector)).filter(isReady);

  beforeAll(async () => {
    // A second tag of the demo image, so `set image` has something real to roll to.
    await exec('docker', ['tag', 'kubesim/hostname:latest', 'kubesim/hostname:v2']);
    const port = await freePort();
    const r = await kubesim(['up', '--name', NAME, '--nodes', '3', '--port', String(port)], 90_000);
    if (r.code !== 0) throw new Error(`kubesim up failed: ${r.stderr}\n${r.stdout}`);
    state = JSON.parse(readFileSync(join(home, 'clusters', NAME, 'state.json'), 'utf8')) as State;
    client = new Client({ endpoints: [state.apiserver] });
  }, 120_000);

  afterAll(async () => {
    client?.close();
    if (restartedAgent && restartedAgent.exitCode === null) restartedAgent.kill('SIGKILL');
    if (existsSync(join(home, 'clusters', NAME))) await kubesim(['down', '--name', NAME]);
    // Whatever a failed test left: no container of these nodes survives the file.
    const ids = await nodeContainers();
    if (ids.length) await exec('docker', ['rm', '-f', ...ids]);
    await exec('docker', ['rmi', 'kubesim/hostname:v2']).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('runs the Deployment as 3 real containers spread over the nodes; docker agrees with the API', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: kubesim/hostname:latest
        imagePullPolicy: IfNotPresent
        ports:
        - {name: http, containerPort: 80}
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
`;
    const applied = await runCli(['apply', '-f', '-'], { env, stdin: manifest });
    expect(applied.stdout).toBe('deployment.apps/web created\n');
    const running = await until('3 ready pods', async () => {
      const r = await readyPods();
      return r.length === 3 ? r : undefined;
    });
    const nodes = new Set(running.map((p) => p.spec?.nodeName));
    expect(nodes.size).toBeGreaterThanOrEqual(2);
    for (const p of running) expect(NODES).toContain(p.spec?.nodeName);
    const apps = await dockerApps();
    expect(apps.map((a) => a.pod).sort()).toEqual(running.map((p) => p.metadata?.name).sort());
    // The demo image really serves: ask one pod (on the Docker bridge the project's container got).
    const ip = running[0].status?.podIP;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const res = await fetch(`http://${ip}/anything`, { signal: AbortSignal.timeout(5000) });
    expect((await res.text()).trim()).toBe(running[0].metadata?.name);
  });

  it('replaces a deleted pod, and restarts a container killed behind its back', async () => {
    const [victim] = await readyPods();
    await client.delete('pods', 'default', victim.metadata!.name!);
    await until('a replacement pod, 3 ready', async () => {
      const r = await readyPods();
      return r.length === 3 && !r.some((p) => p.metadata?.uid === victim.metadata?.uid) ? r : undefined;
    });
    await until('the deleted pod gone from the API and Docker', async () => {
      const left = (await pods()).some((p) => p.metadata?.uid === victim.metadata?.uid);
      return !left && !(await dockerApps({ all: true })).some((a) => a.pod === victim.metadata?.name);
    });

    const [target] = await readyPods();
    const container = (await dockerApps()).find((a) => a.pod === target.metadata?.name)!;
    await exec('docker', ['kill', container.id]);
    const back = await until('the killed container restarted and ready', async () => {
      const p = await client.get('pods', 'default', target.metadata!.name!);
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && isReady(p) ? p : undefined;
    });
    expect(back.metadata?.uid).toBe(target.metadata?.uid);
    expect((await readyPods()).length).toBe(3);
  });

  it('scales 3 -> 6 -> 2', async () => {
    for (const n of [6, 2]) {
      const r = await kubesim(['scale', 'deployment/web', `--replicas=${n}`]);
      expect(r.stdout).toBe('deployment.apps/web scaled\n');
      await until(`${n} ready pods and ${n} running containers`, async () => {
        const ready = await readyPods();
        const all = await pods();
        const running = (await dockerApps()).filter((a) => a.state === 'running');
        return ready.length === n && all.length === n && running.length === n;
      });
    }
  });

  it('rolls out a new image without dropping below what maxUnavailable allows, and rolls back', async () => {
    expect((await kubesim(['scale', 'deployment/web', '--replicas=4'])).code).toBe(0);
    await until('4 ready', async () => (await readyPods()).length === 4);
    const r = await kubesim(['set', 'image', 'deployment/web', 'web=kubesim/hostname:v2']);
    expect(r.stdout).toBe('deployment.apps/web image updated\n');
    // Sample availability through the whole rollout: 4 replicas, maxUnavailable 1.
    let minReady = Infinity;
    await until(
      'the rollout to v2',
      async () => {
        const all = await pods();
        const ready = all.filter(isReady);
        minReady = Math.min(minReady, ready.length);
        return all.length === 4 && ready.length === 4 && ready.every((p) => p.spec?.containers?.[0]?.image === 'kubesim/hostname:v2');
      },
      90_000,
    );
    expect(minReady).toBeGreaterThanOrEqual(3);
    const status = await kubesim(['rollout', 'status', 'deployment/web', '--timeout', '60s']);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');

    const undo = await kubesim(['rollout', 'undo', 'deployment/web']);
    expect(undo.stdout).toBe('deployment.apps/web rolled back\n');
    await until('back on the first image', async () => {
      const ready = await readyPods();
      return ready.length === 4 && (await pods()).length === 4 && ready.every((p) => p.spec?.containers?.[0]?.image === 'kubesim/hostname:latest');
    }, 90_000);

    const history = await kubesim(['rollout', 'history', 'deployment/web']);
    expect(history.stdout).toMatch(/^2\s+/m);
    expect(history.stdout).toMatch(/^3\s+/m);
    const to2 = await kubesim(['rollout', 'undo', 'deployment/web', '--to-revision=2']);
    expect(to2.stdout).toBe('deployment.apps/web rolled back\n');
    await until('on v2 again', async () => {
      const ready = await readyPods();
      return ready.length === 4 && (await pods()).length === 4 && ready.every((p) => p.spec?.containers?.[0]?.image === 'kubesim/hostname:v2');
    }, 90_000);
  });

  it('keeps a pod that fits nowhere Pending, with the scheduler saying why', async () => {
    const r = await runCli(['apply', '-f', '-'], {
      env,
      stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: greedy}\nspec:\n  containers:\n  - {name: c, image: kubesim/pause:latest, resources: {requests: {cpu: "64"}}}\n',
    });
    expect(r.code).toBe(0);
    const ev = await until('a FailedScheduling event', async () => {
      const evs = (await client.list('events', { namespace: 'default', fieldSelector: 'involvedObject.name=greedy' })).items as Event[];
      return evs.find((e) => e.reason === 'FailedScheduling');
    });
    expect(ev.message).toBe('0/3 nodes are available: 3 Insufficient cpu.');
    const p = await client.get('pods', 'default', 'greedy');
    expect(p.status?.phase).toBe('Pending');
    expect(p.spec?.nodeName ?? '').toBe('');
    const described = await kubesim(['describe', 'pod', 'greedy']);
    expect(described.stdout).toContain('FailedScheduling');
    await client.delete('pods', 'default', 'greedy');
  });

  it('survives a SIGKILLed node agent: same containers after it restarts, no duplicates, no orphans', async () => {
    const before = await dockerApps();
    const agent = state.processes.find((p) => p.component === 'wl-node-1')!;
    const mine = (await pods()).filter((p) => p.spec?.nodeName === 'wl-node-1').map((p) => p.metadata?.name);
    process.kill(agent.pid, 'SIGKILL');
    await until('the agent gone', async () => !alive(agent.pid));
    restartedAgent = spawn(process.execPath, [CLI, ...agent.args, '--server', state.apiserver], { stdio: 'ignore', env: { ...process.env, ...env } });
    // The restarted agent has caught up once it posts status again; then compare.
    const since = Date.now();
    await until('the restarted agent heartbeating', async () => {
      const lease = await client.get('leases', 'kube-node-lease', 'wl-node-1');
      return Date.parse(lease.spec?.renewTime ?? '') >= since - 1000;
    });
    await until('every pod still ready', async () => (await readyPods()).length === 4);
    const after = await dockerApps();
    expect(after.map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
    const onNode1 = after.filter((a) => mine.includes(a.pod));
    expect(new Set(onNode1.map((a) => a.pod)).size).toBe(onNode1.length);
    const pods1 = (await pods()).filter((p) => p.spec?.nodeName === 'wl-node-1');
    for (const p of pods1) expect(p.status?.containerStatuses?.[0]?.restartCount ?? 0).toBeLessThanOrEqual(1);
  });

  it('kubesim down leaves no process and no container behind', async () => {
    if (restartedAgent && restartedAgent.exitCode === null) {
      restartedAgent.kill('SIGTERM');
      await until('the restarted agent stopped', async () => restartedAgent!.exitCode !== null || restartedAgent!.signalCode !== null);
    }
    const r = await kubesim(['down', '--name', NAME]);
    expect(r.code).toBe(0);
    for (const p of state.processes) expect(alive(p.pid)).toBe(false);
    expect(await dockerApps({ all: true })).toEqual([]);
    expect(await nodeContainers()).toEqual([]);
  });
});
