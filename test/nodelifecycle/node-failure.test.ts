// Node failure, end to end with the fast timing profile: real etcd, apiserver,
// controller-manager, scheduler and hollow node agents (`kubesim node --runtime fake`),
// each its own process. A node agent is SIGKILLed: its Node goes Unknown and gets the
// unreachable taints, the ReplicaSet's pods there are marked for deletion (default
// toleration, 2 s under the fast profile) and replaced on the other node, a pod that
// tolerates unreachable for 8 s stays that long, one that tolerates it forever stays.
// The agent comes back: the taints go and it confirms the deletions.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Node, Pod } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { startApiServerProcess, startComponent, waitFor, type RunningApiServer, type RunningComponent } from '@kubesim/launcher';
import { timingProfile } from '../../packages/cli/src/cluster/profile.js';
import { runCli } from '../cli/harness.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const FAST = timingProfile('fast');
const A = 'nl-a';
const B = 'nl-b';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
// The figure: a pod tolerating unreachable for 30 s stays that long, then goes.
const TOLERATE_FOR = 30;

const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const running = (p: Pod) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp;
/** When the delete request was made: deletionTimestamp is that plus the grace period. */
const deletedAt = (p: Pod) => Date.parse(p.metadata!.deletionTimestamp!) - (p.metadata!.deletionGracePeriodSeconds ?? 0) * 1000;

function pinned(name: string, toleration: { tolerationSeconds?: number }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: A,
      containers: [{ name: 'c', image: 'kubesim/pause' }],
      tolerations: [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', ...toleration }],
    },
  };
}

