// Starts a local single-member etcd (the Debian etcd-server binary) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { GiveUp, waitFor } from './wait.js';

export interface EtcdOptions {
  /** Data directory; a fresh temporary one (removed on stop) when absent. */
  dataDir?: string;
  clientPort?: number;
  peerPort?: number;
  name?: string;
  /** Where etcd's own output goes; discarded when absent. */
  logFile?: string;
  binary?: string;
  /** Extra etcd flags. */
  args?: string[];
  timeoutMs?: number;
  /** Let etcd outlive this process (its own process group, not waited on). */
  detached?: boolean;
}

export interface RunningEtcd {
  endpoint: string;
  pid: number;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const ETCD_BINARY_CANDIDATES = ['/usr/bin/etcd', '/usr/local/bin/etcd'];

export function findEtcdBinary(): string | undefined {
  return ETCD_BINARY_CANDIDATES.find((p) => existsSync(p));
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startEtcd(opts: EtcdOptions = {}): Promise<RunningEtcd> {
  const binary = opts.binary ?? findEtcdBinary();
  if (!binary) throw new Error('no etcd binary found (apt-get install etcd-server)');
  const tempDir = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'kubesim-etcd-'));
  const dataDir = opts.dataDir ?? join(tempDir!, 'data');
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = opts.peerPort ?? (await freePort());
  const name = opts.name ?? 'etcd0';
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // Without a log file, keep the tail of etcd's output for the error if it fails to start.
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'pipe';
  const child = spawn(
    binary,
    [
      `--name=${name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${name}=${peer}`,
      '--initial-cluster-state=new',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', out, out], detached: opts.detached ?? false },
  );
  if (opts.detached) child.unref();
  let tail = '';
  const keep = (b: Buffer) => void (tail = (tail + b.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `etcd exited (${sig ?? code})${tail ? `: ${tail.trim()}` : ''}`));
  const stop = async () => {
    await stopChild(child);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `etcd at ${endpoint}`,
      async () => {
        if (exited) throw new GiveUp(exited);
        const res = await fetch(`${endpoint}/health`);
        const body = (await res.json()) as { health?: string };
        return body.health === 'true' ? true : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 20_000 },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, pid: child.pid!, dataDir, process: child, stop };
}
