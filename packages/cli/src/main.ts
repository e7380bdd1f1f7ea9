#!/usr/bin/env node
// kubesim: the one entry point. Components (`kubesim apiserver`, later scheduler,
// controller-manager, node) and the kubectl-like verbs all start here. Everything
// behind a verb is imported lazily so `kubesim get` loads neither etcd3 nor pino.
import { Command, Option } from 'commander';
import { registerClusterVerbs } from './cluster/commands.js';
import { registerChaosVerbs } from './chaos/commands.js';
import { registerComponents } from './components.js';
import { registerConfigVerbs } from './config/commands.js';
import { APISERVER_FLAGS, intFlag, numberFlag, type ApiServerFlagValues, type FlagSpec } from './flags.js';
import { registerKubectlVerbs } from './verbs.js';

const program = new Command('kubesim');
program
  .description('a Kubernetes-style cluster that really runs')
  .option('-s, --server <host:port[,host:port]>', 'apiserver address(es); else $KUBESIM_SERVER, else the current context')
  .option('-n, --namespace <ns>', 'the namespace scope for this request')
  .option('--request-timeout <seconds>', 'per-call timeout in seconds', '30')
  .showHelpAfterError(false);

function addFlags(cmd: Command, flags: Record<string, FlagSpec>): Command {
  for (const spec of Object.values(flags)) {
    const opt = new Option(spec.flag, spec.description);
    cmd.addOption(spec.default === undefined ? opt : opt.default(spec.default));
  }
  return cmd;
}

addFlags(program.command('apiserver').description('run the API server (gRPC) on etcd'), APISERVER_FLAGS).action(
  async (opts: ApiServerFlagValues) => {
    const { startApiServer } = await import('@kubesim/apiserver');
    const server = await startApiServer({
      etcdServers: opts.etcdServers.split(','),
      listen: opts.listen,
      compactionIntervalSeconds: intFlag('--compaction-interval', opts.compactionInterval),
      eventTtlSeconds: intFlag('--event-ttl', opts.eventTtl),
      maxObjectBytes: intFlag('--max-object-bytes', opts.maxObjectBytes),
      bookmarkIntervalSeconds: numberFlag('--bookmark-interval', opts.bookmarkInterval),
      watchCacheSize: intFlag('--watch-cache-size', opts.watchCacheSize),
      defaultNotReadyTolerationSeconds: intFlag('--default-not-ready-toleration-seconds', opts.defaultNotReadyTolerationSeconds),
      defaultUnreachableTolerationSeconds: intFlag('--default-unreachable-toleration-seconds', opts.defaultUnreachableTolerationSeconds),
      ...(opts.serviceClusterIPRange ? { serviceClusterIPRange: opts.serviceClusterIPRange } : {}),
      ...(opts.serviceNodePortRange ? { serviceNodePortRange: opts.serviceNodePortRange } : {}),
    });
    const stop = async () => {
      await server.stop();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
);

registerKubectlVerbs(program);
registerClusterVerbs(program);
registerChaosVerbs(program);
registerConfigVerbs(program);
(await import('./images/commands.js')).registerImageVerbs(program);
registerComponents(program);

await program.parseAsync(process.argv);
