// `kubesim down`: stops every process of a local cluster and removes what it made
// (state, logs, etcd data it owned) and its context.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { removeClusterNetwork } from '@kubesim/launcher';
import { removeContext } from '../config.js';
import { clusterDir, isAlive, readState } from './state.js';

async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Returns false when there was no such cluster. */
export async function down(name: string, say: (line: string) => void): Promise<boolean> {
  const state = await readState(name);
  if (!state) return false;
  say(`Deleting cluster "${name}" ...`);
  // Faults first: a SIGSTOPped process would not act on SIGTERM, and the fault records
  // live in the cluster directory removed below.
  const { healAll } = await import('../chaos/heal.js');
  await healAll(name, { say });
  // Reverse start order: components before the etcd they write to.
  for (const p of [...state.processes].reverse()) {
    say(`• stopping ${p.component} (pid ${p.pid})`);
    await stopPid(p.pid, 5000);
  }
  if (state.etcdContainer) {
    say(`• removing etcd container ${state.etcdContainer.name}`);
    await exec('docker', ['rm', '-f', '-v', state.etcdContainer.id]).catch(() => undefined);
  }
  const nodes = state.processes.filter((p) => p.args[0] === 'node').map((p) => p.component);
  if (nodes.length) await removeNodeContainers(nodes, say);
  if (state.network) {
    const { removeNodeRules } = await import('@kubesim/kube-proxy');
    let chains = 0;
    for (const n of nodes) chains += (await removeNodeRules(n).catch(() => ({ chains: 0 }))).chains;
    if (chains) say(`• removed the service proxy rules of nodes ${nodes.join(', ')} (${chains} iptables chains)`);
    say(`• removing pod network ${state.network.name} (${state.network.cidr})`);
    await removeClusterNetwork(name);
  }
  await rm(clusterDir(name), { recursive: true, force: true });
  await removeContext(name);
  say(`Deleted cluster "${name}"`);
  return true;
}

const exec = promisify(execFile);

/**
 * Removes the Docker containers the cluster's node agents made (they carry the label
 * kubesim.node=<node>): with the agents stopped, nothing else would.
 */
async function removeNodeContainers(nodes: string[], say: (line: string) => void): Promise<void> {
  const ids: string[] = [];
  try {
    for (const n of nodes) {
      const { stdout } = await exec('docker', ['ps', '-aq', '--filter', `label=kubesim.node=${n}`]);
      ids.push(...stdout.split('\n').filter(Boolean));
    }
  } catch (e) {
    // No Docker (a hollow-node cluster on a machine without it): nothing to remove.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!ids.length) return;
  say(`• removing ${ids.length} container(s) of nodes ${nodes.join(', ')}`);
  await exec('docker', ['rm', '-f', '-v', ...ids]);
}
