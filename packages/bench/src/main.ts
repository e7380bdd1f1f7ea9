#!/usr/bin/env node
// `npm run bench [-- SECTION...]`: runs the benchmarks and prints the figures (also
// written to .bench-results/<section>.json). Sections: apiserver, scheduler, cluster,
// pods (pod startup latency on Docker), swarm (a Deployment against Docker Swarm),
// services (requests through ClusterIP and NodePort against the pod directly),
// node-death (a node killed -> its pods Ready elsewhere), failover (leaders, apiservers),
// soak (an idle fast-profile cluster, 10 minutes), compose (docker-compose bring-up).
// With none named, all but the soak run.
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, startApiServerProcess } from '@kubesim/launcher';
import { Client } from '@kubesim/client';
import { benchCreate, benchCreatePaced, benchGet, benchTransport, benchWatchFanout, type LoadResult } from './apiserver.js';
import { benchScheduler } from './scheduler.js';
import { benchUp, type UpResult } from './cluster.js';
import { benchPodStartup, ensureImages } from './pods.js';
import { benchKubesimConverge, benchSwarmConverge } from './swarm.js';
import { ms, type Summary } from './stats.js';
import { benchServices } from './services.js';
import { calibrate } from './calibrate.js';

const say = (s: string) => process.stdout.write(s + '\n');

function row(label: string, r: LoadResult): string {
  return `${label.padEnd(22)} ${String(r.clients).padStart(3)} clients  ${String(r.ops).padStart(6)} ops  ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${ms(r.latency.p50).padStart(10)}  p99 ${ms(r.latency.p99).padStart(10)}`;
}

function save(section: string, results: unknown): void {
  mkdirSync('.bench-results', { recursive: true });
  writeFileSync(`.bench-results/${section}.json`, JSON.stringify(results, null, 2));
}

/** Runs `fn` against a fresh etcd and apiserver process. */
async function withControlPlane<T>(logDir: string, fn: (endpoint: string, apiserverPid: number) => Promise<T>): Promise<T> {
  const etcd = await startEtcd({ logFile: join(logDir, 'etcd.log') });
  try {
    const api = await startApiServerProcess([etcd.endpoint], { logFile: join(logDir, 'apiserver.log') });
    try {
      return await fn(api.endpoint, api.pid);
    } finally {
      await api.stop();
    }
  } finally {
    await etcd.stop();
  }
}

async function apiserverSection(logDir: string): Promise<void> {
  await withControlPlane(logDir, async (endpoint, apiserverPid) => {
    const admin = new Client({ endpoints: [endpoint] });
    const ns = 'bench';
    await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // Warm-up, not counted: V8 compiles the hot paths of the apiserver and of this load
    // generator during the first thousands of calls; until then the latencies measure the
    // JIT (p99 at 10 clients 21-25 ms in the first 3,000 creates here, 13-15 ms in the
    // next 3,000, 9-11 ms after 6,000).
    const warm = await benchCreate(endpoint, ns, 10, 600, 'warm');
    say(`\nwarm-up: ${warm.ops} creates by 10 clients, not counted (${warm.perSecond.toFixed(0)}/s, p99 ${ms(warm.latency.p99)})`);
    say('apiserver create/get (ConfigMaps; each client its own gRPC channel, calls back to back)');
    const creates: LoadResult[] = [];
    for (const [clients, per] of [[1, 1000], [10, 300], [50, 80]] as const) {
      const r = await benchCreate(endpoint, ns, clients, per, `c${clients}`);
      creates.push(r);
      say(row('create', r));
    }
    say('\ncreate latency under a steady load (10 clients, 50 creates/s each = 500/s, 8 s; latency from when each call was due)');
    const paced = await benchCreatePaced(endpoint, ns, 10, 50, 8, 'paced');
    say(row('create paced 500/s', paced));
    const names = Array.from({ length: 300 }, (_, i) => `c10-${i % 10}-${Math.floor(i / 10)}`);
    const gets: LoadResult[] = [];
    for (const [clients, per] of [[1, 2000], [10, 500], [50, 100]] as const) {
      const r = await benchGet(endpoint, ns, clients, per, names);
      gets.push(r);
      say(row('get', r));
    }
    say('\nthe same gets (10 clients) as unary calls and as frames of the Requests stream, with the CPU per call of the load generator and of the apiserver');
    const transport = await benchTransport(endpoint, apiserverPid, ns, 10, 500, names);
    for (const t of transport) say(`${row(`get ${t.transport}`, t)}  cpu/call client ${t.clientCpuMicros.toFixed(0)} µs, apiserver ${t.serverCpuMicros.toFixed(0)} µs`);
    say('\nsustained creates (50 clients, 10 s worth of work at the target rate)');
    const sustained = await benchCreate(endpoint, ns, 50, 200, 'sustained');
    say(row('create sustained', sustained));
    say('\nwatch fan-out (100 watchers, 200 writes 20 ms apart; write start -> event at each watcher)');
    const fan = await benchWatchFanout(endpoint, ns, 100, 200, 20);
    say(`watch fan-out          ${fan.watchers} watchers  ${fan.deliveries}/${fan.watchers * fan.writes} events  p50 ${ms(fan.latency.p50)}  p99 ${ms(fan.latency.p99)}  max ${ms(fan.latency.max)}`);
    admin.close();
    save('apiserver', { creates, paced, gets, transport, sustained, fanout: fan });
    const c10 = creates.find((c) => c.clients === 10)!;
    say('\ntargets');
    say(`  create p99 at 10 clients < 20 ms: ${ms(c10.latency.p99)} back to back ${c10.latency.p99 < 20 ? 'OK' : 'MISSED'}; ${ms(paced.latency.p99)} at 500/s ${paced.latency.p99 < 20 ? 'OK' : 'MISSED'}`);
    say(`  sustained creates >= 1000/s:      ${sustained.perSecond.toFixed(0)}/s ${sustained.perSecond >= 1000 ? 'OK' : 'MISSED'}`);
    say(`  watch fan-out p99 < 50 ms:        ${ms(fan.latency.p99)} ${fan.latency.p99 < 50 ? 'OK' : 'MISSED'}`);
  });
}

