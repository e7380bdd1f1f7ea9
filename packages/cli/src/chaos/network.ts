// Network faults between a node agent and the control plane, in host mode (every agent
// a host process in the host's network namespace): the agent is put in its own cgroup2
// group so iptables can single out its sockets; rules are tagged with a kubesim-chaos
// comment; a delay runs through a user-space proxy (no netem in this kernel).
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, GiveUp, startComponent, waitFor } from '@kubesim/launcher';
import { clusterDir, isAlive, type ClusterState, type ProcessRecord } from '../cluster/state.js';
import { joinCgroup, leaveCgroup, nodeCgroup } from './cgroup.js';
import { formatRoute, type DelayRoute } from './delay-proxy.js';
import { addFault, networkFaults, readFaults, removeFault, writeFaults, type Fault, type FaultKind } from './faults.js';
import { delayRules, insertRules, lossRules, parseEndpoint, partitionRules, removeChaosRules, type AgentNet, type Rule, type RuleOwner } from './iptables.js';
import { isNodeProcess } from './names.js';
import { processSockets, type SocketAddr } from './sockets.js';

const exec = promisify(execFile);

/** The control plane a node agent talks to: the apiservers' endpoints. */
export function controlPlaneEndpoints(state: ClusterState): SocketAddr[] {
  const eps = state.processes.filter((p) => p.component === 'apiserver' && p.endpoint).map((p) => p.endpoint!);
  return (eps.length ? eps : state.apiserver.split(',').filter(Boolean)).map(parseEndpoint);
}

export type NetworkFault = Extract<FaultKind, 'partition' | 'delay' | 'loss'>;

export interface NetworkFaultSpec {
  kind: NetworkFault;
  /** delay: milliseconds; loss: probability. */
  amount?: number;
}

function detailOf(spec: NetworkFaultSpec): string {
  if (spec.kind === 'delay') return `${spec.amount}ms each way`;
  if (spec.kind === 'loss') return `${+((spec.amount ?? 0) * 100).toFixed(2)}% of packets to the control plane`;
  return 'no traffic with the control plane';
}

