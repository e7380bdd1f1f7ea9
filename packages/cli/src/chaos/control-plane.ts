// `kubesim chaos kill|start|pause|resume COMPONENT` and `kill-leader`: control-plane
// processes (etcd-N, apiserver-N, scheduler-N, controller-manager-N, dns-N).
import { Client } from '@kubesim/client';
import { apiserverEndpoints, isAlive } from '../cluster/state.js';
import { addFault, findFault, readFaults, removeFault, writeFaults } from './faults.js';
import { componentNameOfPid, isElectedComponent, LEADER_LEASES, pidOfIdentity, resolveComponent } from './names.js';
import { loadState, procState, recordPid, startAgain, waitGone, waitProcState } from './restart.js';

async function killProcess(cluster: string, name: string, pid: number, detail: string): Promise<void> {
  let faults = removeFault(removeFault(await readFaults(cluster), 'component', name, 'kill'), 'component', name, 'pause');
  process.kill(pid, 'SIGKILL');
  await waitGone(pid, name);
  faults = addFault(faults, { kind: 'kill', scope: 'component', target: name, since: new Date().toISOString(), detail, pid });
  await writeFaults(cluster, faults);
}

export async function componentKill(cluster: string, component: string): Promise<string> {
  const state = await loadState(cluster);
  const { name, process: rec } = resolveComponent(state.processes, component);
  if (!isAlive(rec.pid)) throw new Error(`component "${name}" is not running (pid ${rec.pid} is gone); start it with: kubesim chaos start ${name}`);
  await killProcess(cluster, name, rec.pid, `pid ${rec.pid}, SIGKILL`);
  return `component "${name}" killed (pid ${rec.pid}, SIGKILL)`;
}

export async function componentStart(cluster: string, component: string): Promise<string> {
  const state = await loadState(cluster);
  const { name, process: rec } = resolveComponent(state.processes, component);
  if (isAlive(rec.pid)) throw new Error(`component "${name}" is already running (pid ${rec.pid})`);
  const pid = await startAgain(state, rec);
  await recordPid(cluster, rec, pid);
  await writeFaults(cluster, removeFault(await readFaults(cluster), 'component', name, 'kill'));
  return `component "${name}" started (pid ${pid}, log ${rec.log})`;
}

export async function componentPause(cluster: string, component: string): Promise<string> {
  const state = await loadState(cluster);
  const { name, process: rec } = resolveComponent(state.processes, component);
  if (!isAlive(rec.pid)) throw new Error(`component "${name}" is not running (pid ${rec.pid} is gone)`);
  const faults = addFault(await readFaults(cluster), { kind: 'pause', scope: 'component', target: name, since: new Date().toISOString(), detail: `pid ${rec.pid}, SIGSTOP`, pid: rec.pid });
  process.kill(rec.pid, 'SIGSTOP');
  await waitProcState(rec.pid, name, true);
  await writeFaults(cluster, faults);
  return `component "${name}" paused (pid ${rec.pid}, SIGSTOP)`;
}

export async function componentResume(cluster: string, component: string): Promise<string> {
  const state = await loadState(cluster);
  const { name, process: rec } = resolveComponent(state.processes, component);
  const faults = await readFaults(cluster);
  if (!isAlive(rec.pid)) throw new Error(`component "${name}" is not running (pid ${rec.pid} is gone)`);
  if (!findFault(faults, 'component', name, 'pause') && procState(rec.pid) !== 'T') throw new Error(`component "${name}" is not paused (pid ${rec.pid})`);
  process.kill(rec.pid, 'SIGCONT');
  await waitProcState(rec.pid, name, false);
  await writeFaults(cluster, removeFault(faults, 'component', name, 'pause'));
  return `component "${name}" resumed (pid ${rec.pid}, SIGCONT)`;
}

/**
 * Kills (SIGKILL) the process holding the leader Lease of `component`. Only a process of
 * this cluster is ever killed: the pid in the holder identity must be one `up` recorded.
 */
export async function killLeader(cluster: string, component: string): Promise<string> {
  if (!isElectedComponent(component)) throw new Error(`"${component}" does not elect a leader; use one of: ${Object.keys(LEADER_LEASES).join(', ')}`);
  const state = await loadState(cluster);
  const lease = LEADER_LEASES[component];
  const client = new Client({ endpoints: apiserverEndpoints(state), timeoutMs: 5000 });
  let holder: string;
  try {
    holder = (await client.get('leases', 'kube-system', lease)).spec?.holderIdentity ?? '';
  } finally {
    client.close();
  }
  if (!holder) throw new Error(`Lease kube-system/${lease} has no holder: no ${component} leads now`);
  const pid = pidOfIdentity(holder);
  const name = pid === undefined ? undefined : componentNameOfPid(state.processes, pid);
  if (pid === undefined || !name || !name.startsWith(`${component}-`)) {
    throw new Error(`the ${component} leader "${holder}" (Lease kube-system/${lease}) is not a process of cluster "${cluster}"; not killing it`);
  }
  if (!isAlive(pid)) throw new Error(`the ${component} leader ${name} (pid ${pid}, "${holder}") is already gone; its Lease has not expired yet`);
  await killProcess(cluster, name, pid, `leader "${holder}", pid ${pid}, SIGKILL`);
  return `${component} leader ${name} killed (holder "${holder}", pid ${pid}, SIGKILL)`;
}
