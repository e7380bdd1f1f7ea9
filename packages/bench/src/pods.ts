// Pod startup latency on real Docker: a running cluster (not measured), then P pods
// created by C concurrent clients; for each pod, create call start -> its Ready condition
// True as seen through a watch (kube's pod startup SLI, which counts to Running with
// every container started; our Ready has no probes here, so it is set in the same status
// write that reports the containers running). Also the steps in between: create -> bound
// (scheduler) and bound -> Ready (node agent: sandbox + app container + status write).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Pod } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { containersWithLabel } from './docker.js';
import { startDockerCluster, type DockerCluster } from './docker-cluster.js';
import { trackPods, type PodTimes, type PodTracker } from './pod-tracker.js';
import { summarize, type Summary } from './stats.js';

const exec = promisify(execFile);

export const IMAGES_SCRIPT = fileURLToPath(new URL('../../../scripts/images.sh', import.meta.url));

/** Builds the images the pods run (incremental: up-to-date images are kept). */
export async function ensureImages(names: string[]): Promise<void> {
  await exec('bash', [IMAGES_SCRIPT, ...names], { timeout: 300_000 });
}

/** How pods are created: `latency` keeps `concurrency` pod startups in flight (each
 * client creates the next pod once its last one is Ready), as the latency pods of
 * Kubernetes' density test are measured apart from the load; `burst` creates every pod
 * back to back, so later pods queue behind earlier ones on the nodes and in dockerd. */
export type PhaseMode = 'latency' | 'burst';

export interface PhaseResult {
  mode: PhaseMode;
  pods: number;
  concurrency: number;
  /** create call start -> Ready condition True seen through the watch */
  latency: Summary;
  /** create call start -> spec.nodeName seen */
  toBound: Summary;
  /** bound seen -> Ready seen */
  boundToReady: Summary;
  /** the create calls themselves */
  createCall: Summary;
  /** first create call start -> last pod Ready */
  seconds: number;
  podsPerNode: Record<string, number>;
  /** delete calls -> pods and their containers gone */
  cleanupSeconds: number;
  /** per pod, wall-clock ms since the epoch (to line up with the components' logs) */
  timeline: Record<string, { node?: string; create: number; bound: number; ready: number }>;
}

export interface PodStartupResult {
  nodes: number;
  image: string;
  phases: PhaseResult[];
  /** containers left behind after the cluster stopped (removed by the bench) */
  leftovers: number;
}

function pod(ns: string, name: string, image: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'bench-startup' } },
    spec: {
      containers: [{ name: 'c', image, imagePullPolicy: 'IfNotPresent', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
      terminationGracePeriodSeconds: 2,
    },
  };
}

async function inParallel<T>(items: T[], concurrency: number, fn: (item: T, worker: number) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (i < items.length) await fn(items[i++], w);
    }),
  );
}

/** Deletes every pod of `ns` and waits until they and the nodes' containers for them are gone. */
export async function deletePodsAndWait(cluster: DockerCluster, tracker: PodTracker, ns: string, timeoutMs: number): Promise<void> {
  const list = await cluster.client.list('pods', { namespace: ns });
  await Promise.all(list.items.map((p) => cluster.client.delete('pods', ns, p.metadata!.name!).catch(() => undefined)));
  await tracker.waitUntil(`pods of ${ns} gone`, () => tracker.liveCount() === 0, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let n = 0;
    for (const node of cluster.nodes) n += (await containersWithLabel(`kubesim.node=${node}`)).length;
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} container(s) of the bench's nodes still there ${timeoutMs} ms after their pods were deleted`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const epoch = (perfNow: number) => Math.round(performance.timeOrigin + perfNow);

async function runPhase(cluster: DockerCluster, tracker: PodTracker, conns: Client[], ns: string, mode: PhaseMode, pods: number, image: string): Promise<PhaseResult> {
  const concurrency = conns.length;
  const createdAt = new Map<string, number>();
  const createCall: number[] = [];
  const names = Array.from({ length: pods }, (_, i) => `${mode}-${i}`);
  const t0 = performance.now();
  await inParallel(names, concurrency, async (n, w) => {
    const s = performance.now();
    createdAt.set(n, s);
    await conns[w].create(pod(ns, n, image));
    createCall.push(performance.now() - s);
    if (mode === 'latency') await tracker.waitUntil(`pod ${n} Ready`, () => tracker.times.get(n)?.ready !== undefined, 60_000);
  });
  await tracker.waitUntil(`${pods} pods Ready`, () => names.every((n) => tracker.times.get(n)?.ready !== undefined), 120_000);
  const mine = names.map((n) => [n, tracker.times.get(n)!] as [string, PodTimes]);
  const lastReady = Math.max(...mine.map(([, t]) => t.ready!));
  const podsPerNode: Record<string, number> = {};
  for (const [, t] of mine) podsPerNode[t.node ?? '?'] = (podsPerNode[t.node ?? '?'] ?? 0) + 1;
  const c0 = performance.now();
  await deletePodsAndWait(cluster, tracker, ns, 90_000);
  return {
    mode,
    pods,
    concurrency,
    latency: summarize(mine.map(([n, t]) => t.ready! - createdAt.get(n)!)),
    toBound: summarize(mine.map(([n, t]) => t.bound! - createdAt.get(n)!)),
    boundToReady: summarize(mine.map(([, t]) => t.ready! - t.bound!)),
    createCall: summarize(createCall),
    seconds: (lastReady - t0) / 1000,
    podsPerNode,
    cleanupSeconds: (performance.now() - c0) / 1000,
    timeline: Object.fromEntries(mine.map(([n, t]) => [n, { node: t.node, create: epoch(createdAt.get(n)!), bound: epoch(t.bound!), ready: epoch(t.ready!) }])),
  };
}

/** One cluster (start not measured), then each phase in turn, each cleaning up after itself. */
export async function benchPodStartup(logDir: string, nodeCount: number, phases: { mode: PhaseMode; pods: number; concurrency: number }[], image: string): Promise<PodStartupResult> {
  const cluster = await startDockerCluster(logDir, nodeCount, 'pods');
  const results: PhaseResult[] = [];
  let ok = false;
  let leftovers = 0;
  try {
    const ns = 'bench-startup';
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const tracker = await trackPods(cluster.client, ns);
    const maxConns = Math.max(...phases.map((p) => p.concurrency));
    const conns = Array.from({ length: maxConns }, () => new Client({ endpoints: [cluster.endpoint] }));
    try {
      await Promise.all(conns.map((c) => c.version()));
      for (const ph of phases) results.push(await runPhase(cluster, tracker, conns.slice(0, ph.concurrency), ns, ph.mode, ph.pods, image));
      ok = true;
    } finally {
      await tracker.stop();
      for (const c of conns) c.close();
    }
  } finally {
    leftovers = await cluster.stop();
  }
  if (!ok) throw new Error('unreachable');
  return { nodes: nodeCount, image, phases: results, leftovers };
}
