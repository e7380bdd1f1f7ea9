// Node faults on a docker-compose cluster (deploy/compose), where each node is a container
// with its own engine and its pods inside: the chaos verbs map to the plain Docker
// commands that are real machine failures there. kill = `docker kill` (power cut: the
// pods die with the node, so --with-pods is implied), start = `docker start`, pause and
// resume = `docker pause`/`unpause` (a frozen machine), partition and heal = `docker
// network disconnect`/`connect` (the node loses every network, pods' traffic included),
// loss = an iptables statistic DROP inside the node's own namespace on what it sends to
// the apiservers. There is no delay: this kernel has no netem.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { addFault, findFault, readFaults, removeFault, writeFaults, type FaultKind } from './faults.js';
import { NODE_LABEL } from '../images/nodes.js';

const exec = promisify(execFile);

export type ComposeNodeVerb = 'kill' | 'start' | 'pause' | 'resume' | 'partition' | 'heal' | 'loss';

/** The apiserver port inside the compose network: what "the control plane" is to a node agent. */
export const COMPOSE_APISERVER_PORT = 6443;

/** The node container of `node` in compose cluster `cluster` (container_name CLUSTER-NODE). */
export function composeNodeContainer(cluster: string, node: string): string {
  return `${cluster}-${node}`;
}

/**
 * The iptables rule (inside the node container's own namespace) that drops a share of what
 * its agent sends to the apiservers; `action` -I adds it, -D removes the same rule.
 */
export function lossRule(action: '-I' | '-D', probability: number): string[] {
  return ['iptables', action, 'OUTPUT', '-p', 'tcp', '--dport', String(COMPOSE_APISERVER_PORT), '-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-m', 'comment', '--comment', 'kubesim-chaos loss', '-j', 'DROP'];
}

/** The Docker command a verb runs; partition/heal take the networks (one command each), loss its probability. */
export function composeNodeCommands(verb: ComposeNodeVerb, container: string, networks: readonly string[] = [], probability = 0): string[][] {
  switch (verb) {
    case 'loss':
      return [['exec', container, ...lossRule('-I', probability)]];
    case 'kill':
      return [['kill', '--signal', 'KILL', container]];
    case 'start':
      return [['start', container]];
    case 'pause':
      return [['pause', container]];
    case 'resume':
      return [['unpause', container]];
    case 'partition':
      return networks.map((n) => ['network', 'disconnect', n, container]);
    case 'heal':
      return networks.map((n) => ['network', 'connect', n, container]);
  }
}

interface Inspected {
  running: boolean;
  paused: boolean;
  isNode: boolean;
  networks: string[];
}

async function inspect(container: string): Promise<Inspected | undefined> {
  try {
    const { stdout } = await exec('docker', ['inspect', '--format', '{{json .State}}\t{{json .Config.Labels}}\t{{json .NetworkSettings.Networks}}', container]);
    const [state, labels, nets] = stdout.trim().split('\t');
    const s = JSON.parse(state) as { Running?: boolean; Paused?: boolean };
    const l = (JSON.parse(labels) ?? {}) as Record<string, string>;
    return { running: !!s.Running, paused: !!s.Paused, isNode: l[NODE_LABEL] === 'true', networks: Object.keys((JSON.parse(nets) ?? {}) as object).filter((n) => n !== 'none') };
  } catch {
    return undefined;
  }
}

/** Whether `cluster` is a compose cluster holding node container `node` (used when no `kubesim up` state exists). */
export async function isComposeNode(cluster: string, node: string): Promise<boolean> {
  return (await inspect(composeNodeContainer(cluster, node)))?.isNode ?? false;
}

const FAULT_OF: Partial<Record<ComposeNodeVerb, FaultKind>> = { kill: 'kill', pause: 'pause', partition: 'partition', loss: 'loss' };
const UNDOES: Partial<Record<ComposeNodeVerb, FaultKind>> = { start: 'kill', resume: 'pause', heal: 'partition' };

