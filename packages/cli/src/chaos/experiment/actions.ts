// Fault and heal steps, done by the same functions as the `kubesim chaos` verbs, so an
// experiment's fault is exactly what the verb does (and is listed by `kubesim status`).
import { componentKill, componentPause, componentResume, componentStart, killLeader } from '../control-plane.js';
import { healAll } from '../heal.js';
import { resolveNode } from '../names.js';
import { healNetworkFaults, injectNetworkFault, type NetworkFault } from '../network.js';
import { nodeKill, nodePause, nodeResume, nodeStart } from '../node.js';
import { loadState } from '../restart.js';
import type { FaultStep, NodeAction } from './types.js';

/** A fault as injected: what to undo, and on what. */
export interface Injected {
  step: FaultStep;
  /** The node a node fault hit (resolved at run time for nodeOf). */
  node?: string;
  /** The process a component fault hit (for kill-leader: the leader that was killed). */
  component?: string;
  detail: string;
  healed: boolean;
}

const NETWORK: Partial<Record<NodeAction, NetworkFault>> = { 'node-partition': 'partition', 'node-delay': 'delay', 'node-loss': 'loss' };

/** Injects `step` on `node` (node faults) in cluster `cluster`; returns what the verb said. */
export async function inject(cluster: string, step: FaultStep, node: string | undefined): Promise<Injected> {
  if (step.action === 'kill' || step.action === 'pause' || step.action === 'kill-leader') {
    const s = step as Extract<FaultStep, { component: string }>;
    if (s.action === 'kill') return { step, component: s.component, detail: await componentKill(cluster, s.component), healed: false };
    if (s.action === 'pause') return { step, component: s.component, detail: await componentPause(cluster, s.component), healed: false };
    const detail = await killLeader(cluster, s.component);
    // "scheduler leader scheduler-2 killed (...)": the process to start again on heal.
    const killed = /leader (\S+) killed/.exec(detail)?.[1];
    return { step, component: killed, detail, healed: false };
  }
  const s = step as Extract<FaultStep, { target: unknown }>;
  if (!node) throw new Error(`fault ${step.name}: no node to act on`);
  let detail: string;
  if (s.action === 'node-kill') detail = await nodeKill(cluster, node, s.withPods);
  else if (s.action === 'node-pause') detail = await nodePause(cluster, node);
  else {
    const kind = NETWORK[s.action]!;
    const state = await loadState(cluster);
    const what = await injectNetworkFault(state, resolveNode(state.processes, node), { kind, amount: s.amount });
    detail = `node "${node}" ${kind === 'partition' ? 'partitioned from the control plane' : kind === 'delay' ? `delayed by ${s.amount}ms` : `losing ${+((s.amount ?? 0) * 100).toFixed(2)}% of its packets`} (${what})`;
  }
  return { step, node, detail, healed: false };
}

/** Undoes one injected fault; returns what was done. */
export async function heal(cluster: string, f: Injected): Promise<string> {
  const a = f.step.action;
  if (a === 'kill' || a === 'kill-leader') {
    if (!f.component) throw new Error(`fault ${f.step.name}: the killed process is not known; use heal: all`);
    return componentStart(cluster, f.component);
  }
  if (a === 'pause') return componentResume(cluster, f.component!);
  if (a === 'node-kill') return nodeStart(cluster, f.node!);
  if (a === 'node-pause') return nodeResume(cluster, f.node!);
  const kinds = await healNetworkFaults(cluster, f.node!, [NETWORK[a]!]);
  return `node "${f.node}" healed (${kinds.join(', ') || 'nothing'} removed)`;
}

/** `kubesim chaos heal --all`: every fault in force, killed processes started again. */
export async function healEverything(cluster: string): Promise<string[]> {
  return healAll(cluster, { restart: true });
}
