// Node death -> all replacement pods Ready, on a real `kubesim up --nodes 3 --profile fast`
// cluster (Docker node agents). Each run: a Deployment spread over the nodes, the agent of
// the node holding most of its pods killed with its containers (`kubesim chaos node kill
// NODE --with-pods`, a power cut), and the time from the kill (the agent's process gone) to
// each step the cluster takes, stamped as this process sees them through informers:
// Ready no longer True, the unreachable NoExecute taint, every pod of the node marked for
// deletion, their replacements created, all replicas Ready again on the other nodes. Then
// the node is started again and the Deployment rebalanced (scaled to 0 and back) for the
// next run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject, Node, Pod } from '@kubesim/api';
import { Client, SharedIndexInformer, deletedObject, listerWatcherFor, newLogger, type Logger } from '@kubesim/client';
import { CLI_MAIN, freePort, waitFor } from '@kubesim/launcher';
import { percentile } from './stats.js';
import { removeContainersWithLabel } from './docker.js';
import { countFlag } from './args.js';

const exec = promisify(execFile);
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** Writes a section's results to .bench-results/<section>.json. */
export function saveResults(section: string, results: unknown): void {
  mkdirSync('.bench-results', { recursive: true });
  writeFileSync(`.bench-results/${section}.json`, JSON.stringify(results, null, 2));
}

/** A `kubesim up` cluster of the bench's own, in its own KUBESIM_HOME. */
export interface UpCluster {
  name: string;
  home: string;
  nodes: string[];
  client: Client;
  cli(args: string[], input?: string): Promise<string>;
  /** The pid of a component (a node agent: its node name) from the cluster's state. */
  pidOf(component: string): number;
  down(): Promise<void>;
}

export async function upCluster(name: string, nodeCount: number, profile: 'fast' | 'default'): Promise<UpCluster> {
  const home = mkdtempSync(join(tmpdir(), `kubesim-bench-${name}-`));
  const env = { ...process.env, KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const cli = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [CLI_MAIN, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubesim ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
      child.stdin?.end(input ?? '');
    });
  const stateFile = join(home, 'clusters', name, 'state.json');
  const nodes = Array.from({ length: nodeCount }, (_, i) => `${name}-node-${i + 1}`);
  const down = async () => {
    await cli(['down', '--name', name]).catch(() => undefined);
    for (const n of nodes) await removeContainersWithLabel(`kubesim.node=${n}`);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await cli(['up', '--name', name, '--nodes', String(nodeCount), '--profile', profile, '--port', String(await freePort())]);
  } catch (e) {
    await down();
    throw e;
  }
  const state = () => JSON.parse(readFileSync(stateFile, 'utf8')) as { apiserver: string; processes: { component: string; pid: number }[] };
  const client = new Client({ endpoints: [state().apiserver] });
  return {
    name,
    home,
    nodes,
    client,
    cli,
    pidOf: (component) => {
      const p = state().processes.find((x) => x.component === component);
      if (!p) throw new Error(`no process "${component}" in ${stateFile}`);
      return p.pid;
    },
    down: async () => {
      client.close();
      await down();
    },
  };
}

