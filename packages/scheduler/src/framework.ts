// One scheduling decision as pure functions: filter every node, score the feasible
// ones, pick the best (ties taken in turn, so identical nodes share identical pods),
// or explain the failure in kube-scheduler's words.
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { nodeAffinityFilter, nodeAffinityScore } from './plugins/nodeaffinity.js';
import { nodeName } from './plugins/nodename.js';
import { nodePorts } from './plugins/nodeports.js';
import { nodeReady } from './plugins/nodeready.js';
import { balancedAllocation, leastAllocated, nodeResourcesFit } from './plugins/noderesources.js';
import { nodeUnschedulable } from './plugins/nodeunschedulable.js';
import { selectorSpread } from './plugins/selectorspread.js';
import { taintTolerationFilter, taintTolerationScore } from './plugins/tainttoleration.js';
import type { FilterPlugin, ScorePlugin } from './plugins/types.js';

export interface Profile {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
}

/** kube-scheduler's default plugins, in its order (the order decides which reason a node reports). */
export const DEFAULT_PROFILE: Profile = {
  filters: [nodeUnschedulable, nodeName, taintTolerationFilter, nodeReady, nodeAffinityFilter, nodePorts, nodeResourcesFit],
  scores: [taintTolerationScore, nodeAffinityScore, leastAllocated, balancedAllocation, selectorSpread],
};

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface FilterOutcome {
  feasible: NodeInfo[];
  /** reason -> number of nodes that gave it */
  reasons: Map<string, number>;
}

/** Runs the filters over every node; a node stops at its first failing plugin, as in kube-scheduler. */
export function findFeasibleNodes(pod: PodInfo, nodes: readonly NodeInfo[], filters: readonly FilterPlugin[]): FilterOutcome {
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  outer: for (const node of nodes) {
    for (const f of filters) {
      const failed = f.filter(pod, node);
      if (failed) {
        for (const r of failed) reasons.set(r, (reasons.get(r) ?? 0) + 1);
        continue outer;
      }
    }
    feasible.push(node);
  }
  return { feasible, reasons };
}

/** Weighted sum of the normalized scores of each node. */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeInfo[], scores: readonly ScorePlugin[]): Float64Array {
  const total = new Float64Array(nodes.length);
  const raw = new Float64Array(nodes.length);
  for (const s of scores) {
    for (let i = 0; i < nodes.length; i++) raw[i] = s.score(pod, nodes[i]);
    s.normalize?.(raw);
    for (let i = 0; i < nodes.length; i++) total[i] += s.weight * raw[i];
  }
  return total;
}

/**
 * The index of the best score. Among equal best scores, `turn` picks which one (taken
 * modulo their count): a counter gives round-robin, so ties are deterministic and spread.
 */
export function selectHost(scores: Float64Array, turn: number): number {
  let best = -Infinity;
  let ties = 0;
  for (const s of scores) {
    if (s > best) {
      best = s;
      ties = 1;
    } else if (s === best) ties++;
  }
  let k = ((turn % ties) + ties) % ties;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] !== best) continue;
    if (k-- === 0) return i;
  }
  return -1;
}

/** "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu." (entries sorted as strings, as kube-scheduler does). */
export function fitErrorMessage(numAllNodes: number, reasons: ReadonlyMap<string, number>): string {
  const entries = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${numAllNodes} nodes are available: ${entries.join(', ')}.`;
}

export type ScheduleDecision = { node: NodeInfo; feasible: number } | { node?: undefined; message: string; reasons: Map<string, number> };

/** Filters, scores and picks a node for the pod; `turn` breaks ties (see selectHost). */
export function schedulePod(pod: PodInfo, nodes: readonly NodeInfo[], profile: Profile, turn: number): ScheduleDecision {
  if (nodes.length === 0) return { message: NO_NODES_AVAILABLE, reasons: new Map() };
  const { feasible, reasons } = findFeasibleNodes(pod, nodes, profile.filters);
  if (feasible.length === 0) return { message: fitErrorMessage(nodes.length, reasons), reasons };
  if (feasible.length === 1) return { node: feasible[0], feasible: 1 };
  const scores = scoreNodes(pod, feasible, profile.scores);
  return { node: feasible[selectHost(scores, turn)], feasible: feasible.length };
}
