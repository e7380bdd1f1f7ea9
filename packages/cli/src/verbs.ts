// The kubectl-like verbs. Only flag definitions live here; each action imports its
// implementation when it runs, so the CLI starts without loading what it does not use.
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from './commands/context.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

type Body = (ctx: CliContext, args: string[], opts: Record<string, unknown>) => Promise<void> | void;

/** Wraps a verb: builds the context, prints errors as kubectl does, sets the exit code. */
function run(body: Body) {
  return async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const { CliContext } = await import('./commands/context.js');
    const ctx = await CliContext.fromOptions(cmd.optsWithGlobals() as GlobalOptions);
    try {
      await body(ctx, cmd.args, cmd.opts());
    } catch (err) {
      ctx.fail(err);
    } finally {
      await ctx.close();
      process.exitCode = ctx.exitCode;
    }
  };
}

function fileOptions(cmd: Command, what: string): Command {
  return cmd
    .option('-f, --filename <file>', `file, directory or "-" (stdin) ${what}; repeatable`, collect, [])
    .option('-R, --recursive', 'process the directory used in -f recursively');
}

export function registerKubectlVerbs(program: Command): void {
  fileOptions(program.command('apply').description('apply a configuration to resources by file name or stdin'), 'that contains the configuration to apply').action(
    run(async (ctx, _args, o) => (await import('./commands/apply.js')).apply(ctx, { filename: o.filename as string[], recursive: !!o.recursive })),
  );

  const create = fileOptions(program.command('create').description('create a resource from a file or from stdin'), 'to create from')
    .option('--save-config', 'record the configuration in the last-applied annotation (for later apply)')
    .action(
      run(async (ctx, _args, o) => {
        const { createFromFiles } = await import('./commands/create.js');
        await createFromFiles(ctx, { filename: o.filename as string[], recursive: !!o.recursive, saveConfig: !!o.saveConfig });
      }),
    );
  create
    .command('namespace')
    .alias('ns')
    .argument('<name>')
    .description('create a namespace')
    .action(run(async (ctx, args) => (await import('./commands/create.js')).createNamespace(ctx, args[0])));
  create
    .command('configmap')
    .alias('cm')
    .argument('<name>')
    .description('create a config map from literal values or files')
    .option('--from-literal <key=value>', 'a key and literal value; repeatable', collect, [])
    .option('--from-file <[key=]path>', 'a file whose content becomes a value; repeatable', collect, [])
    .action(run(async (ctx, args, o) => (await import('./commands/create.js')).createConfigMap(ctx, args[0], { fromLiteral: o.fromLiteral as string[], fromFile: o.fromFile as string[] })));
  create
    .command('secret')
    .description('create a secret')
    .command('generic')
    .argument('<name>')
    .description('create a secret from literal values or files')
    .option('--from-literal <key=value>', 'a key and literal value; repeatable', collect, [])
    .option('--from-file <[key=]path>', 'a file whose content becomes a value; repeatable', collect, [])
    .option('--type <type>', 'the type of secret', 'Opaque')
    .action(
      run(async (ctx, args, o) =>
        (await import('./commands/create.js')).createSecretGeneric(ctx, args[0], { fromLiteral: o.fromLiteral as string[], fromFile: o.fromFile as string[], type: o.type as string }),
      ),
    );
  create
    .command('deployment')
    .alias('deploy')
    .argument('<name>')
    .description('create a deployment')
    .option('--image <image>', 'image of a container; repeatable', collect, [])
    .option('--replicas <n>', 'number of replicas', '1')
    .option('--port <port>', 'the container port to expose')
    .action(
      run(async (ctx, args, o) =>
        (await import('./commands/create.js')).createDeployment(ctx, args[0], { image: o.image as string[], replicas: o.replicas as string, port: o.port as string | undefined }),
      ),
    );

  program
    .command('get')
    .argument('[TYPE[.GROUP][,TYPE...] [NAME...] | TYPE/NAME...]')
    .description('display one or many resources')
    .option('-o, --output <format>', 'output format: json|yaml|wide|name')
    .option('-l, --selector <selector>', 'label selector (e.g. -l key1=value1,key2 in (a,b))')
    .option('--field-selector <selector>', 'field selector (e.g. status.phase=Running)')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('--show-labels', 'add a LABELS column')
    .option('-w, --watch', 'after listing, watch for changes')
    .option('--watch-only', 'watch for changes without listing first')
    .option('--no-headers', 'print no header row')
    .action(run(async (ctx, args, o) => (await import('./commands/get.js')).get(ctx, args, o)));

  program
    .command('describe')
    .argument('<TYPE[,TYPE...] [NAME_PREFIX...] | TYPE/NAME...>')
    .description('show details of a resource or group of resources')
    .option('-l, --selector <selector>', 'label selector')
    .option('-A, --all-namespaces', 'describe across all namespaces')
    .option('--show-events <bool>', 'show the events of the object', (v) => v !== 'false', true)
    .action(run(async (ctx, args, o) => (await import('./commands/describe.js')).describe(ctx, args, o)));

  fileOptions(program.command('delete').description('delete resources by file names, stdin, resources and names, or by resources and label selector'), 'of resources to delete')
    .argument('[TYPE [NAME...] | TYPE/NAME...]')
    .option('-l, --selector <selector>', 'delete the objects matching the label selector')
    .option('--all', 'delete every object of the resource types in the namespace')
    .option('-A, --all-namespaces', 'with -l/--all: across all namespaces')
    .option('--grace-period <seconds>', 'seconds given to the object to terminate gracefully (-1: its default)')
    .option('--force', 'remove from the API immediately, bypassing graceful deletion')
    .option('--now', 'signal the object to stop at once (grace period 1)')
    .option('--cascade <policy>', 'background, foreground or orphan', 'background')
    .option('--wait [bool]', 'wait for the objects to be gone before returning', (v) => v !== 'false', true)
    .option('--timeout <duration>', 'how long to wait for the deletion (0: a week)', '0s')
    .option('--ignore-not-found', 'treat "resource not found" as a successful delete')
    .action(run(async (ctx, args, o) => (await import('./commands/delete.js')).del(ctx, args, o)));

  for (const [verb, field] of [['label', 'labels'], ['annotate', 'annotations']] as const) {
    program
      .command(verb)
      .argument('<TYPE NAME | TYPE/NAME> <KEY=VAL|KEY-...>')
      .description(`update the ${field} of resources`)
      .option('--overwrite', `allow changing existing ${field}`)
      .option('-l, --selector <selector>', 'act on the objects matching the label selector')
      .option('--all', 'act on every object of the type in the namespace')
      .option('-A, --all-namespaces', 'with -l/--all: across all namespaces')
      .action(run(async (ctx, args, o) => (await import('./commands/label.js')).labelOrAnnotate(ctx, field, args, o)));
  }

  program
    .command('patch')
    .argument('<TYPE NAME | TYPE/NAME...>')
    .description('update fields of a resource with a merge patch')
    .option('-p, --patch <patch>', 'the patch, as JSON (or YAML)')
    .option('--type <type>', 'merge or strategic (taken as merge); json is not supported', 'strategic')
    .option('--subresource <name>', 'patch the status subresource')
    .action(run(async (ctx, args, o) => (await import('./commands/patch.js')).patch(ctx, args, o)));

  program
    .command('logs')
    .argument('<POD | pod/NAME> [CONTAINER]')
    .description("print the logs of a container in a pod")
    .option('-c, --container <name>', 'the container (needed when the pod has several)')
    .option('-f, --follow', 'keep streaming new output')
    .option('-p, --previous', 'the logs of the previous, terminated instance of the container')
    .option('--tail <n>', 'only the last n lines (-1: all)', '-1')
    .option('--timestamps', 'prefix each line with its RFC 3339 timestamp')
    .option('--since-seconds <s>', 'only lines newer than this many seconds')
    .action(run(async (ctx, args, o) => (await import('./commands/logs.js')).logs(ctx, args, o)));

  program
    .command('scale')
    .argument('<TYPE NAME | TYPE/NAME...>')
    .description('set a new size for a deployment or replica set')
    .option('--replicas <n>', 'the new desired number of replicas')
    .option('--current-replicas <n>', 'precondition: only scale if the current size is this')
    .action(run(async (ctx, args, o) => (await import('./commands/workload.js')).scale(ctx, args, o)));

  program
    .command('set')
    .description('set specific features on objects')
    .command('image')
    .argument('<TYPE NAME | TYPE/NAME> <CONTAINER=IMAGE...>')
    .description('update the image of containers (of a deployment, replica set or pod)')
    .action(run(async (ctx, args) => (await import('./commands/workload.js')).setImage(ctx, args)));

  const rollout = program.command('rollout').description('manage the rollout of a deployment');
  rollout
    .command('status')
    .argument('<deployment/NAME | deployment NAME>')
    .description('show the status of the rollout, waiting until it completes')
    .option('-w, --watch [bool]', 'watch until the rollout completes', (v) => v !== 'false', true)
    .option('--timeout <duration>', 'how long to wait (0: forever)', '0s')
    .action(run(async (ctx, args, o) => (await import('./commands/workload.js')).rolloutStatus(ctx, args, o)));
  rollout
    .command('history')
    .argument('<deployment/NAME | deployment NAME>')
    .description('view rollout history')
    .option('--revision <n>', 'show the pod template of this revision')
    .action(run(async (ctx, args, o) => (await import('./commands/workload.js')).rolloutHistoryCmd(ctx, args, o)));
  rollout
    .command('undo')
    .argument('<deployment/NAME | deployment NAME>')
    .description('roll back to a previous rollout')
    .option('--to-revision <n>', 'the revision to roll back to (default: the previous one)')
    .action(run(async (ctx, args, o) => (await import('./commands/workload.js')).rolloutUndo(ctx, args, o)));
  for (const [verb, paused] of [['pause', true], ['resume', false]] as const) {
    rollout
      .command(verb)
      .argument('<deployment/NAME | deployment NAME>')
      .description(paused ? 'mark a deployment as paused: template changes do not roll out' : 'resume a paused deployment')
      .action(run(async (ctx, args) => (await import('./commands/workload.js')).rolloutPause(ctx, args, paused)));
  }
  rollout
    .command('restart')
    .argument('<deployment/NAME | deployment NAME>')
    .description('restart a deployment: roll out new pods with the same template')
    .action(run(async (ctx, args) => (await import('./commands/workload.js')).rolloutRestart(ctx, args)));

  for (const [verb, value] of [['cordon', true], ['uncordon', false]] as const) {
    program
      .command(verb)
      .argument('<NODE...>')
      .description(value ? 'mark a node unschedulable' : 'mark a node schedulable')
      .action(run(async (ctx, args) => (await import('./commands/workload.js')).cordon(ctx, args, value)));
  }
  program
    .command('drain')
    .argument('<NODE...>')
    .description('cordon a node and evict its pods, waiting until they are gone')
    .option('--force', 'also evict pods no controller manages (they are not recreated)')
    .option('--ignore-daemonsets', 'leave DaemonSet-managed pods alone')
    .option('--delete-emptydir-data', 'evict pods with emptyDir volumes (their data is lost)')
    .option('--grace-period <seconds>', "seconds each pod gets to stop (-1: the pod's own)", '-1')
    .option('--timeout <duration>', 'give up after this long (0: never)', '0s')
    .action(run(async (ctx, args, o) => (await import('./commands/workload.js')).drain(ctx, args, o)));

  program
    .command('version')
    .description('print the client and server version')
    .option('--client', 'client version only')
    .option('-o, --output <format>', 'json')
    .action(run(async (ctx, _args, o) => (await import('./commands/info.js')).version(ctx, o)));

  program
    .command('api-resources')
    .description('print the supported API resources')
    .option('--namespaced <bool>', 'only namespaced (true) or cluster-scoped (false) resources')
    .option('-o, --output <format>', 'name')
    .option('--no-headers', 'print no header row')
    .action(run(async (ctx, _args, o) => (await import('./commands/info.js')).apiResources(ctx, o)));
}
