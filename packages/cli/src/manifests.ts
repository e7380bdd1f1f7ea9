// Reading manifests for apply/create/delete -f: files, directories (*.yaml, *.yml,
// *.json, sorted; -R descends) and stdin ("-"); multi-document YAML, JSON, `kind: List`.
// Every document is checked strictly against the schema before anything is sent.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DecodeError, decodeObject, resourceForKind, type KubeObject, type ResourceInfo } from '@kubesim/api';
import { parseAllDocuments } from 'yaml';
import { CliError } from './errors.js';

export interface ManifestSource {
  /** The file name as the user gave it (or "STDIN"). */
  source: string;
  text: string;
}

export interface Manifest {
  source: string;
  /** The document, schema-checked and normalized (the codec's JSON shape). */
  obj: KubeObject;
  info: ResourceInfo;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

async function filesIn(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await filesIn(p, true)));
    } else if (MANIFEST_EXT.test(e.name)) out.push(p);
  }
  return out;
}

/** Reads every -f argument in order; `readStdin` is used for "-". */
export async function readManifestSources(paths: string[], opts: { recursive?: boolean; readStdin?: () => Promise<string> } = {}): Promise<ManifestSource[]> {
  if (!paths.length) throw new CliError('must specify one of -f and -k');
  const out: ManifestSource[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ source: 'STDIN', text: await (opts.readStdin ?? readAllStdin)() });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      throw new CliError(`the path "${p}" does not exist`);
    }
    const files = isDir ? await filesIn(p, !!opts.recursive) : [p];
    for (const f of files) out.push({ source: f, text: await readFile(f, 'utf8') });
  }
  return out;
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits concatenated JSON values ("{...}\n{...}"), as kubectl reads JSON streams; undefined if it is not one. */
export function splitJsonStream(text: string): unknown[] | undefined {
  const out: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    if (text[i] !== '{' && text[i] !== '[') return undefined;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    try {
      out.push(JSON.parse(text.slice(i, j + 1)));
    } catch {
      return undefined;
    }
    i = j + 1;
  }
  return out;
}

function expandLists(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    // kubectl expands `kind: List` (what `get -o yaml` prints) into its items.
    if (isObject(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) out.push(...v.items);
    else out.push(v);
  }
  return out;
}

/** The raw documents of one source (YAML 1.1 like Kubernetes: 0644 is octal, yes/no are booleans). */
export function parseDocuments(src: ManifestSource): unknown[] {
  const json = /^\s*[{[]/.test(src.text) ? splitJsonStream(src.text) : undefined;
  if (json) return expandLists(json);
  const docs = parseAllDocuments(src.text, { version: '1.1', merge: true, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const d of list) {
    if (d.errors.length) throw new CliError(`error parsing ${src.source}: error converting YAML to JSON: ${d.errors[0].message.split('\n')[0]}`);
    values.push(d.toJS({ maxAliasCount: 100 }) as unknown);
  }
  return expandLists(values);
}

/** Checks one document: type meta, known kind at the right apiVersion, strict schema. */
export function decodeManifest(source: string, raw: unknown): Manifest {
  if (!isObject(raw)) throw new CliError(`error validating "${source}": error validating data: expected an object, got ${Array.isArray(raw) ? 'array' : typeof raw}`);
  const missing = [raw.apiVersion ? '' : 'apiVersion not set', raw.kind ? '' : 'kind not set'].filter(Boolean);
  if (missing.length) throw new CliError(`error validating "${source}": error validating data: [${missing.join(', ')}]`);
  const kind = String(raw.kind);
  const info = resourceForKind(kind);
  const name = isObject(raw.metadata) ? String(raw.metadata.name ?? '') : '';
  const ns = isObject(raw.metadata) ? String(raw.metadata.namespace ?? '') : '';
  if (!info || info.virtual || info.apiVersion !== raw.apiVersion) {
    throw new CliError(`resource mapping not found for name: "${name}" namespace: "${ns}" from "${source}": no matches for kind "${kind}" in version "${String(raw.apiVersion)}"\nensure CRDs are installed first`);
  }
  let obj: KubeObject;
  try {
    obj = decodeObject(raw);
  } catch (err) {
    if (err instanceof DecodeError) {
      const body = err.problems.length === 1 ? err.problems[0] : `[${err.problems.join(', ')}]`;
      throw new CliError(`error validating "${source}": error validating data: ${body}`);
    }
    throw err;
  }
  return { source, obj, info };
}

/** Parses and checks every document of every source; the first bad one throws. */
export function decodeManifests(sources: ManifestSource[]): Manifest[] {
  const out: Manifest[] = [];
  for (const src of sources) for (const raw of parseDocuments(src)) out.push(decodeManifest(src.source, raw));
  return out;
}

/**
 * Places a namespaced object in the namespace: its own, else -n, else "default".
 * An object naming another namespace than an explicit -n is an error, as in kubectl.
 */
export function placeInNamespace(m: Manifest, namespace: string, explicit: boolean): Manifest {
  if (!m.info.namespaced) return m;
  const own = m.obj.metadata?.namespace;
  if (own && explicit && own !== namespace) {
    throw new CliError(`the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  if (own) return m;
  return { ...m, obj: { ...m.obj, metadata: { ...m.obj.metadata, namespace } } as KubeObject };
}
