// What chaos verbs act on, named as users type them: a node by its name, a control-plane
// process as COMPONENT-N (the Nth process of that component in the cluster's state, from
// 1), and fault amounts ("200ms", "10%"). Pure: the state is passed in.
import type { ProcessRecord } from '../cluster/state.js';

/** Control-plane components a chaos verb may kill or start. */
export const CONTROL_PLANE = ['etcd', 'apiserver', 'scheduler', 'controller-manager', 'dns'] as const;
export type ControlPlaneComponent = (typeof CONTROL_PLANE)[number];

/** Components that elect a leader, and their Lease in kube-system. */
export const LEADER_LEASES = { scheduler: 'kube-scheduler', 'controller-manager': 'kube-controller-manager' } as const;
export type ElectedComponent = keyof typeof LEADER_LEASES;

/** A node agent's process: started as `kubesim node ...`. */
export function isNodeProcess(p: ProcessRecord): boolean {
  return p.args[0] === 'node';
}

export function nodeProcesses(processes: ProcessRecord[]): ProcessRecord[] {
  return processes.filter(isNodeProcess);
}

/** The node agent process of `node`; the error lists the valid names. */
export function resolveNode(processes: ProcessRecord[], node: string): ProcessRecord {
  const nodes = nodeProcesses(processes);
  const p = nodes.find((x) => x.component === node);
  if (!p) throw new Error(`no node "${node}" in this cluster; nodes: ${nodes.map((x) => x.component).join(', ') || '(none)'}`);
  return p;
}

/** Every control-plane process with its chaos name (scheduler-1, ...), in state order. */
export function controlPlaneNames(processes: ProcessRecord[]): { name: string; process: ProcessRecord }[] {
  const seen = new Map<string, number>();
  const out: { name: string; process: ProcessRecord }[] = [];
  for (const p of processes) {
    if (isNodeProcess(p) || !(CONTROL_PLANE as readonly string[]).includes(p.component)) continue;
    const n = (seen.get(p.component) ?? 0) + 1;
    seen.set(p.component, n);
    out.push({ name: `${p.component}-${n}`, process: p });
  }
  return out;
}

/** The process named `name` (e.g. "apiserver-1"); the error lists the valid names. */
export function resolveComponent(processes: ProcessRecord[], name: string): { name: string; process: ProcessRecord } {
  const all = controlPlaneNames(processes);
  const hit = all.find((x) => x.name === name);
  if (hit) return hit;
  const hint = /^[a-z-]+$/.test(name) && all.some((x) => x.process.component === name) ? ` (did you mean ${name}-1?)` : '';
  throw new Error(`no component "${name}" in this cluster${hint}; components: ${all.map((x) => x.name).join(', ') || '(none)'}`);
}

/** The chaos name of the process with this pid, if it is a control-plane process. */
export function componentNameOfPid(processes: ProcessRecord[], pid: number): string | undefined {
  return controlPlaneNames(processes).find((x) => x.process.pid === pid)?.name;
}

export function isElectedComponent(s: string): s is ElectedComponent {
  return Object.prototype.hasOwnProperty.call(LEADER_LEASES, s);
}

/**
 * The pid in a leader election identity `<host>_<pid>_<random>` (client-go's and ours).
 * The host part may itself hold underscores, so the pid is the second field from the end.
 */
export function pidOfIdentity(identity: string): number | undefined {
  const parts = identity.split('_');
  if (parts.length < 3) return undefined;
  const pid = parts[parts.length - 2];
  return /^[1-9][0-9]*$/.test(pid) ? Number(pid) : undefined;
}

/** A delay such as "200ms", "1.5s" or "200" (milliseconds) -> milliseconds. */
export function parseDelay(s: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(us|ms|s)?$/.exec(s.trim());
  if (!m) throw new Error(`invalid delay "${s}": use a duration such as 200ms or 1s`);
  const n = Number(m[1]);
  const ms = m[2] === 's' ? n * 1000 : m[2] === 'us' ? n / 1000 : n;
  if (ms <= 0 || ms > 60_000) throw new Error(`invalid delay "${s}": must be more than 0 and at most 60s`);
  return ms;
}

/** A loss such as "10%" or "10" (percent) -> a probability in (0, 1]. */
export function parseLoss(s: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)%?$/.exec(s.trim());
  if (!m) throw new Error(`invalid loss "${s}": use a percentage such as 10%`);
  const pct = Number(m[1]);
  if (pct <= 0 || pct > 100) throw new Error(`invalid loss "${s}": must be more than 0% and at most 100%`);
  return pct / 100;
}
