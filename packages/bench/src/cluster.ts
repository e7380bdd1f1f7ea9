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
  /**
   * The totals along the idle time. Right after `up` the young generations of V8 heaps
   * still hold startup garbage; V8's memory reducer gives it back once allocation stops
   * (after some tens of seconds), so the early readings swing by tens of MiB.
   */
  samples: { atSeconds: number; rssMiB: number; pssMiB: number }[];
  /** add-ons left out with `up --disable` */
  disabled: string[];
}

/** Starts a cluster, waits `idleSeconds` (reading memory every `sampleEverySeconds`), reads the idle memory, stops it. */
export async function benchUp(nodes: number, runtime: 'docker' | 'fake', idleSeconds: number, disable: string[] = [], sampleEverySeconds = idleSeconds): Promise<UpResult> {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-bench-home-'));
  const env = { ...process.env, KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json') };
  const name = 'bench';
  const port = await freePort();
  try {
    const t0 = performance.now();
    await exec(process.execPath, [CLI_MAIN, 'up', '--name', name, '--nodes', String(nodes), '--runtime', runtime, '--port', String(port), ...(disable.length ? ['--disable', disable.join(',')] : [])], { env, timeout: 120_000 });
    const upSeconds = (performance.now() - t0) / 1000;
    const state = JSON.parse(readFileSync(join(home, 'clusters', name, 'state.json'), 'utf8')) as { processes: { component: string; pid: number }[] };
    const read = () => state.processes.map((p) => ({ component: p.component, rssMiB: rssMiB(p.pid), pssMiB: pssMiB(p.pid) }));
    const samples: UpResult['samples'] = [];
    let perProcess: UpResult['perProcess'];
    let at = 0;
    do {
      const next = Math.min(at + sampleEverySeconds, idleSeconds);
      await new Promise((r) => setTimeout(r, (next - at) * 1000));
      at = next;
      perProcess = read();
      samples.push({ atSeconds: at, rssMiB: perProcess.reduce((a, p) => a + p.rssMiB, 0), pssMiB: perProcess.reduce((a, p) => a + p.pssMiB, 0) });
    } while (at < idleSeconds);
    const last = samples.at(-1)!;
    return { nodes, runtime, upSeconds, rssMiB: last.rssMiB, pssMiB: last.pssMiB, perProcess, idleSeconds, samples, disabled: disable };
  } finally {
    await exec(process.execPath, [CLI_MAIN, 'down', '--name', name], { env, timeout: 60_000 }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}
