// `kubesim status`: each process of a local cluster, its pid, and whether it answers.
import { Client } from '@kubesim/client';
import { isAlive, readState, type ClusterState } from './state.js';
import { faultTable, readFaults, type Fault } from '../chaos/faults.js';

export interface ProcessStatus {
  component: string;
  pid: number;
  status: 'Running' | 'Unhealthy' | 'Stopped';
  /** What the API says: "leader", "Ready", "NotReady". */
  note: string;
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

const LEASES: Record<string, string> = { scheduler: 'kube-scheduler', 'controller-manager': 'kube-controller-manager' };

export async function status(name: string): Promise<{ state: ClusterState; processes: ProcessStatus[]; faults: Fault[]; faultLines: string[] } | undefined> {
  const state = await readState(name);
  if (!state) return undefined;
  const client = new Client({ endpoints: [state.apiserver], timeoutMs: 2000 });
  try {
    // What the API says of each component: who leads, which nodes are Ready.
    const notes = new Map<string, string>();
    try {
      for (const [component, lease] of Object.entries(LEASES)) {
        const holder = (await client.get('leases', 'kube-system', lease)).spec?.holderIdentity ?? '';
        const p = state.processes.find((x) => x.component === component);
        if (p && holder.includes(`_${p.pid}_`)) notes.set(component, 'leader');
      }
      for (const n of (await client.list('nodes')).items) {
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        notes.set(n.metadata?.name ?? '', ready ? 'Ready' : 'NotReady');
      }
    } catch {
      // the apiserver is down: the process table still says what runs
    }
    const processes = await Promise.all(
      state.processes.map(async (p): Promise<ProcessStatus> => {
        const alive = isAlive(p.pid);
        const ok = alive && (await healthy(p.component, p.endpoint)) && notes.get(p.component) !== 'NotReady';
        const note = notes.get(p.component);
        return { component: p.component, pid: p.pid, status: !alive ? 'Stopped' : ok ? 'Running' : 'Unhealthy', note: alive ? (note ?? '') : '', endpoint: p.endpoint ?? '', log: p.log };
      }),
    );
    // Chaos faults in force (kubesim chaos ...), as a table with since-when.
    const faults = await readFaults(name);
    return { state, processes, faults, faultLines: faultTable(faults, Date.now()) };
  } finally {
    client.close();
  }
}
