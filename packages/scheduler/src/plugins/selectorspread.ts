// SelectorSpread: pods of one controller (ReplicaSet, Job, ...) prefer nodes that run
// fewer of their siblings. kube-scheduler matches the selectors of the Services and
// controllers selecting the pod; the controller owner is the same set for pods made by a
// controller, and is O(1) per node through NodeInfo.ownerCounts.
import { defaultNormalize, type ScorePlugin } from './types.js';

export const selectorSpread: ScorePlugin = {
  name: 'SelectorSpread',
  weight: 1,
  score(pod, node) {
    return pod.ownerUid ? (node.ownerCounts.get(pod.ownerUid) ?? 0) : 0;
  },
  normalize: (scores) => defaultNormalize(scores, true),
};
