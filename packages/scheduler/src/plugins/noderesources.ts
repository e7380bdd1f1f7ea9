// NodeResourcesFit: the pod's requests must fit in what the node's allocatable leaves
// after the pods already there (and one more pod must fit under the pod count).
// Scores: LeastAllocated prefers emptier nodes, BalancedAllocation nodes whose cpu and
// memory would be used in equal proportion. Scores use the non-zero requests (pods
// without requests count as 100m / 200Mi) so such pods spread too.
import type { NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type FilterPlugin, type ScorePlugin } from './types.js';

export const ERR_TOO_MANY_PODS = 'Too many pods';
export const ERR_INSUFFICIENT_CPU = 'Insufficient cpu';
export const ERR_INSUFFICIENT_MEMORY = 'Insufficient memory';

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    let reasons: string[] | undefined;
    if (node.pods.size + 1 > node.allocatable.pods) (reasons ??= []).push(ERR_TOO_MANY_PODS);
    const r = pod.requests;
    if (r.milliCpu > 0 && r.milliCpu > node.allocatable.milliCpu - node.requested.milliCpu) (reasons ??= []).push(ERR_INSUFFICIENT_CPU);
    if (r.memory > 0 && r.memory > node.allocatable.memory - node.requested.memory) (reasons ??= []).push(ERR_INSUFFICIENT_MEMORY);
    return reasons;
  },
};

/** (capacity - requested) * 100 / capacity, floored; 0 when full or no capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

function cpuAfter(pod: { nonZero: { milliCpu: number } }, node: NodeInfo): number {
  return node.nonZeroRequested.milliCpu + pod.nonZero.milliCpu;
}

function memAfter(pod: { nonZero: { memory: number } }, node: NodeInfo): number {
  return node.nonZeroRequested.memory + pod.nonZero.memory;
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score(pod, node) {
    const cpu = leastRequestedScore(cpuAfter(pod, node), node.allocatable.milliCpu);
    const mem = leastRequestedScore(memAfter(pod, node), node.allocatable.memory);
    return Math.floor((cpu + mem) / 2);
  },
};

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(pod, node) {
    const { milliCpu, memory } = node.allocatable;
    if (milliCpu <= 0 || memory <= 0) return 0;
    const c = Math.min(1, cpuAfter(pod, node) / milliCpu);
    const m = Math.min(1, memAfter(pod, node) / memory);
    // The standard deviation of two fractions is half their difference.
    const std = Math.abs(c - m) / 2;
    return Math.floor((1 - std) * MAX_NODE_SCORE);
  },
};
