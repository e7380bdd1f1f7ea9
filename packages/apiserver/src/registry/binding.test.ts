import { describe, expect, it } from 'vitest';
import type { Binding, Pod } from '@kubesim/api';
import { applyBinding } from './binding.js';

const NOW = '2030-01-01T00:00:00Z';
const pod = (nodeName?: string): Pod => ({ kind: 'Pod', metadata: { name: 'p', uid: 'u' }, spec: { nodeName }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } });
const binding = (node: string, uid?: string): Binding => ({ kind: 'Binding', metadata: { name: 'p', uid }, target: { kind: 'Node', name: node } });

describe('applyBinding', () => {
  it('sets the node and replaces the PodScheduled condition', () => {
    const out = applyBinding(pod(), binding('n1'), NOW);
    expect(out.spec?.nodeName).toBe('n1');
    expect(out.status?.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastTransitionTime: NOW }]);
  });
  it('refuses a bound pod, a deleting pod, a uid mismatch and an empty target', () => {
    expect(() => applyBinding(pod('n0'), binding('n1'), NOW)).toThrow('Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n0"');
    const deleting = pod();
    deleting.metadata!.deletionTimestamp = NOW;
    expect(() => applyBinding(deleting, binding('n1'), NOW)).toThrow(/is being deleted/);
    expect(() => applyBinding(pod(), binding('n1', 'other'), NOW)).toThrow(/UID/);
    expect(() => applyBinding(pod(), binding(''), NOW)).toThrow(/target.name: Required value/);
  });
});
