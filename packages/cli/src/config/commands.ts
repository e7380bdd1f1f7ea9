// `kubesim config`: the contexts of the config file, with kubectl's verbs
// (set-context, use-context, get-contexts, current-context, delete-context). `kubesim up`
// writes its context itself; this is for clusters it did not start (docker-compose).
import type { Command } from 'commander';
import { configPath, readConfig, removeContext, setContext, writeConfig } from '../config.js';
import { contextsTable, parseServers } from './contexts.js';

async function act(fn: () => Promise<string>): Promise<void> {
  try {
    process.stdout.write(await fn());
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

export function registerConfigVerbs(program: Command): void {
  const config = program.command('config').description(`the contexts of the config file (${configPath()})`);
  config
    .command('set-context <name>')
    .description('add or replace a context with --server host:port[,host:port] and make it current (--no-use keeps the current one)')
    // --server is the global flag (-s): its value is the context's server list here.
    .option('--token <token>', 'bearer token')
    .option('--no-use', 'do not make it the current context')
    .action((name: string, o: { token?: string; use: boolean }) =>
      act(async () => {
        const server = (program.opts() as { server?: string }).server ?? '';
        await setContext(name, { servers: parseServers(server), ...(o.token ? { token: o.token } : {}) }, { makeCurrent: o.use });
        return `Context "${name}" set${o.use ? ' and in use' : ''}.\n`;
      }),
    );
  config
    .command('use-context <name>')
    .description('make a context current')
    .action((name: string) =>
      act(async () => {
        const cfg = await readConfig();
        if (!cfg || !(name in cfg.contexts)) throw new Error(`no context exists with the name: "${name}"`);
        await writeConfig({ ...cfg, currentContext: name });
        return `Switched to context "${name}".\n`;
      }),
    );
  config
    .command('get-contexts')
    .description('list the contexts')
    .action(() => act(async () => contextsTable(await readConfig())));
  config
    .command('current-context')
    .description('print the current context')
    .action(() =>
      act(async () => {
        const cur = (await readConfig())?.currentContext;
        if (!cur) throw new Error('current-context is not set');
        return `${cur}\n`;
      }),
    );
  config
    .command('delete-context <name>')
    .description('remove a context')
    .action((name: string) =>
      act(async () => {
        const cfg = await readConfig();
        if (!cfg || !(name in cfg.contexts)) throw new Error(`cannot delete context ${name}, not in ${configPath()}`);
        await removeContext(name);
        return `deleted context ${name} from ${configPath()}\n`;
      }),
    );
}
