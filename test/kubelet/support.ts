// Helpers for the node agent's end-to-end tests: the agent as its own process
// (`kubesim node`), docker CLI queries by label, and pod waits.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Pod } from '@kubesim/api';
import type { Client } from '@kubesim/client';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AgentProcess {
  proc: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startAgent(server: string, args: string[]): AgentProcess {
  const proc = spawn(process.execPath, [CLI, 'node', '--server', server, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'info' },
  });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-50_000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    proc,
    output: () => out,
    kill: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill(signal);
      await exited;
    },
  };
}

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 10 * 1024 * 1024 });
  return stdout.trim();
}

export interface DockerContainer {
  id: string;
  labels: Record<string, string>;
  state: string;
}

/** Containers (all states) carrying every given label. */
export async function containersWith(labels: Record<string, string>): Promise<DockerContainer[]> {
  const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const ids = (await docker('ps', '-aq', '--no-trunc', ...filters)).split('\n').filter(Boolean);
  if (!ids.length) return [];
  const info = JSON.parse(await docker('inspect', ...ids)) as Array<{ Id: string; Config: { Labels: Record<string, string> }; State: { Status: string } }>;
  return info.map((c) => ({ id: c.Id, labels: c.Config.Labels, state: c.State.Status }));
}

export async function removeContainersWith(label: string): Promise<void> {
  const ids = (await docker('ps', '-aq', '--filter', `label=${label}`)).split('\n').filter(Boolean);
  if (ids.length) await docker('rm', '-f', ...ids);
}

/** Builds the images (incremental: seconds when they exist). */
export async function buildImages(): Promise<void> {
  await run('bash', ['scripts/images.sh'], { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 });
}

/** Waits until the pod satisfies cond; the error shows the pod's last status. */
export async function waitForPod(client: Client, ns: string, name: string, cond: (p: Pod) => boolean, what: string, timeoutMs = 60_000): Promise<Pod> {
  const deadline = Date.now() + timeoutMs;
  let last: Pod | undefined;
  for (;;) {
    try {
      last = await client.get('pods', ns, name);
      if (cond(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for pod ${ns}/${name}: ${what}; last status: ${JSON.stringify(last?.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function podReady(p: Pod): boolean {
  return p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

export { spawnCli, type StreamingCli } from '../cli/harness.js';
