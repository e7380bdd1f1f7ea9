// Node failure and recovery on a real `kubesim up --nodes 3 --profile fast` cluster (Docker
// node agents, the pod network: root). The seeds' Deployment runs spread over the nodes.
// (a) `chaos node kill --with-pods` of a node holding pods: Unknown, unreachable taints
//     (NoSchedule + NoExecute), NodeNotReady and TaintManagerEviction events, the pods
//     marked for deletion and replaced on the other nodes; `chaos node start`: Ready again,
//     taints gone, the marked pods confirmed deleted.
// (b) `chaos node partition` then `heal`: the same, while the cut-off node's containers keep
//     running; one of its pods is force-deleted meanwhile; after the heal its agent stops
//     and removes the containers of both and confirms the deletion.
// (c) `chaos node kill` without --with-pods: the containers outlive their agent; one pod is
//     force-deleted meanwhile; the restarted agent stops and removes what it finds of both
//     (the one still Terminating: deletion confirmed) and adopts nothing that is gone.
// After each: no pod runs twice and no container outlives its pod (read from Docker by the
// kubelet's labels).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type Event, type Node, type Pod } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { runCli } from '../cli/harness.js';
import { freePort } from '../support/ports.js';
import { until } from '../support/until.js';
import { duplicates, exists, isRunning, kubeletContainers, orphans, removeAll } from './docker-state.js';

const NAME = 'fail';
const NODES = [1, 2, 3].map((i) => `${NAME}-node-${i}`);
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const APP = 'nginx';
const isRoot = process.getuid?.() === 0;

/** The seeds' Deployment; its nginx image swapped for the local demo image when nginx is not here (no registry). */
function seedDeployment(): string {
  const yaml = readFileSync(new URL('../../deploy/examples/deployment.yaml', import.meta.url), 'utf8');
  const image = /image: (\S+)/.exec(yaml)![1];
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return yaml;
  } catch {
    return yaml.replace(`image: ${image}`, 'image: kubesim/hostname:latest\n        imagePullPolicy: IfNotPresent');
  }
}

