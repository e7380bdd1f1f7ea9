// Control-plane failover on a real `kubesim up --ha --runtime fake --profile fast` cluster
// (3 etcd members, 2 apiservers, 2 schedulers, 2 controller-managers; hollow nodes):
// - leader failover: SIGKILL the Lease holder of the scheduler (then of the
//   controller-manager) and measure, from the kill, until a new leader has acted: a pod
//   created at the kill is bound (scheduler), a ReplicaSet scaled up at the kill has its
//   new pod (controller-manager). Also when the new holder took the Lease.
// - apiserver failover gap for a watching client: an informer (both apiservers) on
//   ConfigMaps while another client creates one every ~20 ms; SIGKILL the apiserver the
//   informer's watch is on; gap = last event before the kill -> first event after it.
//   Every ConfigMap created must still reach the informer.
// Each figure is the median of --runs N (default 5). The killed process is started again
// (`kubesim chaos start`) before the next run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConfigMap, Pod } from '@kubesim/api';
import { Client, listerWatcherFor, SharedIndexInformer, type ListerWatcher } from '@kubesim/client';
import { CLI_MAIN, freePort, waitFor } from '@kubesim/launcher';
import { percentile } from './stats.js';
import { countFlag } from './args.js';

const exec = promisify(execFile);
type Say = (line: string) => void;

interface Proc {
  component: string;
  pid: number;
  endpoint?: string;
  args: string[];
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;


export async function failoverSection(say: Say, argv: string[]): Promise<void> {
  const runs = countFlag(argv, '--runs', 5);
  const home = mkdtempSync(join(tmpdir(), 'kubesim-bench-failover-'));
  const name = 'bench-failover';
  const env = { ...process.env, KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const cli = async (...args: string[]) => (await exec(process.execPath, [CLI_MAIN, ...args], { env, maxBuffer: 16 << 20 })).stdout;
  const state = () => JSON.parse(readFileSync(join(home, 'clusters', name, 'state.json'), 'utf8')) as { apiservers: string[]; processes: Proc[] };
  /** The chaos name (scheduler-2) of a pid. */
  const chaosName = (pid: number) => {
    const ps = state().processes.filter((p) => p.args[0] !== 'node');
    const p = ps.find((x) => x.pid === pid);
    if (!p) throw new Error(`pid ${pid} is not a process of the cluster`);
    return `${p.component}-${ps.filter((x) => x.component === p.component).indexOf(p) + 1}`;
  };
  say(`\nfailover: kubesim up --ha --runtime fake --nodes 1 --profile fast (leader election 2/1.5/0.5 s), ${runs} runs each`);
  await cli('up', '--name', name, '--ha', '--port', String(await freePort()), '--nodes', '1', '--runtime', 'fake', '--profile', 'fast');
  const client = new Client({ endpoints: state().apiservers, timeoutMs: 5000 });
  const results: Record<string, unknown> = {};
  try {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'failover' } });
    const holderPid = async (lease: string) => {
      const spec = (await client.get('leases', 'kube-system', lease)).spec ?? {};
      return { pid: Number((spec.holderIdentity ?? '').split('_').at(-2)), identity: spec.holderIdentity ?? '' };
    };
    /** Kills the leader; `act` makes the change a leader must act on and resolves when it has. */
    const leaderRun = async (lease: string, act: (i: number) => Promise<void>, i: number) => {
      const old = await holderPid(lease);
      const killedAt = Date.now();
      process.kill(old.pid, 'SIGKILL');
      await act(i);
      const actedAt = Date.now();
      const now = (await client.get('leases', 'kube-system', lease)).spec ?? {};
      if (now.holderIdentity === old.identity) throw new Error(`${lease}: the old leader still holds the Lease`);
      await cli('chaos', 'start', chaosName(old.pid), '--name', name);
      return { actedMs: actedAt - killedAt, acquiredMs: Date.parse(now.acquireTime ?? '') - killedAt };
    };
    const until = <T>(what: string, check: () => Promise<T | undefined>) => waitFor(what, check, { timeoutMs: 30_000, intervalMs: 10 });

