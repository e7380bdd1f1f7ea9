// `kubesim status`: each process of a local cluster, its pid, and whether it answers.
import { Client } from '@kubesim/client';
import { isAlive, readState, type ClusterState } from './state.js';

export interface ProcessStatus {
  component: string;
  pid: number;
  status: 'Running' | 'Unhealthy' | 'Stopped';
  endpoint: string;
  log: string;
}

async function healthy(component: string, endpoint: string | undefined): Promise<boolean> {
  if (!endpoint) return true;
  try {
    if (component === 'etcd') {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2000) });
      return ((await res.json()) as { health?: string }).health === 'true';
    }
    if (component === 'apiserver') {
      const c = new Client({ endpoints: [endpoint], timeoutMs: 2000 });
      try {
        await c.version();
      } finally {
        c.close();
      }
    }
    return true;
  } catch {
    return false;
  }
}

export async function status(name: string): Promise<{ state: ClusterState; processes: ProcessStatus[] } | undefined> {
  const state = await readState(name);
  if (!state) return undefined;
  const processes = await Promise.all(
    state.processes.map(async (p): Promise<ProcessStatus> => {
      const alive = isAlive(p.pid);
      const ok = alive && (await healthy(p.component, p.endpoint));
      return { component: p.component, pid: p.pid, status: !alive ? 'Stopped' : ok ? 'Running' : 'Unhealthy', endpoint: p.endpoint ?? '', log: p.log };
    }),
  );
  return { state, processes };
}
