#!/usr/bin/env node
// `npm run bench`: starts a real etcd and apiserver process, runs the benchmarks and
// prints the figures (also written to .bench-results/apiserver.json).
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, startApiServerProcess } from '@kubesim/launcher';
import { Client } from '@kubesim/client';
import { benchCreate, benchCreatePaced, benchGet, benchWatchFanout, type LoadResult } from './apiserver.js';
import { ms } from './stats.js';

const say = (s: string) => process.stdout.write(s + '\n');

function row(label: string, r: LoadResult): string {
  return `${label.padEnd(22)} ${String(r.clients).padStart(3)} clients  ${String(r.ops).padStart(6)} ops  ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${ms(r.latency.p50).padStart(10)}  p99 ${ms(r.latency.p99).padStart(10)}`;
}

async function main(): Promise<void> {
  const logDir = mkdtempSync(join(tmpdir(), 'kubesim-bench-'));
  say(`bench: starting etcd and apiserver (logs in ${logDir})`);
  const etcd = await startEtcd({ logFile: join(logDir, 'etcd.log') });
  const api = await startApiServerProcess([etcd.endpoint], { logFile: join(logDir, 'apiserver.log') });
  const results: Record<string, unknown> = {};
  try {
    const admin = new Client({ endpoints: [api.endpoint] });
    const ns = 'bench';
    await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    say('\napiserver create/get (ConfigMaps; each client its own gRPC channel, calls back to back)');
    const creates: LoadResult[] = [];
    for (const [clients, per] of [[1, 1000], [10, 300], [50, 80]] as const) {
      const r = await benchCreate(api.endpoint, ns, clients, per, `c${clients}`);
      creates.push(r);
      say(row('create', r));
    }
    say('\ncreate latency under a steady load (10 clients, 50 creates/s each = 500/s, 8 s; latency from when each call was due)');
    const paced = await benchCreatePaced(api.endpoint, ns, 10, 50, 8, 'paced');
    say(row('create paced 500/s', paced));
    const names = Array.from({ length: 300 }, (_, i) => `c10-${i % 10}-${Math.floor(i / 10)}`);
    const gets: LoadResult[] = [];
    for (const [clients, per] of [[1, 2000], [10, 500], [50, 100]] as const) {
      const r = await benchGet(api.endpoint, ns, clients, per, names);
      gets.push(r);
      say(row('get', r));
    }
    say('\nsustained creates (50 clients, 10 s worth of work at the target rate)');
    const sustained = await benchCreate(api.endpoint, ns, 50, 200, 'sustained');
    say(row('create sustained', sustained));
    say('\nwatch fan-out (100 watchers, 200 writes 20 ms apart; write start -> event at each watcher)');
    const fan = await benchWatchFanout(api.endpoint, ns, 100, 200, 20);
    say(`watch fan-out          ${fan.watchers} watchers  ${fan.deliveries}/${fan.watchers * fan.writes} events  p50 ${ms(fan.latency.p50)}  p99 ${ms(fan.latency.p99)}  max ${ms(fan.latency.max)}`);
    admin.close();
    Object.assign(results, { creates, paced, gets, sustained, fanout: fan });
    const c10 = creates.find((c) => c.clients === 10)!;
    say('\ntargets');
    say(`  create p99 at 10 clients < 20 ms: ${ms(c10.latency.p99)} back to back ${c10.latency.p99 < 20 ? 'OK' : 'MISSED'}; ${ms(paced.latency.p99)} at 500/s ${paced.latency.p99 < 20 ? 'OK' : 'MISSED'}`);
    say(`  sustained creates >= 1000/s:      ${sustained.perSecond.toFixed(0)}/s ${sustained.perSecond >= 1000 ? 'OK' : 'MISSED'}`);
    say(`  watch fan-out p99 < 50 ms:        ${ms(fan.latency.p99)} ${fan.latency.p99 < 50 ? 'OK' : 'MISSED'}`);
  } finally {
    await api.stop();
    await etcd.stop();
  }
  mkdirSync('.bench-results', { recursive: true });
  writeFileSync('.bench-results/apiserver.json', JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
