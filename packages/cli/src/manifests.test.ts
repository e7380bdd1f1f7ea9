import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeManifests, parseDocuments, placeInNamespace, readManifestSources } from './manifests.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx
`;

describe('parseDocuments', () => {
  it('splits multi-document YAML, skips empty documents, expands Lists', () => {
    const text = `---\n${POD}---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n`;
    const docs = parseDocuments({ source: 'f.yaml', text }) as { kind: string }[];
    expect(docs.map((d) => d.kind)).toEqual(['Pod', 'ConfigMap', 'ConfigMap']);
  });
  it('reads JSON', () => {
    expect(parseDocuments({ source: 'f.json', text: '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}' })).toHaveLength(1);
  });
  it('reads a stream of concatenated JSON objects', () => {
    const docs = parseDocuments({ source: '-', text: '{"kind":"A","s":"a}\\"{"}\n  {"kind":"B"}{"kind":"C"}\n' }) as { kind: string }[];
    expect(docs.map((d) => d.kind)).toEqual(['A', 'B', 'C']);
  });
  it('reads YAML 1.1 octal as Kubernetes does', () => {
    const [doc] = parseDocuments({ source: 'f', text: 'a: 0644\n' }) as { a: number }[];
    expect(doc.a).toBe(0o644);
  });
  it('names the file of a syntax error', () => {
    expect(() => parseDocuments({ source: 'bad.yaml', text: 'a: [1, 2\n' })).toThrow(/error parsing bad.yaml: error converting YAML to JSON/);
  });
});

describe('decodeManifests', () => {
  it('decodes known kinds', () => {
    const [m] = decodeManifests([{ source: 'f.yaml', text: POD }]);
    expect(m.info.plural).toBe('pods');
    expect(m.obj.metadata?.name).toBe('nginx');
  });
  it('names an unknown field with its path', () => {
    const text = POD.replace('image: nginx', 'imagee: nginx');
    expect(() => decodeManifests([{ source: 'f.yaml', text }])).toThrow('error validating "f.yaml": error validating data: unknown field "spec.containers[0].imagee"');
  });
  it('rejects missing type meta, unknown kinds and wrong versions', () => {
    expect(() => decodeManifests([{ source: 'f.yaml', text: 'metadata: {name: x}\n' }])).toThrow('error validating data: [apiVersion not set, kind not set]');
    expect(() => decodeManifests([{ source: 'f.yaml', text: 'apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n' }])).toThrow('no matches for kind "Deployment" in version "v1"');
    expect(() => decodeManifests([{ source: 'f.yaml', text: 'apiVersion: v1\nkind: Widget\nmetadata: {name: x}\n' }])).toThrow('no matches for kind "Widget"');
  });
  it('fails on the bad document even when good ones come first', () => {
    const text = `${POD}---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: a, image: b, bogus: 1}]}\n`;
    expect(() => decodeManifests([{ source: 'f.yaml', text }])).toThrow(/unknown field "spec.containers\[0\].bogus"/);
  });
});

describe('placeInNamespace', () => {
  const [pod] = decodeManifests([{ source: 'f', text: POD }]);
  const [ns] = decodeManifests([{ source: 'f', text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n' }]);
  it('fills the namespace of namespaced objects only', () => {
    expect(placeInNamespace(pod, 'default', false).obj.metadata?.namespace).toBe('default');
    expect(placeInNamespace(ns, 'default', false).obj.metadata?.namespace).toBeUndefined();
  });
  it('refuses an object of another namespace than an explicit -n', () => {
    const other = { ...pod, obj: { ...pod.obj, metadata: { ...pod.obj.metadata, namespace: 'a' } } };
    expect(placeInNamespace(other, 'b', false).obj.metadata?.namespace).toBe('a');
    expect(() => placeInNamespace(other, 'b', true)).toThrow(`the namespace from the provided object "a" does not match the namespace "b"`);
  });
});

describe('readManifestSources', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubesim-mf-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'b.yaml'), POD);
    await writeFile(join(dir, 'a.json'), '{}');
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(dir, 'sub', 'c.yml'), POD);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('reads directories sorted, manifest files only, recursing with -R', async () => {
    expect((await readManifestSources([dir])).map((s) => s.source)).toEqual([join(dir, 'a.json'), join(dir, 'b.yaml')]);
    expect((await readManifestSources([dir], { recursive: true })).map((s) => s.source)).toEqual([join(dir, 'a.json'), join(dir, 'b.yaml'), join(dir, 'sub', 'c.yml')]);
  });
  it('reads stdin for "-" and complains about missing paths', async () => {
    expect(await readManifestSources(['-'], { readStdin: async () => POD })).toEqual([{ source: 'STDIN', text: POD }]);
    await expect(readManifestSources([join(dir, 'nope.yaml')])).rejects.toThrow('does not exist');
  });
});
