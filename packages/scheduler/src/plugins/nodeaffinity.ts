// NodeAffinity: spec.nodeSelector and the required node affinity terms must match the
// node (filter); matching preferred terms add their weights (score). Terms are ORed,
// the requirements inside a term ANDed; an empty term matches nothing, as in Kubernetes.
import type { NodeSelectorRequirement, NodeSelectorTerm } from '@kubesim/api';
import type { NodeInfo } from '../nodeinfo.js';
import { defaultNormalize, type FilterPlugin, type ScorePlugin } from './types.js';

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const REASONS = [ERR_NODE_AFFINITY];

const INT = /^[+-]?\d+$/;

/** Does one matchExpressions requirement hold for these labels? Malformed requirements never match. */
export function matchesLabelRequirement(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const key = r.key ?? '';
  const values = r.values ?? [];
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  switch (r.operator) {
    case 'In':
      return has && values.includes(labels[key]);
    case 'NotIn':
      return !has || !values.includes(labels[key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !INT.test(values[0]) || !INT.test(labels[key])) return false;
      const l = BigInt(labels[key]);
      const v = BigInt(values[0]);
      return r.operator === 'Gt' ? l > v : l < v;
    }
    default:
      return false;
  }
}

/** matchFields: only metadata.name, with In or NotIn. */
export function matchesFieldRequirement(r: NodeSelectorRequirement, nodeName: string): boolean {
  if (r.key !== 'metadata.name') return false;
  const values = r.values ?? [];
  if (r.operator === 'In') return values.includes(nodeName);
  if (r.operator === 'NotIn') return !values.includes(nodeName);
  return false;
}

export function matchesTerm(term: NodeSelectorTerm | undefined, node: NodeInfo): boolean {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!matchesLabelRequirement(r, node.labels)) return false;
  for (const r of fields) if (!matchesFieldRequirement(r, node.name)) return false;
  return true;
}

export function matchesNodeSelector(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  filter(pod, node) {
    const spec = pod.pod.spec;
    if (!matchesNodeSelector(spec?.nodeSelector, node.labels)) return REASONS;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required) return undefined;
    for (const term of required.nodeSelectorTerms ?? []) if (matchesTerm(term, node)) return undefined;
    return REASONS;
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  score(pod, node) {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (!preferred) return 0;
    let sum = 0;
    for (const p of preferred) if (p.weight && matchesTerm(p.preference, node)) sum += p.weight;
    return sum;
  },
  normalize: (scores) => defaultNormalize(scores, false),
};
