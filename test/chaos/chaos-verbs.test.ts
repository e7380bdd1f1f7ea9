// `kubesim chaos` on a real `kubesim up --nodes 2 --runtime fake --profile fast` cluster
// (hollow nodes: the agent side needs no Docker): node kill/start, pause/resume,
// partition/heal (root: cgroup2 + iptables), kill-leader, and heal --all, each checked on
// the processes and on what the agents write to the API (their Lease renewals).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, waitFor } from '@kubesim/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/harness.js';
import { freePort } from '../support/ports.js';
import { alive } from '../support/process.js';

interface State {
  apiserver: string;
  processes: { component: string; pid: number; log: string }[];
}

const isRoot = process.getuid?.() === 0;

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
}

function chaosRules(cluster: string): string[] {
  const out: string[] = [];
  for (const table of ['filter', 'nat', 'mangle']) {
    try {
      out.push(...execFileSync('iptables', ['-w', '5', '-t', table, '-S'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`kubesim-chaos cluster=${cluster} `)));
    } catch {
      // no iptables here: no rules either
    }
  }
  return out;
}

describe('kubesim chaos', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-chaos-'));
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const name = 'chaos';
  const node = `${name}-node-1`;
  const stateFile = join(home, 'clusters', name, 'state.json');
  const faultsFile = join(home, 'clusters', name, 'faults.json');
  const readState = (): State => JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  const pidOf = (component: string) => readState().processes.find((p) => p.component === component)!.pid;
  const chaos = (...args: string[]) => runCli(['chaos', ...args, '--name', name], { env, timeoutMs: 60_000 });
  const seen = new Set<number>();
  let client: Client;

  const renewTime = async (n: string): Promise<number> => Date.parse((await client.get('leases', 'kube-node-lease', n)).spec?.renewTime ?? '');
  const ready = async (n: string): Promise<boolean> => (await client.get('nodes', '', n)).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  /** Waits until the node's Lease is renewed after `after` (ms since the epoch). */
  const renewedAfter = (n: string, after: number, timeoutMs = 30_000) => waitFor(async () => (await renewTime(n)) > after, { timeoutMs, intervalMs: 200 });

  beforeAll(async () => {
    const port = await freePort();
    const r = await runCli(['up', '--name', name, '--port', String(port), '--nodes', '2', '--runtime', 'fake', '--profile', 'fast'], { env, timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const p of readState().processes) seen.add(p.pid);
    client = new Client({ endpoints: [readState().apiserver], timeoutMs: 5000 });
  });

  afterAll(async () => {
    client?.close();
    // Whatever happened: undo the faults (iptables, cgroups), stop every process, remove the home.
    if (existsSync(stateFile)) {
      await runCli(['chaos', 'heal', '--all', '--name', name], { env, timeoutMs: 60_000 });
      for (const p of readState().processes) seen.add(p.pid);
      await runCli(['down', '--name', name], { env, timeoutMs: 60_000 });
    }
    for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('kills a node agent: the process is gone and its Lease is no longer renewed', async () => {
    const pid = pidOf(node);
    const r = await chaos('node', 'kill', node);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`node "${node}" killed (kubelet pid ${pid}, SIGKILL)`);
    expect(alive(pid)).toBe(false);
    const last = await renewTime(node);
    // The node lifecycle controller declares it NotReady after its grace period (fast: 4 s)
    // without a renewal; the Lease has not moved meanwhile.
    await waitFor(async () => !(await ready(node)), { timeoutMs: 30_000, intervalMs: 200 });
    expect(await renewTime(node)).toBe(last);
    const st = await chaos('status');
    expect(st.stdout).toMatch(new RegExp(`node/${node}\\s+kill\\b`));
    const status = await runCli(['status', '--name', name], { env });
    expect(status.stdout).toContain('Faults in force');
  });

  it('refuses unknown nodes and components, naming the valid ones', async () => {
    const n = await chaos('node', 'kill', 'nope');
    expect(n.code).toBe(1);
    expect(n.stderr).toContain(`no node "nope" in this cluster; nodes: ${name}-node-1, ${name}-node-2`);
    const c = await chaos('kill', 'scheduler');
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('(did you mean scheduler-1?); components: etcd-1, apiserver-1, scheduler-1, controller-manager-1');
  });

  it('starts the node agent again: new pid recorded, Lease renewed again', async () => {
    const before = await renewTime(node);
    const old = pidOf(node);
    const r = await chaos('node', 'start', node);
    expect(r.stderr).toBe('');
    const pid = pidOf(node);
    seen.add(pid);
    expect(pid).not.toBe(old);
    expect(r.stdout).toContain(`node "${node}" started (kubelet pid ${pid}`);
    expect(alive(pid)).toBe(true);
    await renewedAfter(node, before);
    await waitFor(() => ready(node), { timeoutMs: 30_000, intervalMs: 200 });
    expect(existsSync(faultsFile)).toBe(false);
  });

  it('pauses and resumes the node agent (SIGSTOP/SIGCONT)', async () => {
    const pid = pidOf(node);
    const p = await chaos('node', 'pause', node);
    expect(p.stdout).toContain(`node "${node}" paused (kubelet pid ${pid}, SIGSTOP)`);
    expect(procState(pid)).toBe('T');
    const r = await chaos('node', 'resume', node);
    expect(r.stdout).toContain(`node "${node}" resumed (kubelet pid ${pid}, SIGCONT)`);
    expect(['R', 'S', 'D']).toContain(procState(pid));
    const before = Date.now();
    await renewedAfter(node, before);
  });

  it.skipIf(!isRoot)('partitions the node agent from the control plane while it lives, and heals it', async () => {
    const pid = pidOf(node);
    await waitFor(() => ready(node), { timeoutMs: 30_000, intervalMs: 200 });
    const r = await chaos('node', 'partition', node);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`node "${node}" partitioned from the control plane (kubelet pid ${pid} in cgroup kubesim/${name}/${node}`);
    expect(chaosRules(name).length).toBeGreaterThan(0);
    const cut = await renewTime(node);
    await waitFor(async () => !(await ready(node)), { timeoutMs: 30_000, intervalMs: 200 });
    expect(await renewTime(node)).toBe(cut);
    expect(alive(pid)).toBe(true);

    // An agent started again while the partition holds is put back in its cgroup at once.
    expect((await chaos('node', 'kill', node)).code).toBe(0);
    const s = await chaos('node', 'start', node);
    expect(s.stdout).toContain('still under partition');
    const again = pidOf(node);
    seen.add(again);
    expect(readFileSync(`/proc/${again}/cgroup`, 'utf8')).toContain(`0::/kubesim/${name}/${node}`);

    const h = await chaos('node', 'heal', node);
    expect(h.stdout).toContain(`node "${node}" healed (partition removed)`);
    expect(chaosRules(name)).toEqual([]);
    await renewedAfter(node, cut, 60_000);
    await waitFor(() => ready(node), { timeoutMs: 60_000, intervalMs: 200 });
    expect(readFileSync(`/proc/${again}/cgroup`, 'utf8')).not.toContain('kubesim/');
  });

  it.skipIf(!isRoot)('delays the node agent through a proxy and drops a share of its packets; heal removes both', async () => {
    const n2 = `${name}-node-2`;
    const d = await chaos('node', 'delay', n2, '100ms');
    expect(d.stderr).toBe('');
    const proxy = Number(/proxy pid (\d+)/.exec(d.stdout)?.[1]);
    seen.add(proxy);
    expect(alive(proxy)).toBe(true);
    expect(chaosRules(name).some((l) => l.includes('fault=delay') && l.includes('REDIRECT'))).toBe(true);
    const l = await chaos('node', 'loss', n2, '5%');
    expect(l.stdout).toContain(`node "${n2}" losing 5% of its packets to the control plane`);
    expect(chaosRules(name).some((x) => x.includes('fault=loss') && x.includes('statistic'))).toBe(true);
    // Slowed down, not cut off: the agent still renews its Lease (through the proxy).
    await renewedAfter(n2, Date.now());
    const h = await chaos('node', 'heal', n2);
    expect(h.stdout).toContain(`node "${n2}" healed (delay, loss removed)`);
    expect(chaosRules(name)).toEqual([]);
    await waitFor(() => !alive(proxy), { timeoutMs: 5000, intervalMs: 50 });
    await renewedAfter(n2, Date.now());
  });

  it('kills the scheduler leader: the Lease holder pid', async () => {
    const holder = (await client.get('leases', 'kube-system', 'kube-scheduler')).spec?.holderIdentity ?? '';
    const pid = Number(holder.split('_').at(-2));
    expect(pid).toBe(pidOf('scheduler'));
    const r = await chaos('kill-leader', 'scheduler');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`scheduler leader scheduler-1 killed (holder "${holder}", pid ${pid}, SIGKILL)`);
    expect(alive(pid)).toBe(false);
  });

  it('heal --all undoes every fault in force and starts what was killed', async () => {
    const sched = pidOf('scheduler');
    const pid2 = pidOf(`${name}-node-2`);
    expect((await chaos('node', 'pause', `${name}-node-2`)).code).toBe(0);
    if (isRoot) expect((await chaos('node', 'partition', node)).code).toBe(0);
    expect(existsSync(faultsFile)).toBe(true);

    const r = await chaos('heal', '--all');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`node "${name}-node-2" resumed (pid ${pid2}, SIGCONT)`);
    expect(r.stdout).toMatch(/component "scheduler-1" started \(pid \d+\)/);
    if (isRoot) expect(r.stdout).toContain(`node "${node}" healed of partition`);
    expect(existsSync(faultsFile)).toBe(false);
    expect(chaosRules(name)).toEqual([]);
    expect(existsSync(`/sys/fs/cgroup/unified/kubesim/${name}`)).toBe(false);
    expect(['R', 'S', 'D']).toContain(procState(pid2));
    const newSched = pidOf('scheduler');
    seen.add(newSched);
    expect(newSched).not.toBe(sched);
    expect(alive(newSched)).toBe(true);
    const st = await chaos('status');
    expect(st.stdout).toContain(`no faults in force in cluster "${name}"`);
  });
});
