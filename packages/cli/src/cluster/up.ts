// `kubesim up`: starts a local cluster's processes (etcd unless given endpoints, then the
// apiserver), waits until they answer, writes the context the other verbs read, and
// leaves them running on their own. A second `up` of a running cluster refuses; of a
// stopped one (its processes gone, its etcd data kept) it resumes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startApiServerProcess, startEtcd, findEtcdBinary } from '@kubesim/launcher';
import { setContext } from '../config.js';
import { clusterDir, isAlive, readState, writeState, type ClusterState, type ProcessRecord } from './state.js';

export interface UpOptions {
  name: string;
  /** External etcd endpoints; kubesim starts its own etcd when empty. */
  etcdEndpoints: string[];
  /** The apiserver's port on 127.0.0.1 (a free one is picked if it is taken). */
  port: number;
  timeoutMs: number;
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