async function schedulerSection(logDir: string): Promise<void> {
  await withControlPlane(logDir, async (endpoint) => {
    say('\nscheduler throughput (100 Ready hollow nodes, 3,000 pods created 20 at a time over 4 channels; create -> bound)');
    const r = await benchScheduler(endpoint, 100, 3000, join(logDir, 'scheduler.log'));
    say(`scheduler              ${r.nodes} nodes  ${r.pods} pods  ${r.seconds.toFixed(2)} s  ${r.podsPerSecond.toFixed(0)} pods/s  create->bound p50 ${ms(r.latency.p50)} p99 ${ms(r.latency.p99)}`);
    say(`  target > 500 pods/s: ${r.podsPerSecond.toFixed(0)} ${r.podsPerSecond > 500 ? 'OK' : 'MISSED'}`);
    save('scheduler', r);
  });
}

async function clusterSection(): Promise<void> {
  // An idle cluster is one that has sat for a minute: the readings before that swing with
  // V8's young generations (see UpResult.samples), which are printed too.
  const IDLE = 60;
  const EVERY = 15;
  const runs: UpResult[] = [];
  // As `kubesim up` starts it, and with the add-ons left out: the core components only
  // (etcd, apiserver, scheduler, controller-manager, node agents).
  for (const disable of [[], ['dns', 'cloud-controller-manager', 'ingress-controller']]) {
    say(`\nkubesim up --nodes 3 (Docker runtime)${disable.length ? ` --disable ${disable.join(',')}` : ''} to all nodes Ready, then RSS of the idle cluster after ${IDLE} s`);
    const r = await benchUp(3, 'docker', IDLE, disable, EVERY);
    say(`up                     ${r.upSeconds.toFixed(2)} s to 3 nodes Ready; idle RSS ${r.rssMiB.toFixed(0)} MiB total over ${r.perProcess.length} processes (PSS ${r.pssMiB.toFixed(0)} MiB: shared pages counted once)`);
    say(`  RSS along the idle time: ${r.samples.map((x) => `${x.atSeconds} s ${x.rssMiB.toFixed(0)} MiB`).join(', ')}`);
    for (const p of r.perProcess) say(`  ${p.component.padEnd(26)} RSS ${p.rssMiB.toFixed(0).padStart(4)} MiB  PSS ${p.pssMiB.toFixed(0).padStart(4)} MiB`);
    // 600 MB = 572 MiB.
    say(`  target up < 5 s: ${r.upSeconds < 5 ? 'OK' : 'MISSED'}; target RSS < 600 MB (${r.rssMiB * 1.048576 < 600 ? 'OK' : 'MISSED'}: ${(r.rssMiB * 1.048576).toFixed(0)} MB)`);
    runs.push(r);
  }
  save('cluster', runs);
}

const line = (label: string, s: Summary) => `  ${label.padEnd(28)} p50 ${ms(s.p50).padStart(10)}  p90 ${ms(s.p90).padStart(10)}  p99 ${ms(s.p99).padStart(10)}  max ${ms(s.max).padStart(10)}`;

