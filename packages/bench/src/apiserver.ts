// Apiserver benchmarks: create/get latency and throughput at several client counts, a
// sustained create rate, and watch fan-out latency. Real etcd, real apiserver process,
// real gRPC; the load loops are bounded in count and time.
import { Client } from '@kubesim/client';
import type { ConfigMap } from '@kubesim/api';
import { Worker } from 'node:worker_threads';
import { summarize, type Summary } from './stats.js';
import { processCpuSeconds } from './proc.js';

export interface LoadResult {
  clients: number;
  ops: number;
  seconds: number;
  perSecond: number;
  latency: Summary;
}

function configMap(ns: string, name: string, extra: Record<string, string> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, annotations: extra }, data: { key: 'value', name } };
}

/** `clients` concurrent clients (one gRPC channel each) each run `opsPerClient` calls back to back. */
async function runLoad(endpoint: string, clients: number, opsPerClient: number, op: (c: Client, client: number, i: number) => Promise<unknown>, transport: 'stream' | 'unary' = 'stream'): Promise<LoadResult> {
  const conns = Array.from({ length: clients }, () => new Client({ endpoints: [endpoint], transport }));
  // Warm each channel so connection set-up is not measured.
  await Promise.all(conns.map((c) => c.version()));
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    conns.map(async (c, ci) => {
      for (let i = 0; i < opsPerClient; i++) {
        const s = performance.now();
        await op(c, ci, i);
        lat.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const c of conns) c.close();
  return { clients, ops: lat.length, seconds, perSecond: lat.length / seconds, latency: summarize(lat) };
}

export async function benchCreate(endpoint: string, ns: string, clients: number, opsPerClient: number, tag: string): Promise<LoadResult> {
  return runLoad(endpoint, clients, opsPerClient, (c, ci, i) => c.create(configMap(ns, `${tag}-${ci}-${i}`)));
}

/**
 * Paced load: `clients` clients each start a create every `1000 / perClientRate` ms for
 * `seconds`. Latency counts from when a call was due (not when it went out), so a server
 * that falls behind is charged for the wait (no coordinated omission).
 */
export async function benchCreatePaced(endpoint: string, ns: string, clients: number, perClientRate: number, seconds: number, tag: string): Promise<LoadResult> {
  const conns = Array.from({ length: clients }, () => new Client({ endpoints: [endpoint] }));
  await Promise.all(conns.map((c) => c.version()));
  const interval = 1000 / perClientRate;
  const count = Math.round(seconds * perClientRate);
  const lat: number[] = [];
  const t0 = performance.now() + 10;
  await Promise.all(
    conns.map(async (c, ci) => {
      // Stagger the clients over one interval so they do not all fire together.
      const offset = (ci * interval) / clients;
      for (let i = 0; i < count; i++) {
        const due = t0 + offset + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await c.create(configMap(ns, `${tag}-${ci}-${i}`));
        lat.push(performance.now() - due);
      }
    }),
  );
  const secondsTaken = (performance.now() - t0) / 1000;
  for (const c of conns) c.close();
  return { clients, ops: lat.length, seconds: secondsTaken, perSecond: lat.length / secondsTaken, latency: summarize(lat) };
}

export async function benchGet(endpoint: string, ns: string, clients: number, opsPerClient: number, names: string[]): Promise<LoadResult> {
  return runLoad(endpoint, clients, opsPerClient, (c, ci, i) => c.get('configmaps', ns, names[(ci * 7919 + i) % names.length]));
}

export interface FanoutResult {
  watchers: number;
  writes: number;
  deliveries: number;
  latency: Summary;
}

function ask<T>(worker: Worker, msg: object, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      worker.off('message', on);
      resolve(m as T);
    };
    worker.on('message', on);
    worker.postMessage(msg);
  });
}

/**
 * Opens `watchers` watches (real clients over 10 channels, in a worker thread), then
 * makes `writes` creates spaced `gapMs` apart and measures, for every watcher, the time
 * from the start of the create call to the event's arrival.
 */
export async function benchWatchFanout(endpoint: string, ns: string, watchers: number, writes: number, gapMs: number): Promise<FanoutResult> {
  const writer = new Client({ endpoints: [endpoint] });
  const start = await writer.list('configmaps', { namespace: ns, limit: 1 });
  const labels = { bench: 'fanout' };
  const worker = new Worker(new URL('./fanout-watchers.js', import.meta.url), {
    workerData: { endpoint, namespace: ns, watchers, channels: 10, resourceVersion: start.resourceVersion, labelSelector: 'bench=fanout' },
  });
  const now = () => performance.timeOrigin + performance.now();
  const seen = async (name: string, want: number, timeoutMs: number): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { count } = await ask<{ count: number }>(worker, { type: 'seen', name }, 'seen');
      if (count >= want || Date.now() > deadline) return count;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    // A probe write that every watcher must see proves all streams are established.
    await writer.create({ ...configMap(ns, 'fanout-probe'), metadata: { name: 'fanout-probe', namespace: ns, labels } });
    const got = await seen('fanout-probe', watchers, 15_000);
    if (got < watchers) throw new Error(`only ${got}/${watchers} watchers saw the probe write`);
    const sentAt = new Map<string, number>();
    for (let i = 0; i < writes; i++) {
      const name = `fanout-${i}`;
      sentAt.set(name, now());
      await writer.create({ ...configMap(ns, name), metadata: { name, namespace: ns, labels } });
      await new Promise((r) => setTimeout(r, gapMs));
    }
    await seen(`fanout-${writes - 1}`, watchers, 10_000);
    const { arrivals } = await ask<{ arrivals: Record<string, number[]> }>(worker, { type: 'report' }, 'report');
    const lat: number[] = [];
    for (const [name, t0] of sentAt) for (const t of arrivals[name] ?? []) if (t !== undefined && t !== null) lat.push(t - t0);
    return { watchers, writes, deliveries: lat.length, latency: summarize(lat) };
  } finally {
    worker.postMessage({ type: 'stop' });
    await new Promise((r) => worker.once('exit', r));
    writer.close();
  }
}

export interface TransportResult extends LoadResult {
  transport: 'stream' | 'unary';
  /** CPU time per call, µs: the load generator's (all its clients) and the apiserver's. */
  clientCpuMicros: number;
  serverCpuMicros: number;
}

/**
 * The same gets sent as unary calls and as frames of the Requests stream, with the CPU
 * each costs the load generator and the apiserver: what the stream transport saves.
 */
export async function benchTransport(endpoint: string, apiserverPid: number, ns: string, clients: number, opsPerClient: number, names: string[]): Promise<TransportResult[]> {
  const out: TransportResult[] = [];
  for (const transport of ['unary', 'stream'] as const) {
    const cpu0 = process.cpuUsage();
    const server0 = processCpuSeconds(apiserverPid);
    const r = await runLoad(endpoint, clients, opsPerClient, (c, ci, i) => c.get('configmaps', ns, names[(ci * 7919 + i) % names.length]), transport);
    const used = process.cpuUsage(cpu0);
    out.push({
      ...r,
      transport,
      clientCpuMicros: (used.user + used.system) / r.ops,
      serverCpuMicros: ((processCpuSeconds(apiserverPid) - server0) * 1e6) / r.ops,
    });
  }
  return out;
}
