// `kubesim up`, `status` and `down` as a user runs them: real etcd and apiserver
// processes that outlive the `up` command, a context file the other verbs pick up, a
// refused second `up`, a resumed cluster after its processes were killed, and nothing
// left behind by `down`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { alive } from '../support/process.js';
import { runCli } from './harness.js';

interface State {
  apiserver: string;
  processes: { component: string; pid: number; log: string }[];
}


async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('kubesim up / status / down', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-home-'));
  // The test's own cluster home and context file; a developer's ~/.kubesim stays untouched.
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const name = 'e2e';
  // Hollow nodes keep this test about the lifecycle; test/workloads runs Docker nodes.
  const NODES = ['--nodes', '2', '--runtime', 'fake'];
  const stateFile = join(home, 'clusters', name, 'state.json');
  const readState = (): State => JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  let port = 0;
  let pids: number[] = [];

  beforeAll(async () => {
    port = await freePort();
  });

  afterAll(async () => {
    // Whatever happened, leave no process behind.
    if (existsSync(stateFile)) for (const p of readState().processes) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('starts every component as its own process, nodes Ready, and writes the context', async () => {
    const r = await runCli(['up', '--name', name, '--port', String(port), ...NODES], { env, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('starting etcd');
    expect(r.stdout).toContain(`Cluster "${name}" is up`);
    const state = readState();
    expect(state.apiserver).toBe(`127.0.0.1:${port}`);
    expect(state.processes.map((p) => p.component)).toEqual(['etcd', 'apiserver', 'scheduler', 'controller-manager', 'e2e-node-1', 'e2e-node-2']);
    pids = state.processes.map((p) => p.pid);
    for (const p of state.processes) {
      expect(alive(p.pid)).toBe(true);
      expect(r.stdout).toContain(p.log);
    }
    const cfg = JSON.parse(readFileSync(env.KUBESIM_CONFIG, 'utf8'));
    expect(cfg.currentContext).toBe(name);
    expect(cfg.contexts[name].servers).toEqual([`127.0.0.1:${port}`]);

    // Verbs find the cluster through the context alone.
    const ns = await runCli(['get', 'namespaces', '-o', 'name'], { env });
    expect(ns.code).toBe(0);
    expect(ns.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));
    const nodes = await runCli(['get', 'nodes', '--no-headers'], { env });
    expect(nodes.stdout).toMatch(/^e2e-node-1\s+Ready\b/m);
    expect(nodes.stdout).toMatch(/^e2e-node-2\s+Ready\b/m);
  });

  it('shows each process, its pid and health', async () => {
    const r = await runCli(['status', '--name', name], { env });
    expect(r.code).toBe(0);
    for (const pid of pids) expect(r.stdout).toMatch(new RegExp(`\\b${pid}\\s+Running\\b`));
  });

  it('refuses a second up of a running cluster', async () => {
    const r = await runCli(['up', '--name', name, '--port', String(port), ...NODES], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cluster "${name}" is already running`);
    expect(readState().processes.map((p) => p.pid)).toEqual(pids);
  });

  it('resumes a cluster whose processes were killed, with its data', async () => {
    const created = await runCli(['create', 'configmap', 'survivor', '--from-literal=k=v'], { env });
    expect(created.code).toBe(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    for (const pid of pids) expect(await gone(pid, 5000)).toBe(true);

    const st = await runCli(['status', '--name', name], { env });
    expect(st.code).toBe(1);
    expect(st.stdout).toContain('Stopped');

    const r = await runCli(['up', '--name', name, '--port', String(port), ...NODES], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Resuming cluster "${name}"`);
    pids = readState().processes.map((p) => p.pid);
    const cm = await runCli(['get', 'configmap', 'survivor', '-o', 'json'], { env });
    expect(cm.code).toBe(0);
    expect(JSON.parse(cm.stdout).data).toEqual({ k: 'v' });
  });

  it('down stops every process and removes the state, data and context', async () => {
    const r = await runCli(['down', '--name', name], { env, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Deleted cluster "${name}"`);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(home, 'clusters', name))).toBe(false);
    const cfg = JSON.parse(readFileSync(env.KUBESIM_CONFIG, 'utf8'));
    expect(cfg.contexts[name]).toBeUndefined();
    const again = await runCli(['status', '--name', name], { env });
    expect(again.code).toBe(1);
  });
});
