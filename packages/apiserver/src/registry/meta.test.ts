import { describe, expect, it } from 'vitest';
import { resourceForKind, type ConfigMap, type Deployment, type Namespace, type Pod, type Secret } from '@kubesim/api';
import { prepareForCreate, prepareForUpdate, removeOnUpdate } from './meta.js';

const NOW = '2030-01-01T00:00:00Z';

function deployment(replicas = 1): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default', uid: 'u', generation: 3, creationTimestamp: '2029-01-01T00:00:00Z', resourceVersion: '5' },
    spec: { replicas, selector: { matchLabels: { a: 'b' } } },
    status: { replicas: 1 },
  };
}

describe('prepareForCreate', () => {
  it('sets system metadata and clears what clients may not set', () => {
    const p: Pod = { kind: 'Pod', metadata: { name: 'p', namespace: 'default', resourceVersion: '3', deletionTimestamp: NOW, generation: 9, uid: 'mine' }, spec: {}, status: { phase: 'Running', podIP: '1.2.3.4' } };
    prepareForCreate(p, resourceForKind('Pod'), NOW, 'new-uid');
    expect(p.apiVersion).toBe('v1');
    expect(p.metadata).toEqual({ name: 'p', namespace: 'default', uid: 'new-uid', creationTimestamp: NOW, generation: 1 });
    expect(p.status).toEqual({ phase: 'Pending' });
  });

  it('drops the namespace of cluster-scoped kinds and keeps a node its status', () => {
    const n = { apiVersion: 'v1', kind: 'Node' as const, metadata: { name: 'n', namespace: 'x' }, status: { capacity: { cpu: '2' } } };
    prepareForCreate(n, resourceForKind('Node'), NOW, 'u');
    expect(n.metadata.namespace).toBeUndefined();
    expect(n.status).toEqual({ capacity: { cpu: '2' } });
  });

  it('gives namespaces the kubernetes finalizer, Active phase and name label', () => {
    const ns: Namespace = { kind: 'Namespace', metadata: { name: 'team' } };
    prepareForCreate(ns, resourceForKind('Namespace'), NOW, 'u');
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect(ns.status?.phase).toBe('Active');
    expect(ns.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' });
  });

  it('folds Secret.stringData into base64 data', () => {
    const s: Secret = { kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello', a: 'over' } };
    prepareForCreate(s, resourceForKind('Secret'), NOW, 'u');
    expect(s.stringData).toBeUndefined();
    expect(s.data).toEqual({ a: Buffer.from('over').toString('base64'), b: Buffer.from('hello').toString('base64') });
  });
});

describe('prepareForUpdate', () => {
  const info = resourceForKind('Deployment');

  it('keeps system fields and the stored status', () => {
    const next = deployment();
    next.metadata = { ...next.metadata, creationTimestamp: NOW, generation: 1, deletionTimestamp: NOW };
    next.status = { replicas: 99 };
    const { obj, errors } = prepareForUpdate(next, deployment(), info, 'update');
    expect(errors).toEqual([]);
    expect(obj.metadata).toMatchObject({ creationTimestamp: '2029-01-01T00:00:00Z', generation: 3 });
    expect(obj.metadata?.deletionTimestamp).toBeUndefined();
    expect((obj as Deployment).status).toEqual({ replicas: 1 });
  });

  it('bumps generation on spec changes only', () => {
    expect(prepareForUpdate(deployment(2), deployment(), info, 'update').obj.metadata?.generation).toBe(4);
    const relabeled = deployment();
    relabeled.metadata!.labels = { x: 'y' };
    expect(prepareForUpdate(relabeled, deployment(), info, 'update').obj.metadata?.generation).toBe(3);
    // Kinds without spec: their data is the desired state.
    const cm = (v: string): ConfigMap => ({ kind: 'ConfigMap', metadata: { name: 'c', generation: 1 }, data: { k: v } });
    expect(prepareForUpdate(cm('b'), cm('a'), resourceForKind('ConfigMap'), 'update').obj.metadata?.generation).toBe(2);
  });

  it('refuses a changed uid and new finalizers while deleting', () => {
    const next = deployment();
    next.metadata!.uid = 'other';
    expect(prepareForUpdate(next, deployment(), info, 'update').errors).toEqual([{ type: 'Invalid value', field: 'metadata.uid', value: 'other', detail: 'field is immutable' }]);
    const old = deployment();
    old.metadata!.deletionTimestamp = NOW;
    old.metadata!.finalizers = ['a'];
    const more = structuredClone(old);
    more.metadata!.finalizers = ['a', 'b'];
    expect(prepareForUpdate(more, old, info, 'update').errors[0]).toMatchObject({ type: 'Forbidden', field: 'metadata.finalizers' });
  });

  it('takes only the status on a status update', () => {
    const next = deployment(7);
    next.metadata!.labels = { sneaky: 'yes' };
    next.status = { replicas: 2 };
    const { obj } = prepareForUpdate(next, deployment(), info, 'status');
    expect((obj as Deployment).spec?.replicas).toBe(1);
    expect(obj.metadata?.labels).toBeUndefined();
    expect((obj as Deployment).status).toEqual({ replicas: 2 });
    expect(obj.metadata?.resourceVersion).toBe('5');
  });
});

describe('removeOnUpdate', () => {
  const base = (): ConfigMap => ({ kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['f'], deletionTimestamp: NOW, deletionGracePeriodSeconds: 0 } });
  it('removes when the last finalizer of a deleting object goes', () => {
    const next = base();
    next.metadata!.finalizers = [];
    expect(removeOnUpdate(next, base())).toBe(true);
    expect(removeOnUpdate(base(), base())).toBe(false);
    const alive = base();
    delete alive.metadata!.deletionTimestamp;
    expect(removeOnUpdate(next, alive)).toBe(false);
    const graceful = base();
    graceful.metadata!.deletionGracePeriodSeconds = 30;
    expect(removeOnUpdate(next, graceful)).toBe(false);
  });
});
