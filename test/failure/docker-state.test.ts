// The invariant checks of the node failure tests catch what they must (pure, no Docker).
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { duplicates, orphans, type KubeletContainer } from './docker-state.js';

const c = (id: string, node: string, uid: string, role: string, running = true): KubeletContainer => ({ id, node, namespace: 'default', pod: `p-${uid}`, uid, role, container: role === 'sandbox' ? 'POD' : 'web', running });
const pod = (uid: string, node: string): Pod => ({ metadata: { name: `p-${uid}`, namespace: 'default', uid }, spec: { nodeName: node, containers: [] } });

describe('node failure invariants', () => {
  it('one running sandbox and app container per pod is fine; stopped extras are not duplicates', () => {
    expect(duplicates([c('1', 'n1', 'u1', 'sandbox'), c('2', 'n1', 'u1', 'app'), c('3', 'n1', 'u1', 'app', false)])).toEqual([]);
  });

  it('a pod running twice on one node, or on two nodes, is reported', () => {
    expect(duplicates([c('1', 'n1', 'u1', 'app'), c('2', 'n1', 'u1', 'app')])).toHaveLength(1);
    expect(duplicates([c('1', 'n1', 'u1', 'sandbox'), c('2', 'n2', 'u1', 'sandbox')])).toEqual([expect.stringContaining('runs 2 sandbox'), 'pod uid u1 runs on n1 and n2']);
  });

  it('containers of pods the API lacks, or bound elsewhere, are orphans; the others are not', () => {
    const pods = [pod('u1', 'n1'), pod('u2', 'n2')];
    expect(orphans([c('1', 'n1', 'u1', 'app'), c('2', 'n2', 'u2', 'app', false)], pods)).toEqual([]);
    expect(orphans([c('3', 'n1', 'u3', 'app', false)], pods)).toEqual([expect.stringContaining('stopped app container 3 on n1 of pod default/p-u3')]);
    expect(orphans([c('4', 'n1', 'u2', 'sandbox')], pods)).toEqual([expect.stringContaining('bound to n2')]);
  });
});
