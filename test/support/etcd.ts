// A real, throwaway etcd for tests: one member on free loopback ports with its data
// dir on tmpfs when there is one (etcd 3.4 has no --unsafe-no-fsync; tmpfs makes
// its fsyncs nearly free).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';

export interface TestEtcd {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  stop(): Promise<void>;
}

const ETCD_BIN = process.env.KUBESIM_ETCD_BIN ?? '/usr/bin/etcd';

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
  });
}

async function attempt(): Promise<TestEtcd | undefined> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(base, 'kubesim-etcd-'));
  const [clientPort, peerPort] = await freePorts(2);
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(
    ETCD_BIN,
    [
      '--name', 'test',
      '--data-dir', dir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `test=${peer}`,
      '--logger', 'zap',
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 10_000) stderr += b.toString();
  });
  let dead = false;
  proc.once('exit', () => (dead = true));

  const cleanup = async () => {
    if (!dead) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited(proc);
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (dead) {
      await cleanup();
      // Most likely a port taken between choosing and binding: the caller retries.
      if (/address already in use/.test(stderr)) return undefined;
      throw new Error(`etcd exited during start: ${stderr.trim()}`);
    }
    if (await healthy(endpoint)) return { endpoint, stop: cleanup };
    await new Promise((r) => setTimeout(r, 50));
  }
  await cleanup();
  throw new Error(`etcd did not become healthy within 20s: ${stderr.trim()}`);
}

/** Starts a single-member etcd and resolves once it answers /health. */
export async function startEtcd(): Promise<TestEtcd> {
  for (let i = 0; i < 3; i++) {
    const etcd = await attempt();
    if (etcd) return etcd;
  }
  throw new Error('etcd could not bind free ports after 3 attempts');
}