export async function composeNodeFault(cluster: string, node: string, verb: ComposeNodeVerb, probability = 0): Promise<string> {
  const container = composeNodeContainer(cluster, node);
  const c = await inspect(container);
  if (!c?.isNode) throw new Error(`no node container "${container}" (label ${NODE_LABEL}=true) for node "${node}" of compose cluster "${cluster}"`);
  let faults = await readFaults(cluster);
  let networks: string[] = [];
  if (verb === 'kill' && !c.running) throw new Error(`node "${node}" (container ${container}) is not running; start it with: kubesim chaos node start ${node}`);
  if (verb === 'start' && c.running) throw new Error(`node "${node}" (container ${container}) is already running`);
  if (verb === 'pause' && c.paused) throw new Error(`node "${node}" (container ${container}) is already paused`);
  if (verb === 'resume' && !c.paused) throw new Error(`node "${node}" (container ${container}) is not paused`);
  if (verb === 'partition') {
    if (!c.networks.length) throw new Error(`node "${node}" (container ${container}) is on no network: already partitioned?`);
    networks = c.networks;
  }
  let lost: number | undefined;
  if (verb === 'loss') {
    if (!c.running || c.paused) throw new Error(`node "${node}" (container ${container}) is not running`);
    if (findFault(faults, 'node', node, 'loss')) throw new Error(`node "${node}" already has a loss fault; heal it first: kubesim chaos node heal ${node}`);
  }
  if (verb === 'heal') {
    const f = findFault(faults, 'node', node, 'partition');
    const l = findFault(faults, 'node', node, 'loss');
    if (!f && !l) throw new Error(`node "${node}" has no network fault in force`);
    networks = f?.networks ?? [];
    if (l) lost = l.amount;
  }
  for (const args of composeNodeCommands(verb, container, networks, probability)) await exec('docker', args);
  // Reconnected first (a loss rule lives in the node's own namespace and needs no network).
  if (lost !== undefined) {
    await exec('docker', ['exec', container, ...lossRule('-D', lost)]).catch(() => undefined);
    faults = removeFault(faults, 'node', node, 'loss');
  }
  const kind = FAULT_OF[verb];
  const undone = UNDOES[verb];
  if (kind) {
    const detail =
      verb === 'partition'
        ? `disconnected from ${networks.join(', ')}`
        : verb === 'loss'
          ? `${+(probability * 100).toFixed(2)}% of its packets to the apiservers dropped (iptables in ${container})`
          : `container ${container}, docker ${verb === 'kill' ? 'kill' : 'pause'}`;
    faults = addFault(removeFault(faults, 'node', node, kind), { kind, scope: 'node', target: node, since: new Date().toISOString(), detail, ...(verb === 'loss' ? { amount: probability } : {}), ...(verb === 'partition' ? { networks } : {}) });
  }
  if (undone) faults = removeFault(faults, 'node', node, undone);
  // A started node comes back on its networks: a partition recorded before the kill is over.
  if (verb === 'start') faults = removeFault(faults, 'node', node, 'partition');
  await writeFaults(cluster, faults);
  const what: Record<ComposeNodeVerb, string> = {
    kill: 'killed (docker kill: the node container and its pods, a power cut)',
    start: 'started (docker start)',
    pause: 'paused (docker pause: the node and its pods frozen)',
    resume: 'resumed (docker unpause)',
    partition: `partitioned (docker network disconnect ${networks.join(', ')})`,
    heal: `healed (${[networks.length ? `docker network connect ${networks.join(', ')}` : '', lost !== undefined ? 'loss rule removed' : ''].filter(Boolean).join('; ')})`,
    loss: `losing ${+(probability * 100).toFixed(2)}% of its packets to the apiservers (iptables statistic DROP inside the node)`,
  };
  return `node "${node}" ${what[verb]}`;
}

/** `chaos heal --all` on a compose cluster: unpause, reconnect and start every node faulted. */
export async function composeHealAll(cluster: string): Promise<string[]> {
  const lines: string[] = [];
  const undo: Record<FaultKind, ComposeNodeVerb | undefined> = { pause: 'resume', partition: 'heal', loss: 'heal', kill: 'start', delay: undefined };
  // Unpause first (a paused container cannot be reconnected), then reconnect, then start.
  for (const kind of ['pause', 'partition', 'loss', 'kill'] as const) {
    for (const f of (await readFaults(cluster)).filter((x) => x.scope === 'node' && x.kind === kind)) {
      const verb = undo[kind]!;
      try {
        lines.push(await composeNodeFault(cluster, f.target, verb));
      } catch (err) {
        lines.push(`node "${f.target}": ${(err as Error).message}`);
      }
    }
  }
  return lines;
}