async function podsSection(logDir: string): Promise<void> {
  const nodes = 3;
  const image = 'kubesim/pause:latest';
  await ensureImages(['pause']);
  say(`\npod startup latency (Docker runtime, ${nodes} node agents, ${image}; create call start -> Ready condition True seen through a watch)`);
  const r = await benchPodStartup(
    logDir,
    nodes,
    [
      { mode: 'latency', pods: 30, concurrency: 3 },
      { mode: 'burst', pods: 30, concurrency: 3 },
    ],
    image,
  );
  for (const ph of r.phases) {
    say(ph.mode === 'latency' ? `${ph.pods} pods, ${ph.concurrency} startups in flight (each client creates its next pod once the last is Ready)` : `${ph.pods} pods created back to back by ${ph.concurrency} clients (the nodes and dockerd queue them)`);
    say(line('create -> Ready', ph.latency));
    say(line('  create -> bound', ph.toBound));
    say(line('  bound -> Ready', ph.boundToReady));
    say(line('  create call', ph.createCall));
    say(`  all ${ph.pods} Ready ${ph.seconds.toFixed(2)} s after the first create; per node ${JSON.stringify(Object.values(ph.podsPerNode))}; delete -> gone ${ph.cleanupSeconds.toFixed(2)} s`);
  }
  if (r.leftovers) say(`  ${r.leftovers} leftover container(s) of the bench's nodes removed`);
  const lat = r.phases[0].latency;
  say(`  target p99 < 1.5 s (${r.phases[0].concurrency} in flight): ${(lat.p99 / 1000).toFixed(2)} s ${lat.p99 < 1500 ? 'OK' : 'MISSED'} (Kubernetes' SLO: 5 s ${lat.p99 < 5000 ? 'met' : 'missed'})`);
  save('pods', r);
}

async function servicesSection(): Promise<void> {
  const connections = 8;
  const seconds = 8;
  say(`\nservice proxy: one demo pod hit directly, through its ClusterIP and through a NodePort, from the host (${connections} connections, a new TCP connection per request, ${seconds} s per target, best of 2 rounds)`);
  const r = await benchServices(connections, seconds, say);
  const direct = r.results[0]!.perSecond;
  for (const t of r.results) {
    const cost = ((direct - t.perSecond) / direct) * 100;
    say(`${t.target.padEnd(22)} ${t.perSecond.toFixed(0).padStart(6)}/s  p50 ${ms(t.latency.p50).padStart(10)}  p99 ${ms(t.latency.p99).padStart(10)}  errors ${t.errors}${t === r.results[0] ? '' : `  cost vs direct ${cost.toFixed(1)}% (target < 30%: ${cost < 30 ? 'OK' : 'MISSED'})`}`);
  }
  save('services', r);
}

async function swarmSection(logDir: string): Promise<void> {
  const replicas = 30;
  const image = 'kubesim/hostname:latest';
  await ensureImages(['pause', 'hostname']);
  say(`\n${replicas} replicas of ${image} on the same dockerd: kubesim Deployment (3 Docker node agents; create call -> all pods Ready) vs Docker Swarm service (create -> all tasks running)`);
  const k = await benchKubesimConverge(logDir, 3, replicas, image);
  say(`kubesim                ${k.seconds.toFixed(2)} s  (all pods created ${k.allCreatedSeconds.toFixed(2)} s, bound ${k.allBoundSeconds.toFixed(2)} s, Running ${k.allRunningSeconds.toFixed(2)} s); per node ${JSON.stringify(Object.values(k.podsPerNode))}; delete -> gone ${k.removeSeconds.toFixed(2)} s`);
  const s = await benchSwarmConverge(replicas, image);
  say(`swarm                  ${s.seconds.toFixed(2)} s${s.createdSwarm ? ' (swarm made for the bench, left after)' : ' (the engine\'s swarm, kept)'}; service rm -> containers gone ${s.removeSeconds.toFixed(2)} s`);
  const ratio = k.seconds / s.seconds;
  say(`  kubesim / swarm: ${ratio.toFixed(2)}`);
  save('swarm', { kubesim: k, swarm: s, ratio });
}

const SECTIONS: Record<string, (logDir: string) => Promise<void>> = {
  apiserver: apiserverSection,
  scheduler: schedulerSection,
  cluster: () => clusterSection(),
  pods: podsSection,
  swarm: swarmSection,
  services: servicesSection,
  'node-death': () => import('./node-death.js').then((m) => m.nodeDeathSection(say, process.argv.slice(2))),
  soak: () => import('./soak.js').then((m) => m.soakSection(say, process.argv.slice(2))),
  failover: () => import('./failover.js').then((m) => m.failoverSection(say, process.argv.slice(2))),
  compose: () => import('./compose.js').then((m) => m.composeSection(say, process.argv.slice(2))),
};

/** Sections too long for the default run (the soak idles for 10 minutes): run when named. */
const ONLY_WHEN_NAMED = new Set(['soak']);

async function main(): Promise<void> {
  // Options (node-death --runs N, soak --minutes N) belong to their sections, not section names.
  const asked = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  for (const a of asked) if (!(a in SECTIONS)) throw new Error(`unknown section "${a}"; sections: ${Object.keys(SECTIONS).join(', ')}`);
  const logDir = mkdtempSync(join(tmpdir(), 'kubesim-bench-'));
  const run = asked.length ? asked : Object.keys(SECTIONS).filter((s) => !ONLY_WHEN_NAMED.has(s));
  say(`bench: sections ${run.join(', ')} (component logs in ${logDir})`);
  const cal = calibrate();
  say(`machine: fixed CPU work took ${cal.ms.toFixed(0)} ms (best of ${cal.rounds}; lower is faster: compare runs by it)`);
  save('machine', cal);
  for (const name of run) await SECTIONS[name](logDir);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
