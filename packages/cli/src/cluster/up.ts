// `kubesim up`: starts a local cluster's processes (etcd unless given endpoints, the
// apiserver, the scheduler, the controller-manager and one node agent per node), waits
// until they answer and the nodes are Ready, writes the context the other verbs read,
// and leaves them running on their own. A second `up` of a running cluster refuses; of a
// stopped one (its processes gone, its etcd data kept) it resumes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startApiServerProcess, startComponent, startEtcd, findEtcdBinary, waitFor, GiveUp } from '@kubesim/launcher';
import { Client } from '@kubesim/client';
import { setContext } from '../config.js';
import { clusterDir, isAlive, readState, writeState, type ClusterState, type ProcessRecord } from './state.js';

export interface UpOptions {
  name: string;
  /** External etcd endpoints; kubesim starts its own etcd when empty. */
  etcdEndpoints: string[];
  /** The apiserver's port on 127.0.0.1 (a free one is picked if it is taken). */
  port: number;
  timeoutMs: number;
  /** Number of node agents. */
  nodes: number;
  /** Node agents' runtime: real Docker containers, or hollow nodes. */
  runtime: 'docker' | 'fake';
  /** Extra flags for every node agent (e.g. --cpu 4). */
  nodeArgs?: string[];
  /** Progress lines go here. */
  say: (line: string) => void;
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function up(opts: UpOptions): Promise<ClusterState> {
  const { name, say } = opts;
  const prev = await readState(name);
  const alive = prev?.processes.filter((p) => isAlive(p.pid)) ?? [];
  if (prev && alive.length) {
    throw new Error(
      `cluster "${name}" is already running (apiserver ${prev.apiserver}; ${alive.map((p) => `${p.component} pid ${p.pid}`).join(', ')}). ` +
        `Use "kubesim down --name ${name}" first, or "kubesim up --name OTHER" for a second cluster.`,
    );
  }
  const dir = clusterDir(name);
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true });
  say(prev ? `Resuming cluster "${name}" (its processes had stopped; data kept in ${dir})` : `Creating cluster "${name}" in ${dir}`);

  const processes: ProcessRecord[] = [];
  let etcdEndpoints = opts.etcdEndpoints;
  const ownsEtcd = etcdEndpoints.length === 0 && (prev?.ownsEtcd ?? true);
  if (ownsEtcd) {
    const binary = findEtcdBinary();
    if (!binary) throw new Error('no etcd binary found: install it (apt-get install etcd-server) or pass --etcd-endpoints');
    const prevEtcd = prev?.processes.find((p) => p.component === 'etcd');
    const clientPort = prevEtcd?.endpoint ? Number(new URL(prevEtcd.endpoint).port) : await freePort();
    say(`• starting etcd (${binary}) on 127.0.0.1:${clientPort} ...`);
    const log = join(logs, 'etcd.log');
    const etcd = await startEtcd({ dataDir: join(dir, 'etcd'), clientPort, logFile: log, detached: true, timeoutMs: opts.timeoutMs, name });
    etcdEndpoints = [etcd.endpoint];
    processes.push({ component: 'etcd', pid: etcd.pid, log, endpoint: etcd.endpoint, args: [] });
    say(`  etcd ready (pid ${etcd.pid})`);
  } else if (etcdEndpoints.length === 0) {
    etcdEndpoints = prev!.etcdEndpoints;
  }

  let port = prev ? Number(prev.apiserver.split(':').pop()) : opts.port;
  if (!(await portFree(port))) {
    const other = await freePort();
    say(`  port ${port} is taken; the apiserver will listen on ${other}`);
    port = other;
  }
  const log = join(logs, 'apiserver.log');
  say(`• starting apiserver on 127.0.0.1:${port} (etcd ${etcdEndpoints.join(',')}) ...`);
  const api = await startApiServerProcess(etcdEndpoints, { port, logFile: log, detached: true, timeoutMs: opts.timeoutMs });
  processes.push({ component: 'apiserver', pid: api.pid, log, endpoint: api.endpoint, args: [] });
  say(`  apiserver ready (pid ${api.pid})`);

  const client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  try {
    const component = (component: string, args: string[]): ProcessRecord => {
      const log = join(logs, `${component}.log`);
      const c = startComponent([...args, '--server', api.endpoint], { logFile: log, detached: true });
      const rec = { component, pid: c.pid, log, args };
      processes.push(rec);
      return rec;
    };
    say('• starting scheduler and controller-manager ...');
    const sched = component('scheduler', ['scheduler']);
    const cm = component('controller-manager', ['controller-manager']);
    const names = nodeNames(name, opts.nodes);
    say(`• starting ${names.length} node agent(s) (${opts.runtime} runtime): ${names.join(', ')} ...`);
    const nodes = names.map((n) => component(n, ['node', '--name', n, '--runtime', opts.runtime, ...(opts.nodeArgs ?? [])]));
    // A leader's Lease is the sign a scheduler or controller-manager is up and acting.
    for (const [rec, lease] of [[sched, 'kube-scheduler'], [cm, 'kube-controller-manager']] as const) {
      await waitFor(
        `${rec.component} to lead (Lease kube-system/${lease})`,
        async () => {
          if (!isAlive(rec.pid)) throw new GiveUp(`${rec.component} exited; see ${rec.log}`);
          const l = await client.get('leases', 'kube-system', lease);
          return l.spec?.holderIdentity ? true : undefined;
        },
        { timeoutMs: opts.timeoutMs, intervalMs: 100 },
      );
      say(`  ${rec.component} ready (pid ${rec.pid})`);
    }
    let shown = -1;
    await waitFor(
      `nodes Ready`,
      async () => {
        for (const n of nodes) if (!isAlive(n.pid)) throw new GiveUp(`node agent ${n.component} exited; see ${n.log}`);
        const list = await client.list('nodes');
        const ready = list.items.filter((n) => names.includes(n.metadata?.name ?? '') && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
        if (ready !== shown) say(`  nodes Ready: ${ready}/${names.length}`);
        shown = ready;
        return ready === names.length ? true : undefined;
      },
      { timeoutMs: opts.timeoutMs, intervalMs: 100 },
    );
  } finally {
    client.close();
  }

  const state: ClusterState = {
    name,
    createdAt: prev?.createdAt ?? new Date().toISOString(),
    apiserver: api.endpoint,
    etcdEndpoints,
    ownsEtcd,
    processes,
  };
  await writeState(state);
  await setContext(name, { servers: [api.endpoint] });
  return state;
}

/** Node names: node-1..N for the default cluster, <cluster>-node-1..N for others (one Docker engine may hold several). */
export function nodeNames(cluster: string, n: number): string[] {
  const prefix = cluster === 'kubesim' ? 'node' : `${cluster}-node`;
  return Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
}
