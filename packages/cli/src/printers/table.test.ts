import type { KubeObject } from '@kubesim/api';
import { describe, expect, it } from 'vitest';
import { formatNames, formatObjects, toYaml, withTypeMeta } from './output.js';
import { printTable } from './table.js';

const now = new Date('2026-01-01T01:00:00Z');
const cm = (name: string, ns = 'default'): KubeObject => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: name } }, data: { k: 'v' } });

describe('printTable', () => {
  it('prints header and rows', () => {
    expect(printTable('ConfigMap', [cm('a'), cm('bbbbbbbb')], { now })).toBe('NAME       DATA   AGE\na          1      60m\nbbbbbbbb   1      60m\n');
  });
  it('adds NAMESPACE, LABELS and name prefixes, drops the header', () => {
    expect(printTable('ConfigMap', [cm('a', 'kube-system')], { now, withNamespace: true, showLabels: true, namePrefix: 'configmap' })).toBe(
      'NAMESPACE     NAME          DATA   AGE   LABELS\nkube-system   configmap/a   1      60m   app=a\n',
    );
    expect(printTable('ConfigMap', [cm('a')], { now, noHeaders: true })).toBe('a     1     60m\n');
  });
});

describe('output', () => {
  it('prints names as kind.group/name', () => {
    expect(formatNames({ apiVersion: 'apps/v1', singular: 'deployment' }, [cm('web')])).toBe('deployment.apps/web\n');
    expect(formatNames({ apiVersion: 'v1', singular: 'pod' }, [cm('a'), cm('b')])).toBe('pod/a\npod/b\n');
  });
  it('prints YAML with sorted keys and unindented sequences', () => {
    expect(toYaml({ spec: { containers: [{ name: 'a', image: 'x' }] }, apiVersion: 'v1' })).toBe('apiVersion: v1\nspec:\n  containers:\n  - image: x\n    name: a\n');
  });
  it('wraps several objects in a List', () => {
    const out = formatObjects('yaml', [cm('a'), cm('b')], true);
    expect(out).toMatch(/^apiVersion: v1\nitems:\n- apiVersion: v1\n/);
    expect(out).toMatch(/kind: List\nmetadata:\n  resourceVersion: ""\n$/);
    expect(JSON.parse(formatObjects('json', [cm('a')], false)).metadata.name).toBe('a');
  });
  it('fills type meta first', () => {
    expect(Object.keys(withTypeMeta({ metadata: { name: 'x' } } as KubeObject, { apiVersion: 'v1', kind: 'Pod' }))).toEqual(['apiVersion', 'kind', 'metadata']);
  });
});
