// `kubesim chaos ...`: failures injected into a cluster started by `kubesim up`, on its
// real processes, containers and connections (node verbs also on a docker-compose
// cluster, on its node containers). Each verb prints what it did.
import { Command } from 'commander';
import { CLUSTER_FLAGS } from '../cluster/flags.js';

const say = (line: string) => process.stdout.write(line + '\n');

/** Runs a verb: prints its line(s), exits 0; on error prints it and exits 1. */
function act(run: () => Promise<string | string[]>): Promise<void> {
  return run().then(
    (out) => {
      for (const l of Array.isArray(out) ? out : [out]) say(l);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

type Opts = { name: string };

/**
 * A docker-compose cluster has no `kubesim up` state: there, a node verb acts on the node
 * container (compose-node.ts). undefined when `cluster` is a `kubesim up` cluster.
 */
async function composeNode(cluster: string, node: string, verb: import('./compose-node.js').ComposeNodeVerb, probability?: number): Promise<string | undefined> {
  if (!(await isCompose(cluster, node))) return undefined;
  return (await import('./compose-node.js')).composeNodeFault(cluster, node, verb, probability);
}

/** Whether `node` is a node container of compose cluster `cluster` (and no `kubesim up` cluster has that name). */
async function isCompose(cluster: string, node: string): Promise<boolean> {
  const { readState } = await import('../cluster/state.js');
  if (await readState(cluster)) return false;
  return (await import('./compose-node.js')).isComposeNode(cluster, node);
}
const withName = (cmd: Command) => cmd.option('--name <name>', 'cluster name', CLUSTER_FLAGS.name);

export function registerChaosVerbs(program: Command): void {
  const chaos = program.command('chaos').description('inject failures into a local cluster (kubesim up): kill, pause or cut off nodes and control-plane processes');

  const node = chaos.command('node').description("faults of a node: its agent's process and its connections to the control plane (on a docker-compose cluster: its container)");
  withName(node.command('kill <node>').description('kill the node agent (SIGKILL), as a machine losing power').option('--with-pods', "also kill the node's containers (docker kill)")).action(
    (n: string, o: Opts & { withPods?: boolean }) => act(async () => (await composeNode(o.name, n, 'kill')) ?? (await import('./node.js')).nodeKill(o.name, n, !!o.withPods)),
  );
  withName(node.command('start <node>').description('start a killed node agent again with its recorded arguments and log')).action((n: string, o: Opts) =>
    act(async () => (await composeNode(o.name, n, 'start')) ?? (await import('./node.js')).nodeStart(o.name, n)),
  );
  withName(node.command('pause <node>').description('freeze the node agent (SIGSTOP)')).action((n: string, o: Opts) =>
    act(async () => (await composeNode(o.name, n, 'pause')) ?? (await import('./node.js')).nodePause(o.name, n)),
  );
  withName(node.command('resume <node>').description('unfreeze the node agent (SIGCONT)')).action((n: string, o: Opts) =>
    act(async () => (await composeNode(o.name, n, 'resume')) ?? (await import('./node.js')).nodeResume(o.name, n)),
  );
  withName(node.command('partition <node>').description('cut every connection between the node agent and the control plane; its containers keep running (root: cgroup2 + iptables)')).action(
    (n: string, o: Opts) => act(async () => (await composeNode(o.name, n, 'partition')) ?? network(o.name, n, { kind: 'partition' }, 'partitioned from the control plane')),
  );
  withName(node.command('delay <node> <delay>').description('delay traffic between the node agent and the control plane, e.g. 200ms (root)')).action((n: string, d: string, o: Opts) =>
    act(async () => {
      const { parseDelay } = await import('./names.js');
      const ms = parseDelay(d);
      if (await isCompose(o.name, n)) throw new Error(`node delay is not available on a docker-compose cluster (this kernel has no netem, and a node container's traffic does not pass a host proxy): use loss or partition`);
      return network(o.name, n, { kind: 'delay', amount: ms }, `delayed by ${ms}ms each way to and from the control plane`);
    }),
  );
  withName(node.command('loss <node> <percent>').description('drop a share of the packets the node agent sends to the control plane, e.g. 10% (root)')).action((n: string, p: string, o: Opts) =>
    act(async () => {
      const { parseLoss } = await import('./names.js');
      const prob = parseLoss(p);
      return (await composeNode(o.name, n, 'loss', prob)) ?? network(o.name, n, { kind: 'loss', amount: prob }, `losing ${+(prob * 100).toFixed(2)}% of its packets to the control plane`);
    }),
  );
  withName(node.command('heal <node>').description("undo the node's network faults (partition, delay, loss)")).action((n: string, o: Opts) =>
    act(async () => {
      const composed = await composeNode(o.name, n, 'heal');
      if (composed) return composed;
      const { loadState } = await import('./restart.js');
      const { resolveNode } = await import('./names.js');
      resolveNode((await loadState(o.name)).processes, n);
      const healed = await (await import('./network.js')).healNetworkFaults(o.name, n);
      if (!healed.length) throw new Error(`node "${n}" has no network fault in force`);
      return `node "${n}" healed (${healed.join(', ')} removed)`;
    }),
  );

  withName(chaos.command('kill <component>').description('kill a control-plane process (SIGKILL): apiserver-N, scheduler-N, controller-manager-N, etcd-N, dns-N')).action(
    (c: string, o: Opts) => act(async () => (await import('./control-plane.js')).componentKill(o.name, c)),
  );
  withName(chaos.command('start <component>').description('start a killed control-plane process again with its recorded arguments')).action((c: string, o: Opts) =>
    act(async () => (await import('./control-plane.js')).componentStart(o.name, c)),
  );
  withName(chaos.command('pause <component>').description('freeze a control-plane process (SIGSTOP)')).action((c: string, o: Opts) =>
    act(async () => (await import('./control-plane.js')).componentPause(o.name, c)),
  );
  withName(chaos.command('resume <component>').description('unfreeze a control-plane process (SIGCONT)')).action((c: string, o: Opts) =>
    act(async () => (await import('./control-plane.js')).componentResume(o.name, c)),
  );
  withName(chaos.command('kill-leader <component>').description('kill the leader (Lease holder) of scheduler or controller-manager')).action((c: string, o: Opts) =>
    act(async () => (await import('./control-plane.js')).killLeader(o.name, c)),
  );

  withName(chaos.command('heal').description('undo faults in force').option('--all', 'every fault: resume paused, heal network faults, start killed nodes and components')).action(
    (o: Opts & { all?: boolean }) =>
      act(async () => {
        if (!o.all) throw new Error('say which faults to heal: --all (or kubesim chaos node heal NODE, node resume NODE, node start NODE)');
        const { readState } = await import('../cluster/state.js');
        const lines = (await readState(o.name)) ? await (await import('./heal.js')).healAll(o.name, { restart: true }) : await (await import('./compose-node.js')).composeHealAll(o.name);
        return lines.length ? lines : 'no faults in force';
      }),
  );
  withName(
    chaos
      .command('run <file>')
      .description('run an experiment (kind: Experiment): apply, wait, inject faults, heal, with probes; prints the timeline, writes timeline.json and plot.svg')
      .option('--out <dir>', 'where to write timeline.json and plot.svg (default ./experiment-NAME-TIME/)'),
  ).action((f: string, o: Opts & { out?: string }) => act(async () => (await import('./experiment/command.js')).runExperimentCommand(o.name, f, { out: o.out })));
  withName(chaos.command('status').description('list the faults in force, since when')).action((o: Opts) =>
    act(async () => {
      const { loadState } = await import('./restart.js');
      const { faultTable, readFaults } = await import('./faults.js');
      const faults = await readFaults(o.name);
      // A compose cluster has faults on record but no `kubesim up` state.
      if (!faults.length) await loadState(o.name);
      const lines = faultTable(faults, Date.now());
      return lines.length ? lines : `no faults in force in cluster "${o.name}"`;
    }),
  );

  // The user-space delay behind `node delay` (this kernel has no netem); started by it, not by users.
  chaos
    .command('delay-proxy', { hidden: true })
    .requiredOption('--delay-ms <ms>', 'delay of each chunk, each way')
    .option('--route <listenPort=host:port>', 'a listening port and where it forwards (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (o: { delayMs: string; route: string[] }) => {
      const { parseRoute, startDelayProxy } = await import('./delay-proxy.js');
      await startDelayProxy(Number(o.delayMs), o.route.map(parseRoute));
      say(`delay proxy: ${o.delayMs}ms, ${o.route.join(' ')}`);
    });
}

async function network(cluster: string, node: string, spec: import('./network.js').NetworkFaultSpec, what: string): Promise<string> {
  const { loadState } = await import('./restart.js');
  const { resolveNode } = await import('./names.js');
  const { injectNetworkFault } = await import('./network.js');
  const state = await loadState(cluster);
  const detail = await injectNetworkFault(state, resolveNode(state.processes, node), spec);
  return `node "${node}" ${what} (${detail})`;
}