const readyOf = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const taintsOf = (n: Node, key: string) => (n.spec?.taints ?? []).filter((t) => t.key === key).map((t) => t.effect).sort();
/** The node holding the most of these pods, and its pods. */
function busiestNode(pods: Pod[]): [string, Pod[]] {
  const perNode = new Map<string, Pod[]>();
  for (const p of pods) perNode.set(p.spec!.nodeName!, [...(perNode.get(p.spec!.nodeName!) ?? []), p]);
  return [...perNode.entries()].sort((x, y) => y[1].length - x[1].length)[0];
}
const podReady = (p: Pod) => !p.metadata?.deletionTimestamp && (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

describe.skipIf(!isRoot)('node failure and recovery on Docker node agents', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-fail-'));
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const kubesim = (args: string[], stdin?: string, timeoutMs = 60_000) => runCli(args, { env, stdin, timeoutMs });
  const logs = join(home, 'clusters', NAME, 'logs');
  let client: Client;

  const ok = async (args: string[], stdin?: string, timeoutMs?: number) => {
    const r = await kubesim(args, stdin, timeoutMs);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} failed: ${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  const pods = async () => (await client.list('pods', { namespace: 'default' })).items;
  const appPods = async () => (await pods()).filter((p) => p.metadata?.labels?.app === APP);
  const node = (n: string) => client.get('nodes', '', n);
  /** Waits for `n` Ready replicas, none on `not`; with logs named on failure. */
  const replicasReady = (n: number, not?: string) =>
    until(`${n} Ready ${APP} pods${not ? ` off ${not}` : ''} (logs in ${logs})`, async () => {
      const live = (await appPods()).filter((p) => !p.metadata?.deletionTimestamp);
      return live.length === n && live.every((p) => podReady(p) && p.spec?.nodeName !== not) ? live : undefined;
    }, 60_000, 200);
  const nodeDown = (n: string) =>
    until(`${n} Unknown with the unreachable taints`, async () => {
      const x = await node(n);
      return readyOf(x) === 'Unknown' && taintsOf(x, UNREACHABLE).join() === 'NoExecute,NoSchedule' ? x : undefined;
    }, 30_000, 200);
  const nodeBack = (n: string) =>
    until(`${n} Ready without taints (logs in ${logs})`, async () => {
      const x = await node(n);
      return readyOf(x) === 'True' && !taintsOf(x, UNREACHABLE).length && !taintsOf(x, NOT_READY).length ? x : undefined;
    }, 30_000, 200);
  const goneFromAPI = (victims: Pod[], why: string) =>
    until(`${why} (logs in ${logs})`, async () => {
      for (const p of victims) {
        try {
          const cur = await client.get('pods', 'default', p.metadata!.name!);
          if (cur.metadata?.uid === p.metadata?.uid) return undefined;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      return true;
    }, 30_000, 200);
  /** No pod runs twice, no container without its pod; both read from Docker. */
  const assertClean = async () => {
    const containers = await kubeletContainers(NODES);
    expect(duplicates(containers)).toEqual([]);
    expect(orphans(containers, await pods())).toEqual([]);
  };
  const evicted = async (victims: Pod[], n: string) => {
    const notReady = (e: Event) => e.involvedObject?.kind === 'Node' && e.involvedObject.name === n && e.reason === 'NodeNotReady' && e.message === `Node ${n} status is now: NodeNotReady`;
    const eviction = (p: Pod) => (e: Event) =>
      e.involvedObject?.name === p.metadata!.name && e.involvedObject?.uid === p.metadata?.uid && e.reason === 'TaintManagerEviction' && e.message === `Marking for deletion Pod default/${p.metadata!.name}`;
    // Events are written asynchronously, after the change they report.
    const events = await until(
      'the NodeNotReady and TaintManagerEviction events',
      async () => {
        const evs = (await client.list('events', { namespace: 'default' })).items as Event[];
        return evs.some(notReady) && victims.every((p) => evs.some(eviction(p))) ? evs : undefined;
      },
      10_000,
      100,
    );
    expect(events.some(notReady)).toBe(true);
    for (const p of victims) expect(events.some(eviction(p)), `TaintManagerEviction for ${p.metadata!.name}`).toBe(true);
  };
  /** Waits until every pod of `victims` carries a deletionTimestamp, and returns them. */
  const marked = (victims: Pod[]) =>
    until('the node\'s pods marked for deletion', async () => {
      const cur = await Promise.all(victims.map((p) => client.get('pods', 'default', p.metadata!.name!)));
      return cur.every((p) => p.metadata?.deletionTimestamp) ? cur : undefined;
    }, 30_000, 200);

  beforeAll(async () => {
    const port = await freePort();
    // Node failure needs no add-on: `--disable` leaves all three out (as k3s's flag does).
    const up = await ok(['up', '--name', NAME, '--nodes', '3', '--profile', 'fast', '--port', String(port), '--disable', 'dns,cloud-controller-manager,ingress-controller'], undefined, 90_000);
    expect(up).toContain('disabled: dns, cloud-controller-manager, ingress-controller');
    const state = JSON.parse(readFileSync(join(home, 'clusters', NAME, 'state.json'), 'utf8')) as { apiserver: string; processes: { component: string }[]; disabled?: string[] };
    expect(state.disabled).toEqual(['dns', 'cloud-controller-manager', 'ingress-controller']);
    expect(state.processes.map((p) => p.component)).toEqual(['etcd', 'apiserver', 'scheduler', 'controller-manager', ...NODES]);
    client = new Client({ endpoints: [state.apiserver] });
    await ok(['apply', '-f', '-'], seedDeployment());
  }, 120_000);

  afterAll(async () => {
    client?.close();
    if (existsSync(join(home, 'clusters', NAME))) await kubesim(['down', '--name', NAME], undefined, 60_000);
    await removeAll(NODES);
    rmSync(home, { recursive: true, force: true });
  }, 90_000);

  it('(a) a node killed with its pods: Unknown, tainted, pods evicted and replaced; back: Ready, deletions confirmed, nothing twice, nothing orphaned', async () => {
    const live = await replicasReady(3);
    const spread = new Set(live.map((p) => p.spec!.nodeName!));
    expect(spread.size).toBeGreaterThan(1);
    const victim = live[0].spec!.nodeName!;
    const victims = live.filter((p) => p.spec?.nodeName === victim);

    const out = await ok(['chaos', 'node', 'kill', victim, '--with-pods', '--name', NAME]);
    expect(out).toMatch(new RegExp(`node "${victim}" killed .*SIGKILL; [1-9]\\d* container\\(s\\) killed`));
    // The killed containers are dead at once (a power cut), not stopped later by anyone.
    for (const c of (await kubeletContainers([victim])).filter((c) => victims.some((p) => p.metadata?.uid === c.uid))) expect(c.running).toBe(false);

    const down = await nodeDown(victim);
    expect(down.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await marked(victims);
    const replacements = await replicasReady(3, victim);
    expect(replacements.map((p) => p.metadata?.uid)).not.toContain(victims[0].metadata?.uid);
    await evicted(victims, victim);
    // The dead agent cannot confirm: the marked pods stay (Terminating) until it is back.
    expect((await client.get('pods', 'default', victims[0].metadata!.name!)).metadata?.uid).toBe(victims[0].metadata?.uid);

    expect(await ok(['chaos', 'node', 'start', victim, '--name', NAME])).toMatch(`node "${victim}" started`);
    await nodeBack(victim);
    await goneFromAPI(victims, `the killed node's pods confirmed deleted by its agent`);
    await until('the killed pods\' containers removed', async () => !(await kubeletContainers([victim])).some((c) => victims.some((p) => p.metadata?.uid === c.uid)), 20_000, 200);
    expect((await replicasReady(3)).every((p) => p.spec?.nodeName !== victim)).toBe(true);
    await assertClean();
  }, 150_000);

  it('(b) a node partitioned from the control plane: its pods keep running, are replaced; after the heal its agent removes them (one force-deleted meanwhile) and confirms', async () => {
    // Six replicas, so the node cut off holds at least two (the scheduler spreads them).
    await ok(['scale', 'deployment/nginx-deployment', '--replicas=6']);
    const live = await replicasReady(6);
    const [cut, victims] = busiestNode(live);
    expect(victims.length).toBeGreaterThanOrEqual(2);
    const theirs = (await kubeletContainers([cut])).filter((c) => c.running && victims.some((p) => p.metadata?.uid === c.uid));
    expect(theirs.length).toBe(victims.length * 2); // a sandbox and the app container each

    expect(await ok(['chaos', 'node', 'partition', cut, '--name', NAME])).toMatch(`node "${cut}" partitioned`);
    await nodeDown(cut);
    await marked(victims);
    await replicasReady(6, cut);
    await evicted(victims, cut);
    // Cut off, not dead: every container of its pods still runs.
    for (const c of theirs) expect(await isRunning(c.id), `${c.role} container of ${c.pod} still running`).toBe(true);
    // One is force-deleted meanwhile: the agent will find it gone, not Terminating.
    const forced = victims[0].metadata!.name!;
    await ok(['delete', 'pod', forced, '--force', '--grace-period=0']);
    await expect(client.get('pods', 'default', forced)).rejects.toSatisfy(isNotFound);

    expect(await ok(['chaos', 'node', 'heal', cut, '--name', NAME])).toMatch(`node "${cut}" healed`);
    await nodeBack(cut);
    await goneFromAPI(victims, 'the cut-off node\'s pods confirmed deleted by its agent');
    await until('the containers of the cut-off node\'s old pods removed', async () => {
      for (const c of theirs) if (await exists(c.id)) return undefined;
      return true;
    }, 30_000, 200);
    const after = await replicasReady(6);
    expect(after.some((p) => victims.some((v) => v.metadata?.uid === p.metadata?.uid))).toBe(false);
    await assertClean();
  }, 150_000);

  it('(c) an agent killed without its pods (they keep running), one force-deleted meanwhile: the restarted agent stops both, confirms the other', async () => {
    const live = await replicasReady(6);
    const [dead, victims] = busiestNode(live);
    expect(victims.length).toBeGreaterThanOrEqual(2);
    const theirs = (await kubeletContainers([dead])).filter((c) => c.running && victims.some((p) => p.metadata?.uid === c.uid));

    expect(await ok(['chaos', 'node', 'kill', dead, '--name', NAME])).toMatch(`node "${dead}" killed`);
    await nodeDown(dead);
    await marked(victims);
    await replicasReady(6, dead);
    for (const c of theirs) expect(await isRunning(c.id), `${c.role} container of ${c.pod} still running without its agent`).toBe(true);
    await ok(['delete', 'pod', victims[0].metadata!.name!, '--force', '--grace-period=0']);

    await ok(['chaos', 'node', 'start', dead, '--name', NAME]);
    await nodeBack(dead);
    await goneFromAPI(victims, 'the restarted node\'s old pods confirmed deleted');
    await until('the containers of the restarted node\'s old pods removed', async () => {
      for (const c of theirs) if (await exists(c.id)) return undefined;
      return true;
    }, 30_000, 200);
    await replicasReady(6);
    await assertClean();
  }, 150_000);
});
