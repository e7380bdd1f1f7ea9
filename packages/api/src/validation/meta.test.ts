import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../errors.js';
import type { KubeObject, Namespace, Node } from '../gen/types.js';
import { validateLabelSelector, validateObject, validateObjectMeta } from './index.js';
import { configMap, pod, problems, service } from './testing.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('names per kind', () => {
  it('accepts the fixtures', () => {
    expect(problems(pod())).toEqual([]);
    expect(problems(service())).toEqual([]);
    expect(problems(configMap())).toEqual([]);
  });

  it('pods take DNS-1123 subdomains', () => {
    expect(problems(pod((p) => (p.metadata!.name = 'Foo_1')))).toEqual([`metadata.name: Invalid value: "Foo_1": ${SUBDOMAIN_MSG}`]);
    expect(problems(pod((p) => (p.metadata!.name = 'web.v1')))).toEqual([]);
    expect(problems(pod((p) => (p.metadata!.name = 'a'.repeat(254))))).toEqual([`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`]);
  });

  it('namespaces take DNS-1123 labels', () => {
    const ns = (name: string): Namespace => ({ kind: 'Namespace', metadata: { name } });
    expect(problems(ns('team-a'))).toEqual([]);
    expect(problems(ns('team.a'))).toEqual([`metadata.name: Invalid value: "team.a": ${LABEL_MSG}`]);
    expect(problems(ns('a'.repeat(64)))).toEqual([`metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`]);
  });

  it('services take DNS-1035 labels', () => {
    expect(problems(service((s) => (s.metadata!.name = 'web.v1')))[0]).toMatch(/^metadata\.name: Invalid value: "web\.v1": a DNS-1035 label must consist of/);
    expect(problems(service((s) => (s.metadata!.name = '1web')))[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label/);
  });

  it.each(['Node', 'ConfigMap', 'Secret', 'Endpoints', 'Lease', 'Event'])('%s takes a subdomain', (kind) => {
    const obj = { kind, metadata: { name: 'a.b-c' } } as KubeObject;
    expect(validateObject(obj).filter((e) => e.field === 'metadata.name')).toEqual([]);
    const bad = { kind, metadata: { name: 'A' } } as KubeObject;
    expect(validateObject(bad).filter((e) => e.field === 'metadata.name').map(formatFieldError)).toEqual([`metadata.name: Invalid value: "A": ${SUBDOMAIN_MSG}`]);
  });
});

