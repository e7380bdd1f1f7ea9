// kubesim patch TYPE NAME -p PATCH [--type merge|strategic] [--subresource status]: a JSON
// merge patch (RFC 7386), as `kubectl patch --type merge`. Strategic merge patches are
// taken as merge patches: for the maps and scalars they usually change the result is the
// same; lists are replaced whole (kubectl would merge lists of named items).
import { parse as parseYaml } from 'yaml';
import type { Client } from '@kubesim/client';
import { CliError } from '../errors.js';
import { objectName } from '../printers/names.js';
import type { CliContext } from './context.js';
import { parseResourceArgs, resourceName } from './resources.js';

/** The patch document from -p (JSON, or YAML as kubectl also accepts). */
export function parsePatch(text: string | undefined): Record<string, unknown> {
  if (!text) throw new CliError('must specify --patch or -p');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new CliError(`unable to parse "${text}": ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new CliError(`unable to parse "${text}": a patch must be a JSON object`);
  return doc as Record<string, unknown>;
}

export async function patch(ctx: CliContext, args: string[], o: { patch?: string; type?: string; subresource?: string }): Promise<void> {
  const type = o.type ?? 'strategic';
  if (type === 'json') throw new CliError('--type json (RFC 6902 JSON patch) is not supported: use --type merge');
  if (type !== 'merge' && type !== 'strategic') throw new CliError(`--type must be one of [json merge strategic], not "${type}"`);
  if (o.subresource && o.subresource !== 'status') throw new CliError(`--subresource must be "status", not "${o.subresource}"`);
  const body = parsePatch(o.patch);
  const reqs = parseResourceArgs(args, { allowAll: false });
  const client: Client = await ctx.client();
  for (const r of reqs) {
    if (!r.names.length) throw new CliError('resource(s) were provided, but no name was specified');
    const ns = r.info.namespaced ? ctx.namespace : '';
    for (const name of r.names) {
      try {
        const before = await client.get(resourceName(r.info), ns, name);
        const after = await client.patch(resourceName(r.info), ns, name, body, o.subresource ? { subresource: 'status' } : undefined);
        const changed = before.metadata?.resourceVersion !== after.metadata?.resourceVersion;
        ctx.out(`${objectName(r.info, name)} ${changed ? 'patched' : 'patched (no change)'}\n`);
      } catch (err) {
        ctx.fail(err);
      }
    }
  }
}
