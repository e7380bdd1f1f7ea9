// Scheduler throughput: N Ready nodes (Node objects, as kube-scheduler's own perf tests
// use), the scheduler as its own process, then P pods created as fast as the API takes
// them; measures create -> bound for every pod from one watch.
import { Client } from '@kubesim/client';
import type { Node, Pod } from '@kubesim/api';
import { startComponent, waitFor, type RunningComponent } from '@kubesim/launcher';
import { summarize, type Summary } from './stats.js';

export interface SchedulerResult {
  nodes: number;
  pods: number;
  seconds: number;
  podsPerSecond: number;
  /** create call start -> the pod seen bound */
  latency: Summary;
}

function node(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'bench.kubesim.io/hollow': 'true' } },
    spec: {},
  };
}

function readyStatus(n: Node): Node {
  return {
    ...n,
    status: {
      capacity: { cpu: '32', memory: '128Gi', pods: '110' },
      allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'hollow node', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    },
  };
}

function pod(ns: string, name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'kubesim/pause:latest', resources: { requests: { cpu: '10m', memory: '10Mi' } } }] },
  };
}

async function inBatches<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

export async function benchScheduler(endpoint: string, nodes: number, pods: number, log: string): Promise<SchedulerResult> {
  const client = new Client({ endpoints: [endpoint] });
  const ns = 'bench-sched';
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const names = Array.from({ length: nodes }, (_, i) => `hollow-${i + 1}`);
  await inBatches(names, 20, async (n) => {
    const created = await client.create(node(n));
    await client.updateStatus(readyStatus(created));
  });
  let sched: RunningComponent | undefined;
  // 20 concurrent creators share 4 channels, as a few client processes would.
  const conns = Array.from({ length: 4 }, () => new Client({ endpoints: [endpoint] }));
  try {
    sched = startComponent(['scheduler', '--server', endpoint, '--leader-elect=false'], { logFile: log, env: { KUBESIM_LOG_LEVEL: 'warn' } });
    const createdAt = new Map<string, number>();
    const latencies: number[] = [];
    let bound = 0;
    let lastBound = 0;
    const start = await client.list('pods', { namespace: ns, limit: 1 });
    // Only bound pods: the load generator shares the two cores with what it measures.
    const watch = client.watch('pods', { namespace: ns, resourceVersion: start.resourceVersion, fieldSelector: 'spec.nodeName!=' });
    const seen = new Set<string>();
    const pump = (async () => {
      try {
        for await (const ev of watch) {
          const name = ev.object.metadata?.name ?? '';
          if (ev.type === 'BOOKMARK' || !ev.object.spec?.nodeName || seen.has(name)) continue;
          seen.add(name);
          const t = createdAt.get(name);
          if (t !== undefined) latencies.push(performance.now() - t);
          bound++;
          lastBound = performance.now();
        }
      } catch {
        // cancelled
      }
    })();
    const podNames = Array.from({ length: pods }, (_, i) => `p-${i}`);
    const t0 = performance.now();
    let k = 0;
    await inBatches(podNames, 20, async (n) => {
      createdAt.set(n, performance.now());
      await conns[k++ % conns.length].create(pod(ns, n));
    });
    await waitFor(`${pods} pods bound`, async () => (bound >= pods ? true : undefined), { timeoutMs: 120_000, intervalMs: 50 });
    watch.cancel();
    await pump;
    const seconds = (lastBound - t0) / 1000;
    return { nodes, pods, seconds, podsPerSecond: pods / seconds, latency: summarize(latencies) };
  } finally {
    await sched?.stop();
    for (const c of conns) c.close();
    client.close();
  }
}
