// TaintToleration: NoSchedule and NoExecute taints must be tolerated (filter);
// untolerated PreferNoSchedule taints make a node less attractive (score).
import { findUntoleratedTaint } from '@kubesim/api';
import { defaultNormalize, type FilterPlugin, type ScorePlugin } from './types.js';

const FILTER_EFFECTS = ['NoSchedule', 'NoExecute'];

export function untoleratedTaintMessage(key: string, value: string): string {
  return `node(s) had untolerated taint {${key}: ${value}}`;
}

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, node) {
    if (node.taints.length === 0) return undefined;
    const taint = findUntoleratedTaint(node.taints, pod.tolerations, FILTER_EFFECTS);
    return taint ? [untoleratedTaintMessage(taint.key ?? '', taint.value ?? '')] : undefined;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(pod, node) {
    let n = 0;
    for (const taint of node.taints) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      // Only tolerations that can apply to PreferNoSchedule count.
      const tolerated = pod.tolerations.some((t) => (!t.effect || t.effect === 'PreferNoSchedule') && matches(t, taint));
      if (!tolerated) n++;
    }
    return n;
  },
  normalize: (scores) => defaultNormalize(scores, true),
};

function matches(t: { key?: string; operator?: string; value?: string }, taint: { key?: string; value?: string }): boolean {
  if (t.key && t.key !== (taint.key ?? '')) return false;
  const op = t.operator ?? '';
  if (op === 'Exists') return true;
  return (op === '' || op === 'Equal') && (t.value ?? '') === (taint.value ?? '');
}