describe('metadata', () => {
  it('requires a name or generateName', () => {
    expect(problems(pod((p) => (p.metadata!.name = undefined)))).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(problems(pod((p) => { p.metadata!.name = undefined; p.metadata!.generateName = 'nginx-'; }))).toEqual([]);
    expect(problems(pod((p) => { p.metadata!.name = ''; p.metadata!.generateName = 'Nginx-'; }))).toEqual([`metadata.generateName: Invalid value: "Nginx-": ${SUBDOMAIN_MSG}`]);
  });

  it('does not require a namespace on namespaced kinds (the apiserver sets it)', () => {
    expect(problems(pod((p) => (p.metadata!.namespace = undefined)))).toEqual([]);
  });

  it('checks the namespace name', () => {
    expect(problems(pod((p) => (p.metadata!.namespace = 'Bad_NS')))).toEqual([`metadata.namespace: Invalid value: "Bad_NS": ${LABEL_MSG}`]);
  });

  it('forbids a namespace on cluster-scoped kinds', () => {
    const node: Node = { kind: 'Node', metadata: { name: 'n1', namespace: 'default' } };
    expect(problems(node)).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    expect(problems({ kind: 'Namespace', metadata: { name: 'a', namespace: 'b' } })).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it.each<[Record<string, string>, string[]]>([
    [{ 'a.b/c': 'x', app: '', 'example.com/My_Key.1': 'v-1' }, []],
    [{ 'a/b/c': 'x' }, ['metadata.labels: Invalid value: "a/b/c": a qualified name must consist of']],
    [{ '-a': 'x' }, ['metadata.labels: Invalid value: "-a": name part must consist of']],
    [{ ['k'.repeat(63)]: 'v'.repeat(63) }, []],
    [{ ['k'.repeat(64)]: 'v' }, [`metadata.labels: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`]],
    [{ k: 'v'.repeat(64) }, [`metadata.labels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`]],
    [{ k: 'a b' }, ['metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of']],
    [{ 'Bad.Prefix/x': 'v' }, ['metadata.labels: Invalid value: "Bad.Prefix/x": prefix part a lowercase RFC 1123 subdomain']],
  ])('labels %j', (labels, want) => {
    const got = problems(pod((p) => (p.metadata!.labels = labels)));
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(g.startsWith(want[i])).toBe(true));
  });

  it('checks annotation keys, case-insensitively, and their total size', () => {
    expect(problems(pod((p) => (p.metadata!.annotations = { 'Example.COM/Note': 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' })))).toEqual([]);
    expect(problems(pod((p) => (p.metadata!.annotations = { 'a b': 'x' })))[0]).toMatch(/^metadata\.annotations: Invalid value: "a b": name part must consist of/);
    const big = 'x'.repeat(256 * 1024);
    expect(problems(pod((p) => (p.metadata!.annotations = { a: big })))).toEqual(['metadata.annotations: Too long: must have at most 262144 bytes']);
    expect(problems(pod((p) => (p.metadata!.annotations = { a: big.slice(0, 256 * 1024 - 1) })))).toEqual([]);
    // Bytes, not characters.
    expect(problems(pod((p) => (p.metadata!.annotations = { a: 'é'.repeat(128 * 1024) })))).toEqual(['metadata.annotations: Too long: must have at most 262144 bytes']);
  });

  it('checks owner references', () => {
    const got = problems(pod((p) => (p.metadata!.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: 'u1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '', controller: true },
    ])));
    expect(got).toHaveLength(2);
    expect(got[0]).toBe('metadata.ownerReferences[1].uid: Invalid value: "": uid must not be empty');
    expect(got[1]).toMatch(/^metadata\.ownerReferences: Invalid value: .*Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a, ReplicaSet\/b$/);
  });

  it('rejects negative generation and bad finalizers', () => {
    expect(problems(pod((p) => (p.metadata!.generation = -1)))).toEqual(['metadata.generation: Invalid value: -1: must be greater than or equal to 0']);
    expect(problems(pod((p) => (p.metadata!.finalizers = ['example.com/cleanup', 'a/b/c'])))[0]).toMatch(/^metadata\.finalizers\[1\]: Invalid value: "a\/b\/c"/);
  });

  it('keeps identity fields on update', () => {
    const old = pod((p) => { p.metadata!.uid = 'u1'; p.metadata!.creationTimestamp = '2024-01-01T00:00:00Z'; });
    expect(problems(pod((p) => { p.metadata!.uid = 'u1'; }), old)).toEqual([]);
    expect(problems(pod((p) => { p.metadata!.uid = 'u2'; }), old)).toEqual(['metadata.uid: Invalid value: "u2": field is immutable']);
    expect(problems(pod((p) => { p.metadata!.name = 'other'; }), old)).toEqual(['metadata.name: Invalid value: "other": field is immutable']);
    expect(problems(pod((p) => { p.metadata!.labels = { app: 'changed' }; }), old)).toEqual([]);
  });

  it('rejects unknown kinds', () => {
    expect(problems({ kind: 'Widget' } as unknown as KubeObject)[0]).toMatch(/^kind: Unsupported value: "Widget": supported values: "Binding", "ConfigMap"/);
  });

  it('exports validateObjectMeta for a kind', () => {
    expect(validateObjectMeta({ name: 'x', namespace: 'y' }, 'Node').map(formatFieldError)).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    expect(validateObjectMeta({ name: 'ok' }, 'Pod')).toEqual([]);
  });
});

describe('validateLabelSelector', () => {
  it.each<[Parameters<typeof validateLabelSelector>[0], string[]]>([
    [{ matchLabels: { app: 'web' } }, []],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }, { key: 'x', operator: 'Exists' }] }, []],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] }, ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['a'] }] }, ['spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']],
    [{ matchLabels: { app: '-x' } }, ['spec.selector.matchLabels: Invalid value: "-x": a valid label must']],
    [{ matchExpressions: [{ key: '-k', operator: 'Exists' }] }, ['spec.selector.matchExpressions[0].key: Invalid value: "-k": name part']],
  ])('%j', (sel, want) => {
    const got = validateLabelSelector(sel, 'spec.selector').map(formatFieldError);
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(g.startsWith(want[i])).toBe(true));
  });
});
