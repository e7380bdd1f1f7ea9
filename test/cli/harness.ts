// A real cluster for the CLI's end-to-end tests: etcd and `kubesim apiserver` as separate
// processes, and a way to run the built `kubesim` CLI against them as users do.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { freePort } from '../support/ports.js';

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

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
  });
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
  const port = await freePort();
  const server = `127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [CLI, 'apiserver', '--etcd-servers', etcd.endpoint, '--listen', server], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' },
  });
  let log = '';
  const keep = (b: Buffer) => void (log = (log + b.toString()).slice(-20_000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  // Nothing but the flag/env decides the server: a developer's own context file must not leak in.
  const env = { KUBESIM_SERVER: server, KUBESIM_CONFIG: '/nonexistent/kubesim-config.json' };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited(proc);
    await etcd.stop();
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await etcd.stop();
      throw new Error(`apiserver exited (${proc.exitCode}): ${log}`);
    }
    const r = await runCli(['version'], { env });
    if (r.code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`apiserver at ${server} did not answer within 30 s: ${r.stderr}\n${log}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return {
    server,
    kubesim: (args, opts = {}) => runCli(args, { stdin: opts.stdin, env: { ...env, ...opts.env } }),
    stop,
  };
}
