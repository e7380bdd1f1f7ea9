// Worker thread for the fan-out benchmark: N real watch clients (decoding every event,
// as a component would) on their own event loop, so the writer's thread is not also
// the watchers'. Reports when each watcher saw each object.
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from '@kubesim/client';

interface Params {
  endpoint: string;
  namespace: string;
  watchers: number;
  channels: number;
  resourceVersion: string;
  labelSelector: string;
}

const p = workerData as Params;
const now = () => performance.timeOrigin + performance.now();
const clients = Array.from({ length: p.channels }, () => new Client({ endpoints: [p.endpoint] }));
/** arrivals.get(name)[i] = when watcher i saw `name` ADDED (absolute ms). */
const arrivals = new Map<string, number[]>();
const watches = Array.from({ length: p.watchers }, (_, i) =>
  clients[i % clients.length].watch('configmaps', { namespace: p.namespace, resourceVersion: p.resourceVersion, labelSelector: p.labelSelector }),
);
const pumps = watches.map(async (w, i) => {
  try {
    for await (const ev of w) {
      if (ev.type !== 'ADDED') continue;
      const name = ev.object.metadata?.name ?? '';
      let a = arrivals.get(name);
      if (!a) arrivals.set(name, (a = []));
      a[i] = now();
    }
  } catch {
    // cancelled at the end
  }
});

parentPort!.on('message', async (msg: { type: string; name?: string }) => {
  if (msg.type === 'seen') {
    const a = arrivals.get(msg.name!) ?? [];
    parentPort!.postMessage({ type: 'seen', count: a.filter((x) => x !== undefined).length });
  } else if (msg.type === 'report') {
    parentPort!.postMessage({ type: 'report', arrivals: Object.fromEntries(arrivals) });
  } else if (msg.type === 'stop') {
    for (const w of watches) w.cancel();
    await Promise.all(pumps);
    for (const c of clients) c.close();
    parentPort!.close();
  }
});
