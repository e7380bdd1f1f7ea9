// kubesim get: tables, -o yaml/json/name/wide, selectors, -A, --watch.
import { isExpired, isStatusError, type Event, type KubeObject, type ResourceInfo } from '@kubesim/api';
import type { Client } from '@kubesim/client';
import { CliError } from '../errors.js';
import { eventTimes } from '../printers/kinds.js';
import { typeName } from '../printers/names.js';
import { formatNames, formatObjects, toJson, toYaml, withTypeMeta } from '../printers/output.js';
import { printTable, tableHeader, tableRow, type TableOptions } from '../printers/table.js';
import { StreamingTable } from '../printers/tabwriter.js';
import type { CliContext } from './context.js';
import { parseResourceArgs, resourceName, type ResourceRequest } from './resources.js';

export interface GetOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  showLabels?: boolean;
  watch?: boolean;
  watchOnly?: boolean;
  headers?: boolean;
}

type Format = 'table' | 'wide' | 'yaml' | 'json' | 'name';

export function outputFormat(o: string | undefined): Format {
  if (!o) return 'table';
  if (o === 'wide' || o === 'yaml' || o === 'json' || o === 'name') return o;
  throw new CliError(`unable to match a printer suitable for the output format "${o}", allowed formats are: json,name,wide,yaml`);
}

/** Events read best oldest first; other kinds keep the server's (name) order. */
function sortForDisplay(info: ResourceInfo, items: KubeObject[]): KubeObject[] {
  if (info.kind !== 'Event') return items;
  const t = (e: KubeObject) => Date.parse(eventTimes(e as Event).last ?? '') || 0;
  return [...items].sort((a, b) => t(a) - t(b));
}

async function fetchObjects(ctx: CliContext, client: Client, req: ResourceRequest, o: GetOptions): Promise<KubeObject[]> {
  const ns = req.info.namespaced ? ctx.namespace : '';
  if (req.names.length) {
    const found: KubeObject[] = [];
    for (const name of req.names) {
      try {
        found.push(await client.get(resourceName(req.info), ns, name));
      } catch (err) {
        ctx.fail(err);
      }
    }
    return found;
  }
  const list = await client.list(resourceName(req.info), {
    namespace: req.info.namespaced && !o.allNamespaces ? ctx.namespace : '',
    ...(o.selector ? { labelSelector: o.selector } : {}),
    ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
  });
  return list.items;
}

export async function get(ctx: CliContext, args: string[], o: GetOptions): Promise<void> {
  const format = outputFormat(o.output);
  const reqs = parseResourceArgs(args);
  if (reqs.some((r) => r.names.length) && o.selector) throw new CliError('name cannot be provided when a selector is specified');
  if (o.watch || o.watchOnly) return watch(ctx, reqs, o, format);

  const client = await ctx.client();
  const multi = reqs.length > 1;
  const now = new Date();
  const collected: KubeObject[] = [];
  const single = reqs.length === 1 && reqs[0].names.length === 1;
  let tables = 0;
  let anyFound = false;
  for (const req of reqs) {
    const objs = sortForDisplay(req.info, (await fetchObjects(ctx, client, req, o)).map((x) => withTypeMeta(x, req.info)));
    if (objs.length) anyFound = true;
    if (format === 'yaml' || format === 'json') {
      collected.push(...objs);
      continue;
    }
    if (format === 'name') {
      ctx.out(formatNames(req.info, objs));
      continue;
    }
    if (!objs.length) continue;
    const opts: TableOptions = {
      now,
      wide: format === 'wide',
      withNamespace: !!o.allNamespaces && req.info.namespaced,
      showLabels: o.showLabels,
      noHeaders: o.headers === false,
      ...(multi ? { namePrefix: typeName(req.info) } : {}),
    };
    if (tables++ > 0) ctx.out('\n');
    ctx.out(printTable(req.info.kind, objs, opts));
  }
  if (format === 'yaml' || format === 'json') {
    if (collected.length || !reqs.some((r) => r.names.length)) ctx.out(formatObjects(format, collected, !single));
    return;
  }
  if (!anyFound && !reqs.some((r) => r.names.length)) {
    const namespaced = reqs.some((r) => r.info.namespaced);
    ctx.err(namespaced && !o.allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
  }
}

async function watch(ctx: CliContext, reqs: ResourceRequest[], o: GetOptions, format: Format): Promise<void> {
  if (reqs.length !== 1) throw new CliError('you may only specify a single resource type');
  const req = reqs[0];
  if (req.names.length > 1) throw new CliError('watch is only supported on individual resources and resource collections, but 2 resources were found');
  const client = await ctx.client();
  const namespace = req.info.namespaced && !o.allNamespaces ? ctx.namespace : '';
  const fieldSelector = [o.fieldSelector, req.names.length ? `metadata.name=${req.names[0]}` : ''].filter(Boolean).join(',');
  const sel = { namespace, ...(o.selector ? { labelSelector: o.selector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };

  const table = new StreamingTable();
  const topts: TableOptions = { now: new Date(), wide: format === 'wide', withNamespace: !!o.allNamespaces && req.info.namespaced, showLabels: o.showLabels, noHeaders: o.headers === false };
  let headerDone = topts.noHeaders ?? false;
  let docs = 0;
  const print = (obj: KubeObject) => {
    obj = withTypeMeta(obj, req.info);
    if (format === 'yaml') ctx.out((docs++ ? '---\n' : '') + toYaml(obj));
    else if (format === 'json') ctx.out(toJson(obj));
    else if (format === 'name') ctx.out(formatNames(req.info, [obj]));
    else {
      topts.now = new Date();
      if (!headerDone) {
        ctx.out(table.row(tableHeader(req.info.kind, topts)));
        headerDone = true;
      }
      ctx.out(table.row(tableRow(req.info.kind, obj, topts)));
    }
  };

  const list = await client.list(resourceName(req.info), sel);
  if (!o.watchOnly) {
    for (const obj of sortForDisplay(req.info, list.items)) print(obj);
    if (!list.items.length && format !== 'yaml' && format !== 'json') {
      ctx.err(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    }
  }
  // Like a Reflector: resume after the last event seen when the stream breaks (an
  // apiserver restarted or failed over), relist when that revision is gone (Expired).
  let rv = list.resourceVersion;
  let cancelled = false;
  let current: { cancel(): void } | undefined;
  const stop = () => {
    cancelled = true;
    current?.cancel();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!cancelled) {
      try {
        const w = client.watch(resourceName(req.info), { ...sel, resourceVersion: rv, allowWatchBookmarks: true });
        current = w;
        for await (const ev of w) {
          rv = ev.object?.metadata?.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK' || !ev.object) continue;
          print(ev.object);
        }
        // The server ended the stream: watch again from where it left off, gently.
        if (!cancelled) await new Promise((r) => setTimeout(r, 200));
      } catch (err) {
        if (cancelled) break;
        if (isExpired(err)) {
          const again = await client.list(resourceName(req.info), sel);
          rv = again.resourceVersion;
          for (const obj of sortForDisplay(req.info, again.items)) print(obj);
          continue;
        }
        if (!isStatusError(err, 'ServiceUnavailable') && !isStatusError(err, 'Timeout')) throw err;
        ctx.err(`watch interrupted (${(err as Error).message}); resuming...\n`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