/** A Deployment of the demo image; a 1 s grace period so that scaling down to rebalance is quick. */
export function demoDeployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: web, image: 'kubesim/hostname:latest', imagePullPolicy: IfNotPresent, ports: [{containerPort: 80}]}
`;
}

export const readyStatus = (n: Node | undefined): string | undefined => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const podReady = (p: Pod) => !p.metadata?.deletionTimestamp && (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** Informers' own lines only when something is wrong: the bench prints its figures on stdout. */
export const quietLogger = (): Logger => newLogger('bench').child({}, { level: 'warn' });

/** Dead: no such process, or a zombie nobody reaped yet. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return true;
  }
}

/** A started informer whose handler runs on every add, update and delete. */
export async function follow<T extends KubeObject>(inf: SharedIndexInformer<T>, on: (obj: T, deleted: boolean) => void): Promise<SharedIndexInformer<T>> {
  inf.addEventHandler({ onAdd: (o) => on(o, false), onUpdate: (_old, o) => on(o, false), onDelete: (o) => on(deletedObject(o), true) });
  inf.start();
  await inf.waitForSync();
  return inf;
}

export interface NodeDeathRun {
  node: string;
  /** Pods of the Deployment on the node when it died (K). */
  pods: number;
  /** Milliseconds from the kill (the agent's process gone) to: */
  notReadyMs: number;
  taintMs: number;
  evictedMs: number;
  replacementsCreatedMs: number;
  readyMs: number;
  /** From `chaos node start` to the node Ready, untainted, its old pods confirmed deleted. */
  recoveryMs: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface NodeDeathResult {
  nodes: number;
  replicas: number;
  runs: NodeDeathRun[];
  summary: Record<'notReadyMs' | 'taintMs' | 'evictedMs' | 'replacementsCreatedMs' | 'readyMs' | 'recoveryMs', Spread>;
}

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { median: percentile(s, 50), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

/** Scales the Deployment to 0 and back so its pods spread over every node again. */
async function rebalance(c: UpCluster, app: string, replicas: number): Promise<Pod[]> {
  const pods = async () => (await c.client.list('pods', { namespace: 'default', labelSelector: `app=${app}` })).items;
  await c.cli(['scale', `deployment/${app}`, '--replicas=0']);
  await waitFor('no pods left', async () => ((await pods()).length === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 100 });
  await c.cli(['scale', `deployment/${app}`, `--replicas=${replicas}`]);
  return waitFor(
    `${replicas} pods Ready`,
    async () => {
      const p = await pods();
      return p.length === replicas && p.every(podReady) ? p : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

async function oneRun(c: UpCluster, app: string, replicas: number, say: (s: string) => void): Promise<NodeDeathRun> {
  const spreadOut = await rebalance(c, app, replicas);
  const perNode = new Map<string, Pod[]>();
  for (const p of spreadOut) perNode.set(p.spec!.nodeName!, [...(perNode.get(p.spec!.nodeName!) ?? []), p]);
  const [victim, victims] = [...perNode.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const victimUids = new Set(victims.map((p) => p.metadata!.uid!));
  const before = new Set(spreadOut.map((p) => p.metadata!.uid!));

  const stamps = new Map<string, number>();
  let killedAt = 0;
  const stamp = (what: string) => {
    if (killedAt && !stamps.has(what)) stamps.set(what, performance.now() - killedAt);
  };
  const nodes = new Map<string, Node>();
  const pods = new Map<string, Pod>();
  const check = () => {
    if (!killedAt) return;
    const n = nodes.get(victim);
    if (readyStatus(n) !== 'True') stamp('notReady');
    if (n?.spec?.taints?.some((t) => t.key === UNREACHABLE && t.effect === 'NoExecute')) stamp('taint');
    const old = [...pods.values()].filter((p) => victimUids.has(p.metadata!.uid!));
    if (old.every((p) => p.metadata?.deletionTimestamp)) stamp('evicted');
    const fresh = [...pods.values()].filter((p) => !before.has(p.metadata!.uid!));
    if (fresh.length >= victims.length) stamp('created');
    const live = [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
    if (live.length === replicas && live.every((p) => podReady(p) && p.spec?.nodeName !== victim)) stamp('ready');
  };
  const nodeInf = await follow(new SharedIndexInformer<Node>(listerWatcherFor(c.client, 'nodes'), { name: 'bench nodes', logger: quietLogger() }), (n, deleted) => {
    if (deleted) nodes.delete(n.metadata!.name!);
    else nodes.set(n.metadata!.name!, n);
    check();
  });
  const podInf = await follow(new SharedIndexInformer<Pod>(listerWatcherFor(c.client, 'pods', { namespace: 'default', labelSelector: `app=${app}` }), { name: 'bench pods', logger: quietLogger() }), (p, deleted) => {
    if (deleted) pods.delete(p.metadata!.uid!);
    else pods.set(p.metadata!.uid!, p);
    check();
  });
  try {
    const pid = c.pidOf(victim);
    const kill = c.cli(['chaos', 'node', 'kill', victim, '--with-pods', '--name', c.name]);
    // The clock starts when the agent's process is gone, not when the CLI was spawned.
    await waitFor('the node agent gone', async () => (gone(pid) ? true : undefined), { timeoutMs: 30_000, intervalMs: 2 });
    killedAt = performance.now();
    check();
    say(`    ${(await kill).trim()}`);
    await waitFor('all replicas Ready off the dead node', async () => (stamps.has('ready') ? true : undefined), { timeoutMs: 120_000, intervalMs: 20 });
  } finally {
    await nodeInf.stop();
    await podInf.stop();
  }

  const t = performance.now();
  await c.cli(['chaos', 'node', 'start', victim, '--name', c.name]);
  await waitFor(
    `${victim} Ready, untainted, its old pods confirmed deleted`,
    async () => {
      const n = await c.client.get('nodes', '', victim);
      if (readyStatus(n) !== 'True' || n.spec?.taints?.length) return undefined;
      const left = (await c.client.list('pods', { namespace: 'default' })).items.filter((p) => victimUids.has(p.metadata!.uid!));
      return left.length ? undefined : true;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  const get = (k: string) => stamps.get(k) ?? NaN;
  return {
    node: victim,
    pods: victims.length,
    notReadyMs: get('notReady'),
    taintMs: get('taint'),
    evictedMs: get('evicted'),
    replacementsCreatedMs: get('created'),
    readyMs: get('ready'),
    recoveryMs: performance.now() - t,
  };
}

export async function benchNodeDeath(runs: number, nodeCount: number, replicas: number, say: (s: string) => void): Promise<NodeDeathResult> {
  const app = 'death';
  say(`  starting a ${nodeCount}-node cluster (kubesim up --profile fast, Docker runtime) ...`);
  const c = await upCluster('benchdeath', nodeCount, 'fast');
  try {
    await c.cli(['apply', '-f', '-'], demoDeployment(app, replicas));
    const out: NodeDeathRun[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await oneRun(c, app, replicas, say);
      out.push(r);
      const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
      say(`  run ${i + 1}: ${r.node} with ${r.pods} pods: NotReady ${s(r.notReadyMs)}, taint ${s(r.taintMs)}, evicted ${s(r.evictedMs)}, replacements created ${s(r.replacementsCreatedMs)}, all Ready ${s(r.readyMs)}; node back and clean ${s(r.recoveryMs)} after start`);
    }
    const keys = ['notReadyMs', 'taintMs', 'evictedMs', 'replacementsCreatedMs', 'readyMs', 'recoveryMs'] as const;
    const summary = Object.fromEntries(keys.map((k) => [k, spread(out.map((r) => r[k]))])) as NodeDeathResult['summary'];
    return { nodes: nodeCount, replicas, runs: out, summary };
  } finally {
    await c.down();
  }
}

/** `npm run bench -- node-death [--runs N]`. */
export async function nodeDeathSection(say: (s: string) => void, argv: string[]): Promise<void> {
  const runs = countFlag(argv, '--runs', 5);
  const nodes = 3;
  const replicas = 6;
  say(`\nnode death -> all replacement pods Ready (fast profile, Docker runtime, ${nodes} nodes, a Deployment of ${replicas}; the node with most of them killed with --with-pods; ${runs} runs; times from the agent's death)`);
  const r = await benchNodeDeath(runs, nodes, replicas, say);
  const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
  const row = (label: string, x: Spread) => `  ${label.padEnd(36)} median ${s(x.median).padStart(8)}  min ${s(x.min).padStart(8)}  max ${s(x.max).padStart(8)}`;
  say(row('kill -> node NotReady (Unknown)', r.summary.notReadyMs));
  say(row('kill -> unreachable NoExecute taint', r.summary.taintMs));
  say(row('kill -> its pods marked for deletion', r.summary.evictedMs));
  say(row('kill -> replacements created', r.summary.replacementsCreatedMs));
  say(row('kill -> all replicas Ready', r.summary.readyMs));
  say(row('node start -> Ready and cleaned up', r.summary.recoveryMs));
  say(`  target all Ready < 10 s: median ${s(r.summary.readyMs.median)} ${r.summary.readyMs.median < 10_000 ? 'OK' : 'MISSED'} (max ${s(r.summary.readyMs.max)})`);
  say(
    "  Kubernetes' defaults: Unknown + taint after --node-monitor-grace-period 50 s (checked every --node-monitor-period 5 s), then the default" +
      ' unreachable toleration of 300 s (DefaultTolerationSeconds) before eviction: about 350-355 s, plus pod startup -> ~5 min 50 s to all Ready' +
      ` (fast profile: grace 4 s, period 1 s, toleration 2 s -> ~6-7 s plus startup)`,
  );
  saveResults('node-death', r);
}