    const pod = (n: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: 'failover' }, spec: { containers: [{ name: 'c', image: 'kubesim/pause' }] } });
    const sched: { actedMs: number; acquiredMs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      sched.push(
        await leaderRun('kube-scheduler', async (n) => {
          await client.create(pod(`sched-${n}`));
          await until(`pod sched-${n} bound`, async () => ((await client.get('pods', 'failover', `sched-${n}`)).spec?.nodeName ? true : undefined));
        }, i),
      );
      say(`  scheduler run ${i + 1}: new leader took the Lease after ${secs(sched[i].acquiredMs)}, bound a new pod after ${secs(sched[i].actedMs)}`);
    }
    await client.create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'grow', namespace: 'failover' }, spec: { replicas: 1, selector: { matchLabels: { app: 'grow' } }, template: { metadata: { labels: { app: 'grow' } }, spec: { containers: [{ name: 'c', image: 'kubesim/pause' }] } } } });
    const count = async () => (await client.list('pods', { namespace: 'failover', labelSelector: 'app=grow' })).items.length;
    await until('the ReplicaSet pod', async () => ((await count()) === 1 ? true : undefined));
    const cm: { actedMs: number; acquiredMs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      cm.push(
        await leaderRun('kube-controller-manager', async (n) => {
          await client.patch('replicasets', 'failover', 'grow', { spec: { replicas: n + 2 } });
          await until(`${n + 2} pods of the ReplicaSet`, async () => ((await count()) === n + 2 ? true : undefined));
        }, i),
      );
      say(`  controller-manager run ${i + 1}: new leader took the Lease after ${secs(cm[i].acquiredMs)}, created the new pod after ${secs(cm[i].actedMs)}`);
    }

    const gaps = [];
    for (let i = 0; i < runs; i++) {
      gaps.push(await watchGap(client.endpoints, state, chaosName, (...a) => cli(...a, '--name', name), i));
      say(`  apiserver run ${i + 1}: watch gap ${secs(gaps[i].gapMs)} (last event ${gaps[i].beforeMs.toFixed(0)} ms before the kill, first ${gaps[i].afterMs.toFixed(0)} ms after; ${gaps[i].events} events, none missing)`);
    }
    const m = (xs: { actedMs: number }[]) => median(xs.map((x) => x.actedMs));
    const a = (xs: { acquiredMs: number }[]) => median(xs.map((x) => x.acquiredMs));
    say(`leader failover, scheduler:            new leader acts after ${secs(m(sched))} (median; Lease taken after ${secs(a(sched))})`);
    say(`leader failover, controller-manager:   new leader acts after ${secs(m(cm))} (median; Lease taken after ${secs(a(cm))})`);
    say(`apiserver failover gap (watching):     ${secs(median(gaps.map((g) => g.gapMs)))} (median)`);
    say('targets');
    const worst = Math.max(m(sched), m(cm));
    say(`  leader failover < 3 s: ${secs(worst)} ${worst < 3000 ? 'OK' : 'MISSED'}`);
    Object.assign(results, { runs, leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.5, scheduler: sched, controllerManager: cm, apiserverWatchGap: gaps, medians: { schedulerActedMs: m(sched), controllerManagerActedMs: m(cm), watchGapMs: median(gaps.map((g) => g.gapMs)) } });
    mkdirSync('.bench-results', { recursive: true });
    writeFileSync('.bench-results/failover.json', JSON.stringify(results, null, 2));
  } finally {
    client.close();
    await cli('down', '--name', name).catch(() => '');
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * One apiserver kill under a watching informer: returns the gap around the kill and checks
 * that every ConfigMap written reached the informer.
 */
async function watchGap(
  endpoints: string[],
  state: () => { processes: Proc[] },
  chaosName: (pid: number) => string,
  cli: (...args: string[]) => Promise<string>,
  run: number,
): Promise<{ gapMs: number; beforeMs: number; afterMs: number; events: number }> {
  const ns = `gap-${run}`;
  const watcher = new Client({ endpoints, timeoutMs: 5000 });
  let watchedOn = '';
  // Which watch (the first, the resumed one, ...) delivered each event: events the old
  // stream had already sent may still arrive after the kill.
  let watchNo = 0;
  const base = listerWatcherFor(watcher, 'configmaps', { namespace: ns });
  const lw: ListerWatcher<ConfigMap> = {
    description: base.description,
    list: () => base.list(),
    watch: (rv) => {
      const w = base.watch(rv);
      watchedOn = w.endpoint;
      watchNo++;
      return w;
    },
  };
  const informer = new SharedIndexInformer<ConfigMap>(lw);
  const times: { t: number; watch: number }[] = [];
  informer.addEventHandler({ onAdd: () => times.push({ t: performance.now(), watch: watchNo }) });
  const admin = new Client({ endpoints, timeoutMs: 5000 });
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  informer.start();
  await informer.waitForSync();
  // The writer goes to the other apiserver first, so that its own failover is not measured.
  const writer = new Client({ endpoints: [...endpoints].sort((x) => (x === watchedOn ? 1 : -1)), timeoutMs: 5000 });
  let stop = false;
  let written = 0;
  const writing = (async () => {
    for (let i = 0; !stop; i++) {
      await writer.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${i}`, namespace: ns } });
      written++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await waitFor('events flowing', async () => (times.length >= 25 ? true : undefined), { timeoutMs: 10_000, intervalMs: 10 });
    const victim = state().processes.find((p) => p.component === 'apiserver' && p.endpoint === watchedOn);
    if (!victim) throw new Error(`the watch is on ${watchedOn}, which is no apiserver of the cluster`);
    const oldWatch = watchNo;
    const killedAt = performance.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitFor('10 events on the resumed watch', async () => (times.filter((e) => e.watch > oldWatch).length >= 10 ? true : undefined), { timeoutMs: 30_000, intervalMs: 10 });
    stop = true;
    await writing;
    await waitFor('every ConfigMap at the informer', async () => (informer.indexer.list().length === written ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    const before = times.filter((e) => e.watch <= oldWatch).at(-1)!.t;
    const after = times.find((e) => e.watch > oldWatch)!.t;
    await cli('chaos', 'start', chaosName(victim.pid));
    return { gapMs: after - before, beforeMs: killedAt - before, afterMs: after - killedAt, events: times.length };
  } finally {
    stop = true;
    await writing.catch(() => undefined);
    await informer.stop();
    watcher.close();
    writer.close();
    admin.close();
  }
}
