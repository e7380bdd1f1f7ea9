import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '@kubesim/api';
import { computeHash, equalIgnoreHash, fnv32a, safeEncode } from './hash.js';
import { REVISION_ANNOTATION, maxRevision, newRSAnnotations, nextRevision, replicaSetsToClean } from './revision.js';

const t = (image: string, extra: Record<string, string> = {}) => ({ metadata: { labels: { app: 'web', ...extra } }, spec: { containers: [{ name: 'c', image }] } });

describe('pod-template-hash', () => {
  it('FNV-1a 32 of known inputs', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });
  it('spells in the safe alphabet', () => {
    expect(safeEncode('0123456789')).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });
  it('is stable, key-order independent, ignores its own label, and changes with the template or collisionCount', () => {
    const a = computeHash(t('nginx:1'));
    expect(computeHash(t('nginx:1'))).toBe(a);
    expect(computeHash({ spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { labels: { app: 'web' } } })).toBe(a);
    expect(computeHash(t('nginx:1', { 'pod-template-hash': 'zzz' }))).toBe(a);
    expect(computeHash(t('nginx:2'))).not.toBe(a);
    expect(computeHash(t('nginx:1'), 1)).not.toBe(a);
    expect(computeHash(t('nginx:1'), 1)).not.toBe(computeHash(t('nginx:1'), 2));
  });
  it('equalIgnoreHash', () => {
    expect(equalIgnoreHash(t('nginx:1'), t('nginx:1', { 'pod-template-hash': 'abc' }))).toBe(true);
    expect(equalIgnoreHash(t('nginx:1'), t('nginx:2'))).toBe(false);
    expect(equalIgnoreHash(t('nginx:1'), t('nginx:1', { tier: 'x' }))).toBe(false);
  });
});

const rsRev = (name: string, rev: number | undefined, replicas = 0, created = '2026-01-01T00:00:00Z'): ReplicaSet => ({
  metadata: { name, creationTimestamp: created, annotations: rev === undefined ? undefined : { [REVISION_ANNOTATION]: String(rev) } },
  spec: { replicas },
  status: { replicas },
});

describe('revisions', () => {
  it('next is max + 1', () => {
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([rsRev('a', 3), rsRev('b', 7), rsRev('c', undefined)])).toBe(8);
    expect(maxRevision([rsRev('a', 2)])).toBe(2);
  });
  it('a new ReplicaSet gets the next revision and the change-cause', () => {
    const ann = newRSAnnotations(undefined, [rsRev('a', 1)], { 'kubernetes.io/change-cause': 'v2' }, 3, 4);
    expect(ann).toEqual({ [REVISION_ANNOTATION]: '2', 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  });
  it('an old ReplicaSet reused (rollback) gets the next revision and keeps its history', () => {
    const ann = newRSAnnotations({ [REVISION_ANNOTATION]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' }, [rsRev('b', 2)], undefined, 3, 4);
    expect(ann?.[REVISION_ANNOTATION]).toBe('3');
    expect(ann?.['deployment.kubernetes.io/revision-history']).toBe('1');
  });
  it('nothing changes when up to date', () => {
    expect(newRSAnnotations({ [REVISION_ANNOTATION]: '3', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' }, [rsRev('a', 2)], {}, 3, 4)).toBeUndefined();
  });
  it('cleanup keeps revisionHistoryLimit empty old ReplicaSets, dropping the lowest revisions', () => {
    const olds = [rsRev('r3', 3), rsRev('r1', 1), rsRev('r2', 2), rsRev('busy', 0, 2)];
    expect(replicaSetsToClean(olds, 1).map((r) => r.metadata!.name)).toEqual(['r1', 'r2']);
    expect(replicaSetsToClean(olds, 3)).toEqual([]);
    expect(replicaSetsToClean(olds, 0).map((r) => r.metadata!.name)).toEqual(['r1', 'r2', 'r3']);
  });
});
