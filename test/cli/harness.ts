// A real cluster for the CLI's end-to-end tests: etcd and `kubesim apiserver` as separate
// processes, and a way to run the built `kubesim` CLI against them as users do.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';

export const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestCluster {
  server: string;
  /** Runs `kubesim ARGS` against the cluster (stdin optional). */
  kubesim(args: string[], opts?: { stdin?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  stop(): Promise<void>;
}

/** Runs the CLI as a process; never rejects on a non-zero exit. */
export function runCli(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
    });
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    else child.stdin?.end();
  });
}

export async function startCluster(): Promise<TestCluster> {
  const etcd: TestEtcd = await startEtcd();
  let api: ApiServerProcess;
  try {
    api = await startApiServer(etcd.endpoint);
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  const server = api.endpoint;
  // Nothing but the flag/env decides the server: a developer's own context file must not leak in.
  const env = { KUBESIM_SERVER: server, KUBESIM_CONFIG: '/nonexistent/kubesim-config.json' };
  return {
    server,
    kubesim: (args, opts = {}) => runCli(args, { stdin: opts.stdin, env: { ...env, ...opts.env } }),
    stop: async () => {
      await api.stop();
      await etcd.stop();
    },
  };
}

/** A long-running CLI process (`get -w`, `logs -f`) whose output is read as it comes. */
export interface StreamingCli {
  proc: ChildProcess;
  /** What it printed to stdout so far. */
  stdout(): string;
  stderr(): string;
  kill(): Promise<void>;
}

/** Runs `kubesim ARGS` as a long-lived process (e.g. `logs -f`) whose output can be read while it runs. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): StreamingCli {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
