// `kubesim chaos node kill|start|pause|resume NODE`: the node agent's process, as a
// machine losing power, booting, or freezing. Each returns the line that says what it did.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isAlive } from '../cluster/state.js';
import { addFault, findFault, readFaults, removeFault, writeFaults } from './faults.js';
import { resolveNode } from './names.js';
import { rejoinCgroup } from './network.js';
import { loadState, procState, recordPid, startAgain, waitGone, waitProcState } from './restart.js';

const exec = promisify(execFile);

/** Kills (SIGKILL) the Docker containers a node agent made (label kubesim.node=NODE). */
async function killNodeContainers(node: string): Promise<number> {
  let ids: string[];
  try {
    ids = (await exec('docker', ['ps', '-q', '--filter', `label=kubesim.node=${node}`])).stdout.split('\n').filter(Boolean);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('--with-pods needs the docker CLI, which is not installed here');
    throw e;
  }
  if (ids.length) await exec('docker', ['kill', '--signal', 'KILL', ...ids]);
  return ids.length;
}

export async function nodeKill(cluster: string, node: string, withPods: boolean): Promise<string> {
  const state = await loadState(cluster);
  const rec = resolveNode(state.processes, node);
  if (!isAlive(rec.pid)) throw new Error(`node "${node}" is not running (kubelet pid ${rec.pid} is gone); start it with: kubesim chaos node start ${node}`);
  // A kill supersedes a pause; a kill fault left from before this agent was started is stale.
  let faults = removeFault(removeFault(await readFaults(cluster), 'node', node, 'pause'), 'node', node, 'kill');
  process.kill(rec.pid, 'SIGKILL');
  await waitGone(rec.pid, `node agent ${node}`);
  const containers = withPods ? await killNodeContainers(node) : 0;
  const detail = `kubelet pid ${rec.pid}, SIGKILL${withPods ? `; ${containers} container(s) killed` : ''}`;
  faults = addFault(faults, { kind: 'kill', scope: 'node', target: node, since: new Date().toISOString(), detail, pid: rec.pid });
  await writeFaults(cluster, faults);
  return `node "${node}" killed (${detail})`;
}

export async function nodeStart(cluster: string, node: string): Promise<string> {
  const state = await loadState(cluster);
  const rec = resolveNode(state.processes, node);
  if (isAlive(rec.pid)) throw new Error(`node "${node}" is already running (kubelet pid ${rec.pid})`);
  const pid = await startAgain(state, rec);
  // The new agent opens its first connection only after loading its modules (hundreds of
  // ms), so joining its cgroup right after the spawn catches every socket it makes.
  const rejoined = await rejoinCgroup(cluster, node, pid);
  await recordPid(cluster, rec, pid);
  await writeFaults(cluster, removeFault(await readFaults(cluster), 'node', node, 'kill'));
  return `node "${node}" started (kubelet pid ${pid}, log ${rec.log})${rejoined ? `; still under ${rejoined}` : ''}`;
}

export async function nodePause(cluster: string, node: string): Promise<string> {
  const state = await loadState(cluster);
  const rec = resolveNode(state.processes, node);
  if (!isAlive(rec.pid)) throw new Error(`node "${node}" is not running (kubelet pid ${rec.pid} is gone)`);
  const faults = addFault(await readFaults(cluster), { kind: 'pause', scope: 'node', target: node, since: new Date().toISOString(), detail: `kubelet pid ${rec.pid}, SIGSTOP`, pid: rec.pid });
  process.kill(rec.pid, 'SIGSTOP');
  await waitProcState(rec.pid, `node agent ${node}`, true);
  await writeFaults(cluster, faults);
  return `node "${node}" paused (kubelet pid ${rec.pid}, SIGSTOP)`;
}

export async function nodeResume(cluster: string, node: string): Promise<string> {
  const state = await loadState(cluster);
  const rec = resolveNode(state.processes, node);
  const faults = await readFaults(cluster);
  const paused = findFault(faults, 'node', node, 'pause');
  if (!isAlive(rec.pid)) {
    await writeFaults(cluster, removeFault(faults, 'node', node, 'pause'));
    throw new Error(`node "${node}" is not running (kubelet pid ${rec.pid} is gone)`);
  }
  if (!paused && procState(rec.pid) !== 'T') throw new Error(`node "${node}" is not paused (kubelet pid ${rec.pid})`);
  process.kill(rec.pid, 'SIGCONT');
  await waitProcState(rec.pid, `node agent ${node}`, false);
  await writeFaults(cluster, removeFault(faults, 'node', node, 'pause'));
  return `node "${node}" resumed (kubelet pid ${rec.pid}, SIGCONT)`;
}
