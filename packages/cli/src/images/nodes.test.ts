import { describe, expect, it } from 'vitest';
import { clusterNodeContainers, parseContainerRows } from './nodes.js';

describe('clusterNodeContainers', () => {
  const rows = parseContainerRows(
    [
      'kubesim-node-10\trunning\tio.kubesim.node=true,com.docker.compose.project=kubesim',
      'kubesim-node-2\texited\tio.kubesim.node=true',
      'kubesim-node-1\trunning\tio.kubesim.compose=true,io.kubesim.node=true',
      'kubesim-apiserver\trunning\tio.kubesim.compose=true',
      'other-node-1\trunning\tio.kubesim.node=true',
      'kubesim-node-1-copy\trunning\tio.kubesim.node=true',
      'kubesim-node-3\trunning\t',
    ].join('\n'),
  );

  it('keeps the labelled CLUSTER-node-N containers, in node order', () => {
    expect(clusterNodeContainers(rows, 'kubesim').map((r) => [r.name, r.running])).toEqual([
      ['kubesim-node-1', true],
      ['kubesim-node-2', false],
      ['kubesim-node-10', true],
    ]);
  });

  it('tells clusters apart by name', () => {
    expect(clusterNodeContainers(rows, 'other').map((r) => r.name)).toEqual(['other-node-1']);
    expect(clusterNodeContainers(rows, 'none')).toEqual([]);
  });
});
