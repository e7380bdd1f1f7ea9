// Starts the built `kubesim apiserver` as a separate process for the client's
// integration tests, and a couple of etcd helpers (revision, compaction) over etcd's
// HTTP gateway, so tests can force "too old resource version" for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@kubesim/client';
import { freePort } from './ports.js';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

export interface ApiServerProcess {
  endpoint: string;
  port: number;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
  });
}

export async function startApiServer(etcdEndpoint: string, port?: number): Promise<ApiServerProcess> {
  port ??= await freePort();
  const endpoint = `127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [CLI, 'apiserver', '--etcd-servers', etcdEndpoint, '--listen', endpoint], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'warn' },
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const kill = async (sig: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    await exited(proc);
  };
  const client = new Client({ endpoints: [endpoint], timeoutMs: 1000 });
  const deadline = Date.now() + 20_000;
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`apiserver exited (${proc.exitCode}): ${out}`);
      try {
        await client.version();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`apiserver at ${endpoint} did not answer within 20 s: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  } finally {
    client.close();
  }
  return { endpoint, port, proc, output: () => out, kill: () => kill('SIGKILL'), stop: () => kill('SIGTERM') };
}

async function etcdPost(etcd: string, path: string, body: unknown): Promise<{ header?: { revision?: string } }> {
  const res = await fetch(`${etcd}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { header?: { revision?: string } };
}

/** etcd's current revision. */
export async function etcdRevision(etcd: string): Promise<number> {
  const res = await etcdPost(etcd, '/v3/kv/range', { key: Buffer.from('\0').toString('base64') });
  return Number(res.header?.revision ?? 0);
}

/** Compacts etcd's history up to now: watches from older revisions get "too old". */
export async function compactEtcd(etcd: string): Promise<number> {
  const rev = await etcdRevision(etcd);
  await etcdPost(etcd, '/v3/kv/compaction', { revision: String(rev), physical: true });
  return rev;
}
