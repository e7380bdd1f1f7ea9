// NodeReady: a node whose Ready condition is not True takes no pods. The node lifecycle
// controller taints such nodes (not-ready / unreachable) and TaintToleration, which runs
// first, decides for those; this filter covers the time before the taint lands (and
// nodes without a Ready condition yet). Pods tolerating the not-ready taint are let
// through, as DaemonSet pods are in Kubernetes.
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, tolerationsTolerateTaint } from '@kubesim/api';
import type { FilterPlugin } from './types.js';

export const ERR_NODE_NOT_READY = 'node(s) were not ready';
const REASONS = [ERR_NODE_NOT_READY];
const NOT_READY_TAINT = { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' };

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(pod, node) {
    if (node.ready) return undefined;
    if (node.taints.some((t) => t.key === TAINT_NODE_NOT_READY || t.key === TAINT_NODE_UNREACHABLE)) return undefined;
    return tolerationsTolerateTaint(pod.tolerations, NOT_READY_TAINT) ? undefined : REASONS;
  },
};
