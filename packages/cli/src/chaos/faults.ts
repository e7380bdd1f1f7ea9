// The faults in force on a local cluster, kept in clusterDir(NAME)/faults.json beside
// state.json: what each chaos verb did, since when, and what it must undo (a paused pid,
// a partitioned node's cgroup, a delay proxy). `chaos heal`, `chaos status`, `kubesim
// status` and `kubesim down` read it. The bookkeeping itself is pure.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterDir } from '../cluster/state.js';

export type FaultKind = 'kill' | 'pause' | 'partition' | 'delay' | 'loss';
/** Network faults: they need the node agent in its chaos cgroup. */
export const NETWORK_FAULTS: readonly FaultKind[] = ['partition', 'delay', 'loss'];

export interface Fault {
  kind: FaultKind;
  /** A node (its agent) or a control-plane process (named COMPONENT-N). */
  scope: 'node' | 'component';
  target: string;
  /** When it was injected (ISO 8601). */
  since: string;
  /** What was done, for people: "kubelet pid 1234, SIGKILL", "200ms", "10%". */
  detail: string;
  /** The process acted on (for pause: the one to resume). */
  pid?: number;
  /** The node's cgroup (relative to the cgroup2 root) and where its agent was before. */
  cgroup?: { path: string; origin: string };
  /** The delay proxy process (delay faults). */
  proxyPid?: number;
  /** A loss fault's probability, where undoing it needs the exact rule (compose nodes). */
  amount?: number;
  /** The Docker networks a compose node was disconnected from (partition), to connect it again. */
  networks?: string[];
}

export function faultsFile(cluster: string): string {
  return join(clusterDir(cluster), 'faults.json');
}

export async function readFaults(cluster: string): Promise<Fault[]> {
  try {
    const body = JSON.parse(await readFile(faultsFile(cluster), 'utf8')) as { faults?: Fault[] };
    return body.faults ?? [];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Writes the list (atomically); an empty list removes the file. */
export async function writeFaults(cluster: string, faults: Fault[]): Promise<void> {
  const file = faultsFile(cluster);
  if (!faults.length) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(clusterDir(cluster), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ faults }, null, 2) + '\n');
  await rename(tmp, file);
}

const DONE: Record<FaultKind, string> = { kill: 'killed', pause: 'paused', partition: 'partitioned', delay: 'delayed', loss: 'losing packets' };

export function describeTarget(f: Pick<Fault, 'scope' | 'target'>): string {
  return `${f.scope} "${f.target}"`;
}

export function findFault(faults: Fault[], scope: Fault['scope'], target: string, kind: FaultKind): Fault | undefined {
  return faults.find((f) => f.scope === scope && f.target === target && f.kind === kind);
}

/** The list with `fault` added; refuses a second fault of the same kind on the same target. */
export function addFault(faults: Fault[], fault: Fault): Fault[] {
  const prev = findFault(faults, fault.scope, fault.target, fault.kind);
  if (prev) throw new Error(`${describeTarget(fault)} is already ${DONE[fault.kind]} (since ${prev.since}${prev.detail ? `, ${prev.detail}` : ''}); heal it first`);
  return [...faults, fault];
}

export function removeFault(faults: Fault[], scope: Fault['scope'], target: string, kind: FaultKind): Fault[] {
  return faults.filter((f) => !(f.scope === scope && f.target === target && f.kind === kind));
}

/** The network faults on a node (they share its cgroup). */
export function networkFaults(faults: Fault[], node: string): Fault[] {
  return faults.filter((f) => f.scope === 'node' && f.target === node && NETWORK_FAULTS.includes(f.kind));
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/** A table of faults (header + rows), with how long each has been in force. */
export function faultTable(faults: Fault[], now: number): string[] {
  if (!faults.length) return [];
  const rows = [['TARGET', 'FAULT', 'DETAIL', 'SINCE', 'AGE'], ...faults.map((f) => [`${f.scope}/${f.target}`, f.kind, f.detail || '-', f.since, ago(now - Date.parse(f.since))])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join(''));
}
