// kubesim label / annotate: TYPE NAME k=v k2- [--overwrite], or TYPE -l SEL / --all.
import type { KubeObject } from '@kubesim/api';
import type { Client } from '@kubesim/client';
import { CliError } from '../errors.js';
import { objectName } from '../printers/names.js';
import type { CliContext } from './context.js';
import { parseResourceArgs, resourceName } from './resources.js';

export type MetaField = 'labels' | 'annotations';

export interface MetaChanges {
  set: Record<string, string>;
  remove: string[];
}

/** Splits arguments into resource arguments and `k=v` / `k-` changes. */
export function splitChangeArgs(args: string[], field: MetaField): { resources: string[]; changes: MetaChanges } {
  const resources: string[] = [];
  const changes: MetaChanges = { set: {}, remove: [] };
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq >= 0) {
      const key = a.slice(0, eq);
      if (!key) throw new CliError(`invalid ${field === 'labels' ? 'label' : 'annotation'} spec: ${a}`);
      changes.set[key] = a.slice(eq + 1);
    } else if (a.endsWith('-') && a.length > 1 && resources.length > 0) changes.remove.push(a.slice(0, -1));
    else resources.push(a);
  }
  for (const k of changes.remove) {
    if (k in changes.set) throw new CliError(`can not both modify and remove ${field === 'labels' ? 'a label' : 'an annotation'} in the same command`);
  }
  if (!Object.keys(changes.set).length && !changes.remove.length) {
    throw new CliError(`at least one ${field === 'labels' ? 'label' : 'annotation'} update is required`);
  }
  return { resources, changes };
}

/**
 * The merge patch of metadata.<field> for `current`, or undefined when nothing changes.
 * Throws kubectl's error for a value that exists without --overwrite. `missing` gets
 * the keys asked to be removed that were not there.
 */
export function metaPatch(current: Record<string, string> | undefined, c: MetaChanges, overwrite: boolean, missing: string[] = []): Record<string, string | null> | undefined {
  const cur = current ?? {};
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(c.set)) {
    if (k in cur && cur[k] !== v && !overwrite) throw new CliError(`'${k}' already has a value (${cur[k]}), and --overwrite is false`);
    if (cur[k] !== v) patch[k] = v;
  }
  for (const k of c.remove) {
    if (k in cur) patch[k] = null;
    else missing.push(k);
  }
  return Object.keys(patch).length ? patch : undefined;
}

export async function labelOrAnnotate(ctx: CliContext, field: MetaField, args: string[], o: { overwrite?: boolean; selector?: string; all?: boolean; allNamespaces?: boolean }): Promise<void> {
  const { resources, changes } = splitChangeArgs(args, field);
  const reqs = parseResourceArgs(resources, { allowAll: false });
  const client: Client = await ctx.client();
  const objs: { info: (typeof reqs)[number]['info']; obj: KubeObject }[] = [];
  for (const r of reqs) {
    const ns = r.info.namespaced ? ctx.namespace : '';
    if (r.names.length) {
      for (const name of r.names) {
        try {
          objs.push({ info: r.info, obj: await client.get(resourceName(r.info), ns, name) });
        } catch (err) {
          ctx.fail(err);
        }
      }
    } else {
      if (!o.selector && !o.all) throw new CliError('resource(s) were provided, but no name was specified');
      const list = await client.list(resourceName(r.info), { namespace: r.info.namespaced && !o.allNamespaces ? ctx.namespace : '', ...(o.selector ? { labelSelector: o.selector } : {}) });
      for (const obj of list.items) objs.push({ info: r.info, obj });
    }
  }
  const word = field === 'labels' ? 'label' : 'annotation';
  const verb = field === 'labels' ? (Object.keys(changes.set).length ? 'labeled' : 'unlabeled') : 'annotated';
  for (const { info, obj } of objs) {
    const name = obj.metadata?.name ?? '';
    const missing: string[] = [];
    try {
      const patch = metaPatch(obj.metadata?.[field], changes, !!o.overwrite, missing);
      for (const k of missing) ctx.err(`${word} "${k}" not found.\n`);
      if (!patch) {
        ctx.out(`${objectName(info, name)} not ${field === 'labels' ? 'labeled' : 'annotated'}\n`);
        continue;
      }
      // The resourceVersion makes this a compare-and-swap of what --overwrite checked.
      await client.patch(resourceName(info), obj.metadata?.namespace ?? '', name, { metadata: { [field]: patch, resourceVersion: obj.metadata?.resourceVersion } });
      ctx.out(`${objectName(info, name)} ${verb}\n`);
    } catch (err) {
      ctx.fail(err);
    }
  }
}
