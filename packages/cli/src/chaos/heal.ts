// Undoing every fault in force: `kubesim chaos heal --all`, and `kubesim down` (which
// must resume paused processes so they can be stopped, and leave no iptables rule,
// cgroup or delay proxy behind).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, readState } from '../cluster/state.js';
import { cgroup2Root, leaveCgroup } from './cgroup.js';
import { readFaults, writeFaults, type Fault } from './faults.js';
import { removeChaosRules } from './iptables.js';
import { resolveComponent, resolveNode } from './names.js';
import { recordPid, startAgain, type Say } from './restart.js';

export interface HealOptions {
  /** Start killed nodes and components again (`chaos heal --all`); `down` leaves them dead. */
  restart?: boolean;
  say?: Say;
}

/** Start order of killed processes: etcd before the apiserver before the rest, nodes last. */
const ORDER = ['etcd', 'apiserver', 'scheduler', 'controller-manager', 'dns'];
function rank(f: Fault): number {
  if (f.scope === 'node') return ORDER.length;
  const i = ORDER.indexOf(f.target.replace(/-\d+$/, ''));
  return i < 0 ? ORDER.length : i;
}

/**
 * Undoes every fault of cluster `clusterName`: resumes paused processes, removes every
 * iptables rule tagged for this cluster, kills delay proxies, moves agents out of their
 * chaos cgroups and, with `restart`, starts killed nodes and components again. Safe to
 * call when nothing is in force, or when the cluster's state is already gone.
 * Returns the lines that say what it did.
 */
export async function healAll(clusterName: string, opts: HealOptions = {}): Promise<string[]> {
  const say = opts.say ?? (() => undefined);
  const lines: string[] = [];
  const tell = (l: string) => {
    lines.push(l);
    say(l);
  };
  const faults = await readFaults(clusterName);
  for (const f of faults.filter((x) => x.kind === 'pause')) {
    if (f.pid && isAlive(f.pid)) process.kill(f.pid, 'SIGCONT');
    tell(`${f.scope} "${f.target}" resumed (pid ${f.pid}, SIGCONT)`);
  }
  for (const f of faults.filter((x) => x.proxyPid)) if (isAlive(f.proxyPid!)) process.kill(f.proxyPid!, 'SIGKILL');
  // The rules by their comment, whatever faults.json says (it may be older than the rules).
  const rules = await removeChaosRules((o) => o.cluster === clusterName);
  for (const f of faults.filter((x) => x.kind === 'partition' || x.kind === 'delay' || x.kind === 'loss')) tell(`node "${f.target}" healed of ${f.kind} (${f.detail})`);
  if (rules) tell(`${rules} iptables rule(s) removed`);
  await leaveClusterCgroups(clusterName, faults);

  let left = faults.filter((f) => f.kind === 'kill');
  if (opts.restart && left.length) {
    const state = await readState(clusterName);
    for (const f of [...left].sort((a, b) => rank(a) - rank(b))) {
      if (!state) break;
      const rec = f.scope === 'node' ? resolveNode(state.processes, f.target) : resolveComponent(state.processes, f.target).process;
      if (!isAlive(rec.pid)) {
        const pid = await startAgain(state, rec);
        await recordPid(clusterName, rec, pid);
        rec.pid = pid;
        tell(`${f.scope} "${f.target}" started (pid ${pid})`);
      }
      left = left.filter((x) => x !== f);
    }
  }
  // Only the kills left dead (down) stay on record; the rest is healed.
  await writeFaults(clusterName, left).catch(() => undefined);
  return lines;
}

/** Moves every process out of kubesim/<cluster>/* cgroups and removes them. */
async function leaveClusterCgroups(cluster: string, faults: Fault[]): Promise<void> {
  const origins = new Map(faults.filter((f) => f.cgroup).map((f) => [f.cgroup!.path, f.cgroup!.origin] as const));
  const root = cgroup2Root();
  if (!root) return;
  const nodes = await readdir(join(root, 'kubesim', cluster)).catch(() => [] as string[]);
  for (const n of nodes) {
    const path = `kubesim/${cluster}/${n}`;
    await leaveCgroup(path, origins.get(path) ?? '').catch(() => undefined);
  }
}