/** Starts the delay proxy for `routes` and waits until it accepts connections. */
async function startProxy(cluster: string, node: string, delayMs: number, routes: DelayRoute[]): Promise<number> {
  const log = join(clusterDir(cluster), 'logs', `chaos-delay-${node}.log`);
  const c = startComponent(['chaos', 'delay-proxy', '--delay-ms', String(delayMs), ...routes.flatMap((r) => ['--route', formatRoute(r)])], { logFile: log, detached: true });
  for (const r of routes) {
    await waitFor(
      `the delay proxy on 127.0.0.1:${r.listenPort}`,
      async () => {
        if (!isAlive(c.pid)) throw new GiveUp(`it exited; see ${log}`);
        await new Promise<void>((resolve, reject) => {
          const s = connect(r.listenPort, '127.0.0.1', () => {
            s.destroy();
            resolve();
          });
          s.once('error', reject);
        });
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }
  return c.pid;
}

function killQuietly(pid: number | undefined): void {
  if (pid && isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Resets the agent's open connections to the control plane so it reconnects (through the new rules). */
async function resetConnections(net: AgentNet): Promise<number> {
  let n = 0;
  for (const s of net.sockets) {
    if (s.state !== 'established' || !net.controlPlane.some((e) => e.addr === s.remote.addr && e.port === s.remote.port)) continue;
    await exec('ss', ['-K', '-tn', 'src', `${s.local.addr}:${s.local.port}`, 'dst', `${s.remote.addr}:${s.remote.port}`]).catch(() => undefined);
    n++;
  }
  return n;
}

/** Injects a network fault on `node`'s agent; returns what was done. */
export async function injectNetworkFault(state: ClusterState, rec: ProcessRecord, spec: NetworkFaultSpec): Promise<string> {
  const cluster = state.name;
  const node = rec.component;
  if (!isAlive(rec.pid)) throw new Error(`node "${node}" is not running (kubelet pid ${rec.pid} is gone); start it first: kubesim chaos node start ${node}`);
  let faults = await readFaults(cluster);
  const fault: Fault = { kind: spec.kind, scope: 'node', target: node, since: new Date().toISOString(), detail: detailOf(spec), pid: rec.pid };
  faults = addFault(faults, fault); // refuses a second fault of this kind before anything is done
  const path = nodeCgroup(cluster, node);
  const prior = networkFaults(faults, node).find((f) => f.cgroup)?.cgroup;
  // Sockets first: the ones made before the agent joins its cgroup are matched by address.
  const sockets = await processSockets(rec.pid);
  const joined = await joinCgroup(path, rec.pid);
  fault.cgroup = { path, origin: prior?.origin ?? joined };
  const net: AgentNet = { cgroup: path, controlPlane: controlPlaneEndpoints(state), sockets };
  const owner: RuleOwner = { cluster, node, fault: spec.kind };
  let rules: Rule[] = [];
  let note = '';
  try {
    if (spec.kind === 'partition') rules = partitionRules(owner, net);
    else if (spec.kind === 'loss') rules = lossRules(owner, net, spec.amount!);
    else {
      const routes = await Promise.all(net.controlPlane.map(async (target) => ({ listenPort: await freePort(), target })));
      fault.proxyPid = await startProxy(cluster, node, spec.amount!, routes);
      rules = delayRules(owner, net, routes.map((r) => r.listenPort));
    }
    await insertRules(rules);
    if (spec.kind === 'delay') {
      // NAT only applies to new connections: the open ones are reset, and reconnect through the proxy.
      const n = await resetConnections(net);
      note = `, proxy pid ${fault.proxyPid}${n ? `, ${n} open connection(s) reset to go through it` : ''}`;
    }
  } catch (e) {
    await removeChaosRules((o) => o.cluster === cluster && o.node === node && o.fault === spec.kind).catch(() => undefined);
    killQuietly(fault.proxyPid);
    if (!prior) await leaveCgroup(path, fault.cgroup.origin).catch(() => undefined);
    throw e;
  }
  await writeFaults(cluster, faults);
  return `kubelet pid ${rec.pid} in cgroup ${path}, ${rules.length} iptables rule(s)${note}`;
}

/** Removes `kinds` network faults of `node` (all by default); returns the kinds removed. */
export async function healNetworkFaults(cluster: string, node: string, kinds: NetworkFault[] = ['partition', 'delay', 'loss']): Promise<NetworkFault[]> {
  let faults = await readFaults(cluster);
  const healed: NetworkFault[] = [];
  const cg = networkFaults(faults, node).find((f) => f.cgroup)?.cgroup;
  for (const kind of kinds) {
    const f = networkFaults(faults, node).find((x) => x.kind === kind);
    const n = await removeChaosRules((o) => o.cluster === cluster && o.node === node && o.fault === kind);
    if (f) killQuietly(f.proxyPid);
    if (f || n) healed.push(kind);
    faults = removeFault(faults, 'node', node, kind);
  }
  if (cg && !networkFaults(faults, node).length) await leaveCgroup(cg.path, cg.origin);
  await writeFaults(cluster, faults);
  return healed;
}

/** Puts a restarted agent back in its cgroup when network faults are in force on it. */
export async function rejoinCgroup(cluster: string, node: string, pid: number): Promise<string | undefined> {
  const faults = await readFaults(cluster);
  const nf = networkFaults(faults, node);
  const cg = nf.find((f) => f.cgroup)?.cgroup;
  if (!cg) return undefined;
  await joinCgroup(cg.path, pid);
  return nf.map((f) => f.kind).join(', ');
}

/** The node agents of the state (for messages). */
export function nodeNames(state: ClusterState): string[] {
  return state.processes.filter(isNodeProcess).map((p) => p.component);
}