describe('node lifecycle: a killed node agent, taint-based eviction, recovery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-nl-'));
  const log = (name: string) => join(dir, `${name}.log`);
  const env = { KUBESIM_LOG_LEVEL: 'info' };
  let etcd: TestEtcd;
  let api: RunningApiServer;
  let client: Client;
  const procs: RunningComponent[] = [];
  let agentA: RunningComponent;
  let taintAddedMs = 0;

  const node = (name: string) => client.get('nodes', '', name);
  const pods = async () => (await client.list('pods', { namespace: 'default' })).items;
  const startAgent = (name: string) => {
    const c = startComponent(['--server', api.endpoint, 'node', '--name', name, '--runtime', 'fake', '--fake-start-delay', '50', ...FAST.node], { logFile: log(name), env });
    procs.push(c);
    return c;
  };
  const cli = (args: string[]) => runCli(args, { env: { KUBESIM_SERVER: api.endpoint } });
  const context = () => `(logs in ${dir})`;

  beforeAll(async () => {
    etcd = await startEtcd();
    api = await startApiServerProcess([etcd.endpoint], { args: FAST.apiserver, logFile: log('apiserver'), env: { KUBESIM_LOG_LEVEL: 'warn' } });
    client = new Client({ endpoints: [api.endpoint] });
    procs.push(startComponent(['--server', api.endpoint, 'controller-manager', '--leader-elect=false', ...FAST['controller-manager']], { logFile: log('controller-manager'), env }));
    procs.push(startComponent(['--server', api.endpoint, 'scheduler', '--leader-elect=false'], { logFile: log('scheduler'), env }));
    agentA = startAgent(A);
    await waitFor(`${A} Ready`, async () => (ready(await node(A).catch(() => undefined)) === 'True' ? true : undefined), { timeoutMs: 30_000 });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    for (const p of procs.reverse()) await p.stop();
    await api?.stop();
    await etcd?.stop();
  }, 30_000);

  it('runs a ReplicaSet and two tolerating pods on node A; admission added the default tolerations', async () => {
    await client.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'kubesim/pause' }] } } },
    });
    await client.create(pinned('tolerant', { tolerationSeconds: TOLERATE_FOR }));
    await client.create(pinned('forever', {}));
    await waitFor('6 pods Running on node A', async () => ((await pods()).filter((p) => running(p) && p.spec?.nodeName === A).length === 6 ? true : undefined), { timeoutMs: 30_000 });

    const web = (await pods()).find((p) => p.metadata?.labels?.app === 'web')!;
    const yaml = await cli(['get', 'pod', web.metadata!.name!, '-o', 'yaml']);
    expect(yaml.code, yaml.stderr).toBe(0);
    for (const key of [NOT_READY, UNREACHABLE]) {
      expect(yaml.stdout).toMatch(new RegExp(`effect: NoExecute\\s+key: ${key.replace(/\./g, '\\.')}\\s+operator: Exists\\s+tolerationSeconds: 2`));
    }
    // Its own unreachable toleration stays; only not-ready is added.
    const tolerant = await client.get('pods', 'default', 'tolerant');
    expect(tolerant.spec?.tolerations).toEqual([
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATE_FOR },
      { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
    ]);

    startAgent(B);
    await waitFor(`${B} Ready`, async () => (ready(await node(B).catch(() => undefined)) === 'True' ? true : undefined), { timeoutMs: 30_000 });
  }, 60_000);

  it('SIGKILL of the agent: node Unknown with the unreachable taints, events, pods replaced on node B', async () => {
    const before = (await pods()).filter((p) => p.metadata?.labels?.app === 'web').map((p) => p.metadata!.name!);
    agentA.process.kill('SIGKILL');

    const dead = await waitFor(
      `${A} Unknown and tainted`,
      async () => {
        const n = await node(A);
        const taints = (n.spec?.taints ?? []).filter((t) => t.key === UNREACHABLE);
        return ready(n) === 'Unknown' && taints.length === 2 ? n : undefined;
      },
      { timeoutMs: 20_000 },
    );
    for (const c of dead.status?.conditions ?? []) expect(c).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(dead.spec?.taints?.filter((t) => t.key === UNREACHABLE).map((t) => t.effect).sort()).toEqual(['NoExecute', 'NoSchedule']);
    const noExecute = dead.spec!.taints!.find((t) => t.key === UNREACHABLE && t.effect === 'NoExecute')!;
    expect(noExecute.timeAdded).toBeTruthy();
    taintAddedMs = Date.parse(noExecute.timeAdded!);

    // The old pods are Terminating (the dead agent cannot confirm), 4 new ones run on B.
    const replaced = await waitFor(
      '4 replacement pods Running on node B',
      async () => {
        const all = await pods();
        const web = all.filter((p) => p.metadata?.labels?.app === 'web');
        const fresh = web.filter((p) => running(p) && p.spec?.nodeName === B);
        const old = web.filter((p) => before.includes(p.metadata!.name!));
        return fresh.length === 4 && old.every((p) => p.metadata?.deletionTimestamp) ? old : undefined;
      },
      { timeoutMs: 30_000 },
    ).catch((e: Error) => {
      throw new Error(`${e.message} ${context()}`);
    });
    for (const p of replaced) {
      // Evicted once the 2 s default toleration ran out (timestamps are whole seconds).
      expect(deletedAt(p)).toBeGreaterThanOrEqual(taintAddedMs + 1000);
      expect(deletedAt(p)).toBeLessThan(taintAddedMs + TOLERATE_FOR * 1000);
    }
    // The pod of the kill's NoExecute-tolerating kind is not yet marked.
    expect((await client.get('pods', 'default', 'tolerant')).metadata?.deletionTimestamp).toBeUndefined();

    const events = (await client.list('events', { namespace: 'default' })).items as Event[];
    expect(events.some((e) => e.involvedObject?.name === A && e.reason === 'NodeNotReady' && e.message === `Node ${A} status is now: NodeNotReady`)).toBe(true);
    for (const name of before) {
      expect(events.some((e) => e.involvedObject?.name === name && e.reason === 'TaintManagerEviction' && e.message === `Marking for deletion Pod default/${name}`)).toBe(true);
    }
    // The pods' Ready went False when the node went Unknown (Services stop using them).
    const oldPod = await client.get('pods', 'default', before[0]);
    expect(oldPod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  }, 60_000);

  it(`a pod tolerating unreachable for ${TOLERATE_FOR} s stays that long, then goes; one tolerating it forever stays`, async () => {
    const tolerant = await waitFor(
      'the tolerant pod marked for deletion',
      async () => {
        const p = await client.get('pods', 'default', 'tolerant');
        return p.metadata?.deletionTimestamp ? p : undefined;
      },
      { timeoutMs: (TOLERATE_FOR + 15) * 1000 },
    );
    expect(deletedAt(tolerant)).toBeGreaterThanOrEqual(taintAddedMs + (TOLERATE_FOR - 1) * 1000);
    expect(deletedAt(tolerant)).toBeLessThan(taintAddedMs + (TOLERATE_FOR + 5) * 1000);
    expect((await client.get('pods', 'default', 'forever')).metadata?.deletionTimestamp).toBeUndefined();
  }, (TOLERATE_FOR + 30) * 1000);

  it('the agent comes back: Ready, taints removed, the marked pods confirmed deleted', async () => {
    agentA = startAgent(A);
    const back = await waitFor(
      `${A} Ready and untainted`,
      async () => {
        const n = await node(A);
        return ready(n) === 'True' && !(n.spec?.taints ?? []).some((t) => t.key === UNREACHABLE || t.key === NOT_READY) ? n : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(back.spec?.taints ?? []).toEqual([]);
    await waitFor(
      'terminating pods of node A gone',
      async () => ((await pods()).some((p) => p.spec?.nodeName === A && p.metadata?.deletionTimestamp) ? undefined : true),
      { timeoutMs: 30_000 },
    ).catch((e: Error) => {
      throw new Error(`${e.message} ${context()}\n${readFileSync(log(A), 'utf8').slice(-3000)}`);
    });
    const left = await pods();
    expect(left.filter((p) => p.metadata?.labels?.app === 'web').every((p) => p.spec?.nodeName === B)).toBe(true);
    expect(left.find((p) => p.metadata?.name === 'forever')?.spec?.nodeName).toBe(A);
  }, 60_000);
});
