// `npm run bench -- compose [--runs N]`: the docker-compose mode (deploy/compose) from
// `docker-compose up -d` to 3 Ready nodes (target < 20 s; k3d takes about 20 s and kind
// about 33 s for one node), each run from nothing (`down -v` before), median of --runs
// (default 3); then the idle cluster's memory, the sum of `docker stats --no-stream` over
// the project's containers (pods of the nodes included: they live in the node containers'
// cgroups), and how long `down -v` takes. Uses its own project and API port.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Node } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { freePort } from '@kubesim/launcher';
import { percentile } from './stats.js';
import { countFlag } from './args.js';

const exec = promisify(execFile);
type Say = (line: string) => void;

const PROJECT = 'ks-bench-compose';
const COMPOSE_FILE = fileURLToPath(new URL('../../../deploy/compose/docker-compose.yml', import.meta.url));
const IDLE_SETTLE_MS = 10_000;

/** "123.4MiB / 15.6GiB" -> bytes of the first figure. */
export function parseMemUsage(text: string): number {
  const m = /^\s*([\d.]+)\s*([KMGT]i?B|B)/i.exec(text);
  if (!m) return 0;
  const unit = m[2]!.toUpperCase();
  const pow = { B: 0, KB: 1, KIB: 1, MB: 2, MIB: 2, GB: 3, GIB: 3, TB: 4, TIB: 4 }[unit] ?? 0;
  const base = unit.includes('I') || unit === 'B' ? 1024 : 1000;
  return Number(m[1]) * base ** pow;
}

async function composeCmd(): Promise<string[]> {
  try {
    await exec('docker-compose', ['version']);
    return ['docker-compose'];
  } catch {
    return ['docker', 'compose'];
  }
}

export async function composeSection(say: Say, argv: string[]): Promise<void> {
  const runs = countFlag(argv, '--runs', 3);
  const cmd = await composeCmd();
  const port = await freePort();
  // Ranges and names of its own, so that a user's default compose cluster may run beside it.
  const env = {
    ...process.env,
    KUBESIM_NAME: PROJECT,
    KUBESIM_API_PORT: String(port),
    KUBESIM_CLUSTER_CIDR: '10.243.0.0/16',
    KUBESIM_SUBNET: '10.238.0.0/16',
    KUBESIM_IP_RANGE: '10.238.0.0/17',
    KUBESIM_LB_CIDR: '10.238.255.0/24',
    KUBESIM_BRIDGE: 'ks-bench-comp',
    KUBESIM_INGRESS_PORT: String(await freePort()),
  };
  const compose = (args: string[]) => exec(cmd[0]!, [...cmd.slice(1), '-p', PROJECT, '-f', COMPOSE_FILE, ...args], { env, maxBuffer: 16 << 20 });
  const client = new Client({ endpoints: [`127.0.0.1:${port}`] });
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  say(`\ndocker-compose up -d -> 3 Ready nodes (${cmd.join(' ')}; each run from nothing; median of ${runs})`);
  const upSeconds: number[] = [];
  const readySeconds: number[] = [];
  let memory: { total: number; containers: Record<string, number> } = { total: 0, containers: {} };
  let downSeconds = 0;
  try {
    for (let r = 0; r < runs; r++) {
      await compose(['down', '-v', '--remove-orphans', '-t', '1']);
      const t0 = performance.now();
      await compose(['up', '-d']);
      const up = (performance.now() - t0) / 1000;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const nodes = await client.list('nodes').then((l) => l.items, () => [] as Node[]);
        if (nodes.length === 3 && nodes.every(ready)) break;
        if (Date.now() > deadline) throw new Error('3 nodes did not get Ready within 120 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      const all = (performance.now() - t0) / 1000;
      upSeconds.push(up);
      readySeconds.push(all);
      say(`run ${r + 1}                  up -d returned ${up.toFixed(2)} s, 3 nodes Ready ${all.toFixed(2)} s`);
    }
    await new Promise((res) => setTimeout(res, IDLE_SETTLE_MS));
    const names = (await exec('docker', ['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
    const stats = (await exec('docker', ['stats', '--no-stream', '--format', '{{.Name}}\t{{.MemUsage}}', ...names])).stdout;
    const containers: Record<string, number> = {};
    for (const line of stats.split('\n').filter(Boolean)) {
      const [name = '', usage = ''] = line.split('\t');
      containers[name] = parseMemUsage(usage);
    }
    memory = { total: Object.values(containers).reduce((a, b) => a + b, 0), containers };
    const t1 = performance.now();
    await compose(['down', '-v', '--remove-orphans', '-t', '1']);
    downSeconds = (performance.now() - t1) / 1000;
  } finally {
    client.close();
    await compose(['down', '-v', '--remove-orphans', '-t', '1']).catch(() => undefined);
  }
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  const median = percentile([...readySeconds].sort((a, b) => a - b), 50);
  say(`idle memory (${IDLE_SETTLE_MS / 1000} s after Ready)  ${mib(memory.total)} total: ${Object.entries(memory.containers).map(([n, b]) => `${n.replace(`${PROJECT}-`, '')} ${mib(b)}`).join(', ')}`);
  say(`down -v                ${downSeconds.toFixed(2)} s`);
  say('\ntargets');
  say(`  up -d -> 3 nodes Ready < 20 s: median ${median.toFixed(2)} s ${median < 20 ? 'OK' : 'MISSED'}`);
  mkdirSync('.bench-results', { recursive: true });
  writeFileSync('.bench-results/compose.json', JSON.stringify({ runs, upSeconds, readySeconds, medianReadySeconds: median, idleMemoryBytes: memory, downSeconds }, null, 2));
}
