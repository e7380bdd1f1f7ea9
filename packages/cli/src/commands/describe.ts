// kubesim describe TYPE [NAME_PREFIX] [-l SEL]: fetches the objects, their events and the
// related objects a description shows, then prints the kind's description.
import { isNotFound, isStatusError, type Endpoints, type Event, type Ingress, type IngressBackend, type KubeObject, type Pod, type ResourceInfo } from '@kubesim/api';
import type { Client } from '@kubesim/client';
import { describeObject, type Related } from '../describe/describers.js';
import { formatLabelSelector } from '../printers/kinds.js';
import { withTypeMeta } from '../printers/output.js';
import type { CliContext } from './context.js';
import { parseResourceArgs, resourceName } from './resources.js';

export interface DescribeOptions {
  selector?: string;
  allNamespaces?: boolean;
  showEvents?: boolean;
}

/** The object's events, by field selector; falls back to filtering when the server refuses it. */
export async function eventsFor(client: Client, obj: KubeObject): Promise<Event[]> {
  const m = obj.metadata ?? {};
  const ns = m.namespace ?? '';
  const kind = obj.kind ?? '';
  const fields = [`involvedObject.name=${m.name}`, `involvedObject.namespace=${ns}`, `involvedObject.kind=${kind}`];
  // Node events name the node, not its uid, in involvedObject.uid.
  const uidOk = (e: Event) => kind === 'Node' || !e.involvedObject?.uid || !m.uid || e.involvedObject.uid === m.uid;
  const matches = (e: Event) => e.involvedObject?.name === m.name && (e.involvedObject?.namespace ?? '') === ns && e.involvedObject?.kind === kind && uidOk(e);
  try {
    const list = await client.list('events', { namespace: ns, fieldSelector: fields.join(',') });
    return list.items.filter(uidOk);
  } catch (err) {
    if (!isStatusError(err, 'BadRequest')) throw err;
    const list = await client.list('events', { namespace: ns });
    return list.items.filter(matches);
  }
}

/** The Services an Ingress routes to and their Endpoints (absent when not found). */
async function ingressBackends(client: Client, ing: Ingress): Promise<NonNullable<Related['backends']>> {
  const ns = ing.metadata?.namespace ?? '';
  const names = new Set<string>();
  const add = (b: IngressBackend | undefined) => b?.service?.name && names.add(b.service.name);
  add(ing.spec?.defaultBackend);
  for (const r of ing.spec?.rules ?? []) for (const p of r.http?.paths ?? []) add(p.backend);
  const out: NonNullable<Related['backends']> = new Map();
  const orUndefined = <T>(p: Promise<T>) => p.catch((err: unknown) => { if (isNotFound(err)) return undefined; throw err; });
  for (const name of names) {
    const [service, endpoints] = await Promise.all([orUndefined(client.get('services', ns, name)), orUndefined(client.get('endpoints', ns, name))]);
    out.set(name, { service, endpoints });
  }
  return out;
}

async function related(client: Client, obj: KubeObject, showEvents: boolean): Promise<Related> {
  const rel: Related = {};
  if (showEvents) rel.events = await eventsFor(client, obj);
  const ns = obj.metadata?.namespace ?? '';
  if (obj.kind === 'ReplicaSet') {
    const sel = formatLabelSelector(obj.spec?.selector);
    if (sel !== '<none>') rel.pods = (await client.list('pods', { namespace: ns, labelSelector: sel })).items as Pod[];
  } else if (obj.kind === 'Node') {
    rel.pods = (await client.list('pods', { fieldSelector: `spec.nodeName=${obj.metadata?.name}` })).items as Pod[];
  } else if (obj.kind === 'Service') {
    try {
      rel.endpoints = (await client.get('endpoints', ns, obj.metadata?.name ?? '')) as Endpoints;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  } else if (obj.kind === 'Ingress') {
    rel.backends = await ingressBackends(client, obj);
  }
  return rel;
}

async function find(ctx: CliContext, client: Client, info: ResourceInfo, name: string | undefined, o: DescribeOptions): Promise<KubeObject[]> {
  const ns = info.namespaced ? ctx.namespace : '';
  if (name !== undefined) {
    try {
      return [await client.get(resourceName(info), ns, name)];
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // kubectl describes every object whose name starts with the argument.
      const list = await client.list(resourceName(info), { namespace: ns });
      const hits = list.items.filter((x) => x.metadata?.name?.startsWith(name));
      if (!hits.length) throw err;
      return hits;
    }
  }
  const list = await client.list(resourceName(info), { namespace: info.namespaced && !o.allNamespaces ? ctx.namespace : '', ...(o.selector ? { labelSelector: o.selector } : {}) });
  return list.items;
}

export async function describe(ctx: CliContext, args: string[], o: DescribeOptions): Promise<void> {
  const reqs = parseResourceArgs(args);
  const client = await ctx.client();
  let printed = 0;
  for (const req of reqs) {
    const names: (string | undefined)[] = req.names.length ? req.names : [undefined];
    for (const name of names) {
      let objs: KubeObject[];
      try {
        objs = await find(ctx, client, req.info, name, o);
      } catch (err) {
        ctx.fail(err);
        continue;
      }
      for (const raw of objs) {
        const obj = withTypeMeta(raw, req.info);
        const text = describeObject(obj, await related(client, obj, o.showEvents !== false), new Date());
        ctx.out((printed++ ? '\n\n' : '') + text);
      }
    }
  }
  if (!printed && ctx.exitCode === 0) {
    ctx.err(reqs.some((r) => r.info.namespaced) && !o.allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
  }
}
