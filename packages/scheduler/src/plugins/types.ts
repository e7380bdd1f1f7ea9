// The plugin contract: pure functions of (pod, node) over the cache's precomputed
// PodInfo and NodeInfo. A filter answers undefined (fits) or the reasons it does not,
// in kube-scheduler's words; a score answers a raw number that `normalize` turns into
// 0..100 across the feasible nodes.
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';

export const MAX_NODE_SCORE = 100;

/** undefined: the node fits; otherwise why not (one or more reasons). */
export type FilterResult = readonly string[] | undefined;

export interface FilterPlugin {
  readonly name: string;
  filter(pod: PodInfo, node: NodeInfo): FilterResult;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  /** The raw score of the node (plugin-specific scale). */
  score(pod: PodInfo, node: NodeInfo): number;
  /** Rescales raw scores to 0..MAX_NODE_SCORE in place (absent: already in range). */
  normalize?(scores: Float64Array): void;
}

/** Scales so the highest becomes 100 (reverse: the lowest becomes 100), as DefaultNormalizeScore. */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
