// kubesim delete: by name, -f, -l, --all; grace period, force, cascade, wait.
import { isNotFound, type ResourceInfo } from '@kubesim/api';
import type { Client, DeleteOptions } from '@kubesim/client';
import { CliError } from '../errors.js';
import { typeName } from '../printers/names.js';
import { loadManifests } from './apply.js';
import type { CliContext } from './context.js';
import { parseResourceArgs, resourceName } from './resources.js';

export interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  all?: boolean;
  gracePeriod?: string;
  force?: boolean;
  now?: boolean;
  cascade?: string;
  wait?: boolean;
  timeout?: string;
  ignoreNotFound?: boolean;
  allNamespaces?: boolean;
}

interface Target {
  info: ResourceInfo;
  namespace: string;
  name: string;
  /** From a selector/--all listing: a vanished object is not an error. */
  listed?: boolean;
}

/** The DeleteOptions kubectl would send for these flags (pure). */
export function deleteOptions(f: Pick<DeleteFlags, 'gracePeriod' | 'force' | 'now' | 'cascade'>): DeleteOptions {
  const out: DeleteOptions = {};
  let grace = f.gracePeriod === undefined ? -1 : Number(f.gracePeriod);
  if (!Number.isInteger(grace)) throw new CliError(`invalid argument "${f.gracePeriod}" for "--grace-period" flag`);
  if (f.now) {
    if (grace !== -1) throw new CliError('--now and --grace-period cannot be specified together');
    grace = 1;
  }
  if (f.force && grace === -1) grace = 0;
  // Grace 0 means "immediately" only with --force; otherwise it is the shortest graceful delete.
  if (grace === 0 && !f.force) grace = 1;
  if (grace >= 0) out.gracePeriodSeconds = grace;
  const cascade = (f.cascade ?? 'background').toLowerCase();
  const policy = { background: 'Background', true: 'Background', foreground: 'Foreground', orphan: 'Orphan', false: 'Orphan' }[cascade] as DeleteOptions['propagationPolicy'] | undefined;
  if (!policy) throw new CliError(`invalid cascade value (${f.cascade}). Must be "background", "foreground", or "orphan"`);
  out.propagationPolicy = policy;
  return out;
}

/** "2m", "30s", "500ms", "1h", or a bare number of seconds; 0 means a week (kubectl's "forever"). */
export function parseTimeout(text: string | undefined): number {
  if (!text || text === '0' || text === '0s') return 7 * 24 * 3600_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`invalid argument "${text}" for "--timeout" flag: time: invalid duration "${text}"`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

async function targets(ctx: CliContext, client: Client, args: string[], f: DeleteFlags): Promise<Target[]> {
  if (f.filename?.length) {
    if (args.length) throw new CliError('Unexpected args: ' + args.join(' '));
    return (await loadManifests(ctx, { filename: f.filename, recursive: f.recursive })).map((m) => ({
      info: m.info,
      namespace: m.info.namespaced ? (m.obj.metadata?.namespace ?? ctx.namespace) : '',
      name: m.obj.metadata?.name ?? '',
    }));
  }
  const reqs = parseResourceArgs(args, { allowAll: true });
  const out: Target[] = [];
  for (const r of reqs) {
    if (r.names.length) {
      if (f.selector || f.all) throw new CliError('name cannot be provided when a selector is specified');
      for (const name of r.names) out.push({ info: r.info, namespace: r.info.namespaced ? ctx.namespace : '', name });
      continue;
    }
    if (!f.selector && !f.all) throw new CliError('resource(s) were provided, but no name was specified');
    const ns = r.info.namespaced && !f.allNamespaces ? ctx.namespace : '';
    const list = await client.list(resourceName(r.info), { namespace: ns, ...(f.selector ? { labelSelector: f.selector } : {}) });
    for (const o of list.items) out.push({ info: r.info, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '', listed: true });
  }
  return out;
}

async function waitGone(client: Client, t: Target, uid: string | undefined, deadline: number, onSlow: () => void): Promise<boolean> {
  let delay = 50;
  const slowAt = Date.now() + 2000;
  let told = false;
  while (Date.now() < deadline) {
    if (!told && Date.now() > slowAt) {
      told = true;
      onSlow();
    }
    try {
      const cur = await client.get(resourceName(t.info), t.namespace, t.name);
      // A new object of the same name is not the one we deleted.
      if (uid && cur.metadata?.uid && cur.metadata.uid !== uid) return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, deadline - Date.now())));
    delay = Math.min(delay * 2, 1000);
  }
  return false;
}

export async function del(ctx: CliContext, args: string[], f: DeleteFlags): Promise<void> {
  const opts = deleteOptions(f);
  const timeoutMs = parseTimeout(f.timeout);
  const client = await ctx.client();
  const list = await targets(ctx, client, args, f);
  if (!list.length && (f.selector || f.all)) {
    ctx.err('No resources found\n');
    return;
  }
  if (opts.gracePeriodSeconds === 0) {
    ctx.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  }
  const pending: { t: Target; uid?: string }[] = [];
  for (const t of list) {
    try {
      const res = await client.delete(resourceName(t.info), t.namespace, t.name, opts);
      const what = `${typeName(t.info)} "${t.name}"`;
      ctx.out(opts.gracePeriodSeconds === 0 ? `${what} force deleted\n` : `${what} deleted\n`);
      if (!res.removed) pending.push({ t, uid: res.object?.metadata?.uid });
    } catch (err) {
      if (isNotFound(err) && (f.ignoreNotFound || t.listed)) continue;
      ctx.fail(err);
    }
  }
  if (f.wait === false) return;
  const deadline = Date.now() + timeoutMs;
  for (const { t, uid } of pending) {
    // Graceful deletions (pods on a node) take a while: say what we wait for, on a terminal.
    const onSlow = () => {
      if (process.stderr.isTTY) ctx.err(`waiting for ${typeName(t.info)} "${t.name}" to be gone (Ctrl-C stops waiting; the deletion goes on)...\n`);
    };
    if (!(await waitGone(client, t, uid, deadline, onSlow))) {
      ctx.fail(new CliError(`timed out waiting for the condition on ${t.info.plural}/${t.name}`));
    }
  }
}
