// `kubesim up --nodes 3` to every node Ready, and the resident memory of the idle
// cluster's processes (etcd included), read from /proc.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_MAIN, freePort } from '@kubesim/launcher';
import { pssMiB, rssMiB } from './proc.js';

const exec = promisify(execFile);

export interface UpResult {
  nodes: number;
  runtime: string;
  upSeconds: number;
  /** total VmRSS of every process of the cluster, MiB, after `idleSeconds` idle */
  rssMiB: number;
  /**
   * total PSS, MiB: each page shared between processes counted once, split among them. The
   * Node.js binary's code (~40 MiB) is in memory once however many components run, but
   * each process's RSS counts it in full.
   */
  pssMiB: number;
  perProcess: { component: string; rssMiB: number; pssMiB: number }[];
  idleSeconds: number;
  /** add-ons left out with `up --disable` */
  disabled: string[];
}

export async function benchUp(nodes: number, runtime: 'docker' | 'fake', idleSeconds: number, disable: string[] = []): Promise<UpResult> {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-bench-home-'));
  const env = { ...process.env, KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json') };
  const name = 'bench';
  const port = await freePort();
  try {
    const t0 = performance.now();
    await exec(process.execPath, [CLI_MAIN, 'up', '--name', name, '--nodes', String(nodes), '--runtime', runtime, '--port', String(port), ...(disable.length ? ['--disable', disable.join(',')] : [])], { env, timeout: 120_000 });
    const upSeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const state = JSON.parse(readFileSync(join(home, 'clusters', name, 'state.json'), 'utf8')) as { processes: { component: string; pid: number }[] };
    const perProcess = state.processes.map((p) => ({ component: p.component, rssMiB: rssMiB(p.pid), pssMiB: pssMiB(p.pid) }));
    return { nodes, runtime, upSeconds, rssMiB: perProcess.reduce((a, p) => a + p.rssMiB, 0), pssMiB: perProcess.reduce((a, p) => a + p.pssMiB, 0), perProcess, idleSeconds, disabled: disable };
  } finally {
    await exec(process.execPath, [CLI_MAIN, 'down', '--name', name], { env, timeout: 60_000 }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}
