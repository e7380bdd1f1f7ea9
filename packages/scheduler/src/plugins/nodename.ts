// NodeName: a pod that names its node (spec.nodeName) fits only there.
import type { FilterPlugin } from './types.js';

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";
const REASONS = [ERR_NODE_NAME];

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter(pod, node) {
    const want = pod.pod.spec?.nodeName;
    return !want || want === node.name ? undefined : REASONS;
  },
};
