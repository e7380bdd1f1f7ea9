import { describe, expect, it } from 'vitest';
import type { KubeObject, Pod } from '@kubesim/api';
import { byLabel, byLabels, byNamespace, byNodeName, Indexer, labelIndexValue, LABELS_INDEX, NAMESPACE_INDEX, NODE_NAME_INDEX } from './store.js';

function pod(ns: string, name: string, node?: string, labels?: Record<string, string>, rv = '1'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels, resourceVersion: rv }, spec: { nodeName: node, containers: [] } };
}

function newIndexer(): Indexer<KubeObject> {
  return new Indexer<KubeObject>({ [NAMESPACE_INDEX]: byNamespace, [NODE_NAME_INDEX]: byNodeName, [LABELS_INDEX]: byLabels, app: byLabel('app') });
}

const names = (xs: KubeObject[]) => xs.map((x) => x.metadata?.name).sort();

describe('Indexer', () => {
  it('stores by namespace/name key and lists', () => {
    const ix = newIndexer();
    ix.add(pod('a', 'p1'));
    ix.add(pod('b', 'p1'));
    ix.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    expect(ix.listKeys().sort()).toEqual(['a/p1', 'b/p1', 'n1']);
    expect(ix.get('a/p1')?.metadata?.namespace).toBe('a');
    expect(ix.get('n1')?.kind).toBe('Node');
    expect(ix.size).toBe(3);
  });

  it('maintains indexes through add, update and delete', () => {
    const ix = newIndexer();
    ix.add(pod('a', 'p1', 'n1', { app: 'web', tier: 'fe' }));
    ix.add(pod('a', 'p2', 'n1', { app: 'db' }));
    ix.add(pod('b', 'p3', undefined, { app: 'web' }));
    expect(names(ix.byIndex(NODE_NAME_INDEX, 'n1'))).toEqual(['p1', 'p2']);
    expect(names(ix.byIndex(NAMESPACE_INDEX, 'a'))).toEqual(['p1', 'p2']);
    expect(names(ix.byIndex('app', 'web'))).toEqual(['p1', 'p3']);
    expect(names(ix.byIndex(LABELS_INDEX, labelIndexValue('tier', 'fe')))).toEqual(['p1']);

    // Moving p1 to another node and label must drop the old index entries.
    ix.update(pod('a', 'p1', 'n2', { app: 'db' }, '2'));
    expect(names(ix.byIndex(NODE_NAME_INDEX, 'n1'))).toEqual(['p2']);
    expect(names(ix.byIndex(NODE_NAME_INDEX, 'n2'))).toEqual(['p1']);
    expect(names(ix.byIndex('app', 'web'))).toEqual(['p3']);
    expect(ix.byIndex(LABELS_INDEX, 'tier=fe')).toEqual([]);
    expect(ix.listIndexValues(LABELS_INDEX).sort()).toEqual(['app=db', 'app=web']);

    ix.delete(pod('a', 'p2'));
    expect(ix.get('a/p2')).toBeUndefined();
    expect(ix.listIndexValues(NODE_NAME_INDEX)).toEqual(['n2']);
    ix.deleteKey('missing/x');
  });

  it('replace swaps the content and records the resourceVersion', () => {
    const ix = newIndexer();
    ix.add(pod('a', 'old', 'n1'));
    ix.replace([pod('a', 'new', 'n2')], '42');
    expect(ix.listKeys()).toEqual(['a/new']);
    expect(ix.byIndex(NODE_NAME_INDEX, 'n1')).toEqual([]);
    expect(names(ix.byIndex(NODE_NAME_INDEX, 'n2'))).toEqual(['new']);
    expect(ix.resourceVersion).toBe('42');
  });

  it('indexes existing content when an index is added later, and rejects duplicates', () => {
    const ix = new Indexer<KubeObject>();
    ix.add(pod('a', 'p1', 'n1'));
    expect(names(ix.listNamespace('a'))).toEqual(['p1']);
    ix.addIndexers({ [NODE_NAME_INDEX]: byNodeName });
    expect(names(ix.byIndex(NODE_NAME_INDEX, 'n1'))).toEqual(['p1']);
    expect(() => ix.addIndexers({ [NODE_NAME_INDEX]: byNodeName })).toThrow(/already exists/);
    expect(() => ix.byIndex('nope', 'x')).toThrow(/does not exist/);
  });

  it('hands out the cached instance (callers must deep-copy before changing)', () => {
    const ix = newIndexer();
    const p = pod('a', 'p1');
    ix.add(p);
    expect(ix.get('a/p1')).toBe(p);
  });
});
