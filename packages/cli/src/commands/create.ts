// kubesim create -f, and the generators: namespace, configmap, secret generic, deployment.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeObject, resourceForKind, type KubeObject } from '@kubesim/api';
import { withLastApplied } from '../apply.js';
import { CliError, withSource } from '../errors.js';
import { objectName } from '../printers/names.js';
import { loadManifests, type FileOptions } from './apply.js';
import type { CliContext } from './context.js';

export async function createFromFiles(ctx: CliContext, o: FileOptions & { saveConfig?: boolean }): Promise<void> {
  const manifests = await loadManifests(ctx, o);
  const client = await ctx.client();
  for (const m of manifests) {
    try {
      await client.create(o.saveConfig ? withLastApplied(m.obj) : m.obj);
      ctx.out(`${objectName(m.info, m.obj.metadata?.name ?? '')} created\n`);
    } catch (err) {
      ctx.fail(withSource(err, 'creating', m.source));
    }
  }
}

async function createOne(ctx: CliContext, obj: KubeObject): Promise<void> {
  const checked = decodeObject(obj);
  const info = resourceForKind(checked.kind ?? '')!;
  const client = await ctx.client();
  await client.create(checked);
  ctx.out(`${objectName(info, checked.metadata?.name ?? '')} created\n`);
}

/** "k=v" -> [k, v]; the value may contain "=". */
export function parseLiteral(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new CliError(`invalid literal source ${text}, expected key=value`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** --from-file=[key=]path entries, read as text. */
async function fromFiles(specs: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    const [key, path] = i > 0 ? [s.slice(0, i), s.slice(i + 1)] : [basename(s), s];
    out[key] = await readFile(path, 'utf8');
  }
  return out;
}

function collectData(literals: string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const l of literals) {
    const [k, v] = parseLiteral(l);
    if (k in data) throw new CliError(`cannot add key ${k}, another key by that name already exists in Data for ConfigMap "".`);
    data[k] = v;
  }
  return data;
}

export async function createNamespace(ctx: CliContext, name: string): Promise<void> {
  await createOne(ctx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export async function createConfigMap(ctx: CliContext, name: string, o: { fromLiteral: string[]; fromFile: string[] }): Promise<void> {
  const data = { ...collectData(o.fromLiteral), ...(await fromFiles(o.fromFile)) };
  await createOne(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ctx.namespace }, ...(Object.keys(data).length ? { data } : {}) });
}

export async function createSecretGeneric(ctx: CliContext, name: string, o: { fromLiteral: string[]; fromFile: string[]; type?: string }): Promise<void> {
  const plain = { ...collectData(o.fromLiteral), ...(await fromFiles(o.fromFile)) };
  const data = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  await createOne(ctx, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ctx.namespace }, type: o.type || 'Opaque', ...(Object.keys(data).length ? { data } : {}) });
}

/** The container name kubectl derives from an image: "nginx:1.25" -> "nginx", "reg/x/app@sha" -> "app". */
export function containerNameFor(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.split(/[:@]/)[0].toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'container';
}

export function deploymentManifest(name: string, namespace: string, o: { image: string[]; replicas?: string; port?: string }): KubeObject {
  if (!o.image.length) throw new CliError('required flag(s) "image" not set');
  const replicas = o.replicas === undefined ? 1 : Number(o.replicas);
  if (!Number.isInteger(replicas) || replicas < 0) throw new CliError(`invalid argument "${o.replicas}" for "--replicas" flag`);
  const labels = { app: name };
  const containers = o.image.map((image, i) => ({
    name: o.image.length === 1 ? containerNameFor(image) : `${containerNameFor(image)}${i === 0 ? '' : `-${i}`}`,
    image,
    ...(o.port ? { ports: [{ containerPort: Number(o.port) }] } : {}),
  }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
  };
}

export async function createDeployment(ctx: CliContext, name: string, o: { image: string[]; replicas?: string; port?: string }): Promise<void> {
  await createOne(ctx, deploymentManifest(name, ctx.namespace, o));
}
