// Starting a killed process of a local cluster again the way `kubesim up` started it
// (its recorded args and log), and writing its new pid back into state.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@kubesim/client';
import { GiveUp, spawnEtcdMember, startApiServerProcess, startComponent, startEtcd, waitEtcdHealthy, waitFor } from '@kubesim/launcher';
import { apiserverEndpoints, clusterDir, isAlive, readState, writeState, type ClusterState, type ProcessRecord } from '../cluster/state.js';

export type Say = (line: string) => void;

export async function loadState(cluster: string): Promise<ClusterState> {
  const state = await readState(cluster);
  if (!state) throw new Error(`no cluster "${cluster}" (start one with kubesim up)`);
  return state;
}

/** The process's one-letter state from /proc (R, S, T, Z, ...), or undefined when gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
}

/** Waits until `pid` has exited (or is a zombie nobody reaps). */
export async function waitGone(pid: number, what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(`${what} (pid ${pid}) to exit`, async () => (isAlive(pid) ? undefined : true), { timeoutMs, intervalMs: 20 });
}

/** Waits until `pid` is stopped (state T) or running again. */
export async function waitProcState(pid: number, what: string, stopped: boolean, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `${what} (pid ${pid}) to be ${stopped ? 'stopped' : 'running'}`,
    async () => {
      const s = procState(pid);
      if (s === undefined || s === 'Z') throw new GiveUp(`${what} (pid ${pid}) has exited`);
      return (s === 'T') === stopped ? true : undefined;
    },
    { timeoutMs, intervalMs: 20 },
  );
}

/** `kubesim up` adds --server (every apiserver) to a component's recorded args when it starts it. */
function withServer(args: string[], apiservers: string[]): string[] {
  return args.includes('--server') ? args : [...args, '--server', apiservers.join(',')];
}

/**
 * Starts `rec` again: etcd on its data dir and client port, the apiserver on its port
 * (both waited on until they answer, as `up` does), any other component with its
 * recorded args. Returns the new pid; the caller records it.
 */
export async function startAgain(state: ClusterState, rec: ProcessRecord, timeoutMs = 30_000): Promise<number> {
  if (rec.component === 'etcd' && rec.args.length) {
    // A member of an etcd cluster: its recorded flags and data dir; it rejoins as the same
    // member (its WAL knows the cluster) and is healthy once it follows the leader.
    const m = spawnEtcdMember(rec.args, { binary: rec.binary, logFile: rec.log, detached: true });
    await waitEtcdHealthy(m, timeoutMs, rec.log);
    return m.pid;
  }
  if (rec.component === 'etcd') {
    if (!rec.endpoint) throw new Error('etcd has no recorded endpoint: cannot start it again');
    const etcd = await startEtcd({ dataDir: join(clusterDir(state.name), 'etcd'), clientPort: Number(new URL(rec.endpoint).port), logFile: rec.log, detached: true, timeoutMs, name: state.name });
    return etcd.pid;
  }
  if (rec.component === 'apiserver') {
    if (rec.args[0] === 'apiserver') {
      // Recorded in full: start it as it was, and wait until it answers.
      const c = startComponent(rec.args, { logFile: rec.log, detached: true });
      if (rec.endpoint) await waitAnswers(rec.endpoint, c.pid, timeoutMs);
      return c.pid;
    }
    const endpoint = rec.endpoint ?? state.apiserver;
    const api = await startApiServerProcess(state.etcdEndpoints, { port: Number(endpoint.split(':').pop()), logFile: rec.log, detached: true, timeoutMs });
    return api.pid;
  }
  if (!rec.args.length) throw new Error(`${rec.component} has no recorded arguments: cannot start it again`);
  return startComponent(withServer(rec.args, apiserverEndpoints(state)), { logFile: rec.log, detached: true }).pid;
}

async function waitAnswers(endpoint: string, pid: number, timeoutMs: number): Promise<void> {
  const client = new Client({ endpoints: [endpoint], timeoutMs: 1000 });
  try {
    await waitFor(
      `apiserver at ${endpoint}`,
      async () => {
        if (!isAlive(pid)) throw new GiveUp('apiserver exited');
        await client.version();
        return true;
      },
      { timeoutMs },
    );
  } finally {
    client.close();
  }
}

/** Writes `rec`'s new pid into state.json (read-modify-write: other fields as they are now). */
export async function recordPid(cluster: string, rec: ProcessRecord, pid: number): Promise<void> {
  const state = await loadState(cluster);
  const p = state.processes.find((x) => x.component === rec.component && x.pid === rec.pid) ?? state.processes.find((x) => x.component === rec.component && x.log === rec.log);
  if (!p) throw new Error(`${rec.component} is no longer in the cluster's state`);
  p.pid = pid;
  await writeState(state);
}
