// Apiserver benchmarks: create/get latency and throughput at several client counts, a
// sustained create rate, and watch fan-out latency. Real etcd, real apiserver process,
// real gRPC; the load loops are bounded in count and time.
import { Client } from '@kubesim/client';
import type { ConfigMap } from '@kubesim/api';
import { summarize, type Summary } from './stats.js';

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
async function runLoad(endpoint: string, clients: number, opsPerClient: number, op: (c: Client, client: number, i: number) => Promise<unknown>): Promise<LoadResult> {
  const conns = Array.from({ length: clients }, () => new Client({ endpoints: [endpoint] }));
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

export async function benchGet(endpoint: string, ns: string, clients: number, opsPerClient: number, names: string[]): Promise<LoadResult> {
  return runLoad(endpoint, clients, opsPerClient, (c, ci, i) => c.get('configmaps', ns, names[(ci * 7919 + i) % names.length]));
}

export interface FanoutResult {
  watchers: number;
  writes: number;
  deliveries: number;
  latency: Summary;
}

/**
 * Opens `watchers` watches (spread over several channels, as separate components would
 * be), then makes `writes` writes spaced `gapMs` apart and measures, for every watcher,
 * the time from the start of the write call to the event's arrival.
 */
export async function benchWatchFanout(endpoint: string, ns: string, watchers: number, writes: number, gapMs: number): Promise<FanoutResult> {
  const channels = Array.from({ length: Math.min(10, watchers) }, () => new Client({ endpoints: [endpoint] }));
  const writer = new Client({ endpoints: [endpoint] });
  const start = await writer.list('configmaps', { namespace: ns, limit: 1 });
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let deliveries = 0;
  let opened = 0;
  const watches = Array.from({ length: watchers }, (_, w) => channels[w % channels.length].watch('configmaps', { namespace: ns, resourceVersion: start.resourceVersion, labelSelector: 'bench=fanout' }));
  const pumps = watches.map(async (w) => {
    opened++;
    try {
      for await (const ev of w) {
        if (ev.type !== 'ADDED') continue;
        const t = sentAt.get(ev.object.metadata?.name ?? '');
        if (t !== undefined) {
          lat.push(performance.now() - t);
          deliveries++;
        }
      }
    } catch {
      // cancelled at the end
    }
  });
  // Give the streams a moment to be registered server-side: wait for one probe write to reach all.
  const probe = 'fanout-probe';
  sentAt.set(probe, performance.now());
  await writer.create({ ...configMap(ns, probe), metadata: { name: probe, namespace: ns, labels: { bench: 'fanout' } } });
  const deadline = Date.now() + 10_000;
  while (deliveries < watchers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (deliveries < watchers) throw new Error(`only ${deliveries}/${watchers} watchers saw the probe write`);
  lat.length = 0;
  deliveries = 0;
  for (let i = 0; i < writes; i++) {
    const name = `fanout-${i}`;
    sentAt.set(name, performance.now());
    await writer.create({ ...configMap(ns, name), metadata: { name, namespace: ns, labels: { bench: 'fanout' } } });
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const end = Date.now() + 10_000;
  while (deliveries < watchers * writes && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  for (const w of watches) w.cancel();
  await Promise.all(pumps);
  for (const c of channels) c.close();
  writer.close();
  void opened;
  return { watchers, writes, deliveries, latency: summarize(lat) };
}
