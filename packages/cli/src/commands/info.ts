// kubesim version, kubesim api-resources.
import { tabulate } from '../printers/tabwriter.js';
import type { CliContext } from './context.js';
import { servedResources } from './resources.js';

export const CLIENT_VERSION = 'v0.1.0';

export async function version(ctx: CliContext, o: { client?: boolean; output?: string }): Promise<void> {
  const clientInfo = { gitVersion: CLIENT_VERSION, platform: `${process.platform}/${process.arch}` };
  if (o.client) {
    ctx.out(o.output === 'json' ? JSON.stringify({ clientVersion: clientInfo }, null, 2) + '\n' : `Client Version: ${CLIENT_VERSION}\n`);
    return;
  }
  const client = await ctx.client();
  const server = await client.version().catch((err: unknown) => {
    ctx.out(`Client Version: ${CLIENT_VERSION}\n`);
    throw err;
  });
  if (o.output === 'json') ctx.out(JSON.stringify({ clientVersion: clientInfo, serverVersion: server }, null, 2) + '\n');
  else ctx.out(`Client Version: ${CLIENT_VERSION}\nServer Version: ${server.gitVersion ?? 'unknown'}\n`);
}

export function apiResources(ctx: CliContext, o: { namespaced?: string; output?: string; headers?: boolean }): void {
  let rs = servedResources();
  if (o.namespaced !== undefined) rs = rs.filter((r) => String(r.namespaced) === o.namespaced);
  rs = [...rs].sort((a, b) => a.plural.localeCompare(b.plural));
  if (o.output === 'name') {
    ctx.out(rs.map((r) => (r.apiVersion.includes('/') ? `${r.plural}.${r.apiVersion.split('/')[0]}` : r.plural) + '\n').join(''));
    return;
  }
  const lines = rs.map((r) => [r.plural, r.shortNames.join(','), r.apiVersion, String(r.namespaced), r.kind].join('\t'));
  if (o.headers !== false) lines.unshift(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'].join('\t'));
  ctx.out(tabulate(lines));
}
