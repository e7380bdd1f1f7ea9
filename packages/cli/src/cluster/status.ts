// `kubesim status`: each process of a local cluster, its pid, and whether it answers;
// for an HA control plane also who leads: the etcd leader member, and the holders of the
// scheduler's and controller-manager's Leases.
import { Client } from '@kubesim/client';
import { etcdMemberStatus } from '@kubesim/launcher';
import { apiserverEndpoints, isAlive, readState, type ClusterState } from './state.js';
import { controlPlaneNames, pidOfIdentity } from '../chaos/names.js';
import { faultTable, readFaults, type Fault } from '../chaos/faults.js';

export interface ProcessStatus {
  component: string;
  /** Its name in chaos verbs for a control-plane process (etcd-1, scheduler-2), else the component (a node's name). */
  name: string;
  pid: number;
  status: 'Running' | 'Unhealthy' | 'Stopped';
  /** Its role or what the API says: "leader", "standby", "follower" (etcd), "Ready", "NotReady". */
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
  const client = new Client({ endpoints: apiserverEndpoints(state), timeoutMs: 2000 });
  try {
    // What the API says of each process, by pid: who leads; and of each node: Ready or not.
    const byPid = new Map<number, string>();
    const nodes = new Map<string, string>();
    try {
      for (const [component, lease] of Object.entries(LEASES)) {
        const holder = pidOfIdentity((await client.get('leases', 'kube-system', lease)).spec?.holderIdentity ?? '');
        const candidates = state.processes.filter((x) => x.component === component);
        for (const p of candidates) byPid.set(p.pid, p.pid === holder ? 'leader' : candidates.length > 1 ? 'standby' : '');
      }
      for (const n of (await client.list('nodes')).items) {
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        nodes.set(n.metadata?.name ?? '', ready ? 'Ready' : 'NotReady');
      }
    } catch {
      // no apiserver answers: the process table still says what runs
    }
    // etcd members say themselves whether they lead (only worth showing among several).
    const members = state.processes.filter((p) => p.component === 'etcd' && p.endpoint);
    if (members.length > 1) {
      await Promise.all(
        members.map(async (p) => {
          const s = await etcdMemberStatus(p.endpoint!).catch(() => undefined);
          if (s) byPid.set(p.pid, s.isLeader ? 'leader' : 'follower');
        }),
      );
    }
    const names = new Map(controlPlaneNames(state.processes).map((x) => [x.process, x.name]));
    const processes = await Promise.all(
      state.processes.map(async (p): Promise<ProcessStatus> => {
        const alive = isAlive(p.pid);
        const note = byPid.get(p.pid) || nodes.get(p.component) || '';
        const ok = alive && (await healthy(p.component, p.endpoint)) && note !== 'NotReady';
        return { component: p.component, name: names.get(p) ?? p.component, pid: p.pid, status: !alive ? 'Stopped' : ok ? 'Running' : 'Unhealthy', note: alive ? note : '', endpoint: p.endpoint ?? '', log: p.log };
      }),
    );
    // Chaos faults in force (kubesim chaos ...), as a table with since-when.
    const faults = await readFaults(name);
    return { state, processes, faults, faultLines: faultTable(faults, Date.now()) };
  } finally {
    client.close();
  }
}
