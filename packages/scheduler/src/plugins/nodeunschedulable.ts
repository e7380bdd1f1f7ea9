// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
// the node.kubernetes.io/unschedulable:NoSchedule taint.
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '@kubesim/api';
import type { FilterPlugin } from './types.js';

export const ERR_NODE_UNSCHEDULABLE = 'node(s) were unschedulable';
const REASONS = [ERR_NODE_UNSCHEDULABLE];
const TAINT = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod, node) {
    if (!node.unschedulable) return undefined;
    return tolerationsTolerateTaint(pod.tolerations, TAINT) ? undefined : REASONS;
  },
};
