// kubesim logs POD [-c C] [-f] [--previous] [--tail N] [--timestamps]: a container's
// output, streamed from its node agent through the apiserver.
import type { CliContext } from './context.js';
import { CliError } from '../errors.js';

export async function logs(ctx: CliContext, args: string[], o: { container?: string; follow?: boolean; previous?: boolean; tail?: string; timestamps?: boolean; sinceSeconds?: string }): Promise<void> {
  if (args.length < 1) throw new CliError('expected POD or TYPE/NAME');
  let name = args[0];
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const type = name.slice(0, slash);
    if (!['pod', 'pods', 'po'].includes(type)) throw new CliError(`logs for ${type} are not supported here; name a pod`);
    name = name.slice(slash + 1);
  }
  const container = o.container ?? args[1];
  const tail = o.tail !== undefined ? Number(o.tail) : -1;
  if (!Number.isInteger(tail)) throw new CliError(`invalid value "${o.tail}" for --tail`);
  const client = await ctx.client();
  const stream = client.podLogs(ctx.namespace, name, {
    container,
    follow: !!o.follow,
    previous: !!o.previous,
    timestamps: !!o.timestamps,
    ...(tail >= 0 ? { tailLines: tail } : {}),
    ...(o.sinceSeconds ? { sinceSeconds: Number(o.sinceSeconds) } : {}),
  });
  const stop = () => stream.cancel();
  process.once('SIGINT', stop);
  try {
    for await (const chunk of stream) ctx.out(chunk.toString('utf8'));
  } finally {
    process.off('SIGINT', stop);
  }
}
