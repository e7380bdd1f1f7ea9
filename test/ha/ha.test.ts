// The HA control plane of `kubesim up --ha` (3 etcd members, 2 apiservers, 2 schedulers,
// 2 controller-managers; hollow nodes, fast profile), broken on purpose through the chaos
// verbs: an apiserver killed under a watching informer, the etcd leader member killed under
// a stream of writes, each elected leader killed, and the controller-manager leader paused
// and resumed. One cluster for the whole file.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Node, Pod } from '@kubesim/api';
import { Client, listerWatcherFor, SharedIndexInformer, type ListerWatcher } from '@kubesim/client';
import { etcdHealthy, etcdLeaderEndpoint } from '@kubesim/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/harness.js';
import { alive } from '../support/process.js';
import { freePort } from '../support/ports.js';
import { until } from '../support/until.js';
import { barePod, flagValue, microTime, named, PodTracker, readHAState, replicaSet, type HAState } from './support.js';

describe('kubesim up --ha', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-ha-'));
  // Components log at info (under vitest they are silent by default): the pause test reads a log.
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '', KUBESIM_LOG_LEVEL: 'info' };
  const name = 'ha-e2e';
  const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 60_000 });
  const chaos = (...args: string[]) => cli('chaos', ...args, '--name', name);
  const state = (): HAState => readHAState(home, name);
  const seen = new Set<number>();
  let client: Client;
  /** The fast profile's leader election timings, as `up` gave them (ms). */
  let leaseMs = 0;
  let retryMs = 0;

  const ns = async (n: string) => void (await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }));
  const holder = async (lease: string) => (await client.get('leases', 'kube-system', lease)).spec ?? {};
  const pidOfHolder = (identity: string | undefined) => Number((identity ?? '').split('_').at(-2));
  /** Waits until the ReplicaSet's pods are `n`, all Running. */
  const running = (namespace: string, app: string, n: number) =>
    until(`${n} Running pods of ${namespace}/${app}`, async () => {
      const pods = (await client.list('pods', { namespace, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === n && pods.every((p) => p.status?.phase === 'Running');
    }, 30_000);

  beforeAll(async () => {
    const port = await freePort();
    const r = await cli('up', '--name', name, '--ha', '--port', String(port), '--nodes', '2', '--runtime', 'fake', '--profile', 'fast');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const p of state().processes) seen.add(p.pid);
    client = new Client({ endpoints: state().apiservers, timeoutMs: 5000 });
    const sched = named(state(), 'scheduler')[0];
    leaseMs = Number(flagValue(sched.args, '--leader-elect-lease-duration')) * 1000;
    retryMs = Number(flagValue(sched.args, '--leader-elect-retry-period')) * 1000;
  });

  afterAll(async () => {
    client?.close();
    await runCli(['chaos', 'heal', '--all', '--name', name], { env, timeoutMs: 60_000 });
    try {
      for (const p of state().processes) seen.add(p.pid);
    } catch {
      // no state: nothing more to learn
    }
    await runCli(['down', '--name', name], { env, timeoutMs: 60_000 });
    for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('runs every member; status and the Leases show who leads', async () => {
    const st = state();
    expect(named(st, 'etcd')).toHaveLength(3);
    expect(st.apiservers).toHaveLength(2);
    expect(st.apiserver).toBe(st.apiservers[0]);
    const cfg = JSON.parse(readFileSync(env.KUBESIM_CONFIG, 'utf8')) as { contexts: Record<string, { servers: string[] }> };
    expect(cfg.contexts[name].servers).toEqual(st.apiservers);

    const r = await cli('status', '--name', name);
    expect(r.code).toBe(0);
    const role = (n: string) => new RegExp(`^${n}\\s+\\d+\\s+Running\\s+(\\S+)`, 'm').exec(r.stdout)?.[1];
    for (const n of ['apiserver-1', 'apiserver-2', 'etcd-1', 'etcd-2', 'etcd-3']) expect(role(n), n).toBeDefined();
    expect(['etcd-1', 'etcd-2', 'etcd-3'].map(role).sort()).toEqual(['follower', 'follower', 'leader']);
    const leases = await cli('get', 'leases', '-n', 'kube-system');
    expect(leases.code).toBe(0);
    for (const [component, lease] of [['scheduler', 'kube-scheduler'], ['controller-manager', 'kube-controller-manager']] as const) {
      expect([role(`${component}-1`), role(`${component}-2`)].sort()).toEqual(['leader', 'standby']);
      const leader = named(st, component).find((p) => role(p.name) === 'leader')!;
      // `get leases` names the holder: its identity carries the leading process's pid.
      expect(leases.stdout).toMatch(new RegExp(`^${lease}\\s+\\S+_${leader.pid}_\\S+`, 'm'));
    }
  });

  it('an informer loses no event and sees none twice when the apiserver its watch is on is killed during a scale-up', async () => {
    const space = 'ha-watch';
    await ns(space);
    const base = listerWatcherFor(client, 'pods', { namespace: space });
    let watchedOn = '';
    const lw: ListerWatcher<Pod> = { description: base.description, list: () => base.list(), watch: (rv) => ((w) => ((watchedOn = w.endpoint), w))(base.watch(rv)) };
    const informer = new SharedIndexInformer<Pod>(lw);
    // Every delivered event must come after the one before (one watch stream is in
    // resourceVersion order, and a resumed one starts after the last seen): a repeated or
    // reordered event shows as a resourceVersion not above the last.
    const problems: string[] = [];
    let last = 0;
    let events = 0;
    const see = (what: string, p: Pod) => {
      const rv = Number(p.metadata?.resourceVersion);
      if (!(rv > last)) problems.push(`${what} ${p.metadata?.name} at resourceVersion ${rv} after ${last}`);
      last = Math.max(last, rv);
      events++;
    };
    informer.addEventHandler({ onAdd: (p) => see('ADDED', p), onUpdate: (_o, p) => see('MODIFIED', p), onDelete: (p) => see('DELETED', 'tombstone' in p ? p.obj : p) });
    informer.start();
    try {
      await informer.waitForSync();
      await client.create(replicaSet(space, 'scale', 1));
      await running(space, 'scale', 1);
      await client.patch('replicasets', space, 'scale', { spec: { replicas: 30 } });
      await until('the scale-up under way (8 pods in the cache)', async () => informer.indexer.list().length >= 8, 20_000, 20);
      const victim = named(state(), 'apiserver').find((a) => a.endpoint === watchedOn)!;
      expect(victim, `the watch is on ${watchedOn}`).toBeDefined();
      const before = events;
      const k = await chaos('kill', victim.name);
      expect(k.stdout).toContain(`component "${victim.name}" killed`);
      await running(space, 'scale', 30);
      // Settled: the cache must equal a fresh list, object for object and version for version.
      const versions = (pods: Pod[]) => JSON.stringify(pods.map((p) => `${p.metadata?.name}@${p.metadata?.resourceVersion}`).sort());
      await until('the informer cache to equal a fresh list', async () => versions(informer.indexer.list()) === versions((await client.list('pods', { namespace: space })).items), 20_000);
      expect(watchedOn).not.toBe(victim.endpoint);
      expect(events).toBeGreaterThan(before);
      expect(problems).toEqual([]);
    } finally {
      await informer.stop();
      await chaos('heal', '--all');
    }
  });

  it('an etcd leader member killed under a stream of writes fails none after the re-election window, and rejoins when started', async () => {
    const space = 'ha-etcd';
    await ns(space);
    const st = state();
    const writes: { name: string; at: number; ok: boolean; error?: string }[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const at = Date.now();
        const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}`, namespace: space }, data: { i: String(i) } };
        try {
          await client.create(cm);
          writes.push({ name: cm.metadata!.name!, at, ok: true });
        } catch (e) {
          writes.push({ name: cm.metadata!.name!, at, ok: false, error: (e as Error).message });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // The re-election window: etcd's election timeout is 1 s, then the apiservers' etcd
    // clients find the new leader; writes started within 5 s of the kill may fail.
    const WINDOW_MS = 5000;
    let killedAt = 0;
    let member: ReturnType<typeof named>[number] | undefined;
    try {
      await until('a few writes', async () => writes.filter((w) => w.ok).length >= 10, 10_000, 20);
      const leader = await etcdLeaderEndpoint(st.etcdEndpoints);
      member = named(st, 'etcd').find((m) => m.endpoint === leader);
      expect(member, `the etcd leader ${leader}`).toBeDefined();
      killedAt = Date.now();
      const k = await chaos('kill', member!.name);
      expect(k.stdout).toContain(`component "${member!.name}" killed`);
      await until('writes past the re-election window', async () => writes.some((w) => w.at > killedAt + WINDOW_MS + 3000), 30_000, 50);
    } finally {
      stop = true;
      await writer;
    }
    const late = writes.filter((w) => w.at > killedAt + WINDOW_MS);
    expect(late.length).toBeGreaterThan(20);
    expect(late.filter((w) => !w.ok)).toEqual([]);
    // Every acknowledged write is there, read through the apiservers from the surviving quorum.
    const stored = new Set((await client.list('configmaps', { namespace: space })).items.map((c) => c.metadata?.name));
    expect(writes.filter((w) => w.ok && !stored.has(w.name)).map((w) => w.name)).toEqual([]);

    // Started again on its data, it rejoins: healthy, and it serves (a local, serializable
    // read) the last acknowledged write.
    const s = await chaos('start', member!.name);
    expect(s.stdout).toContain(`component "${member!.name}" started`);
    seen.add(named(state(), 'etcd').find((m) => m.name === member!.name)!.pid);
    expect(await etcdHealthy(member!.endpoint!)).toBe(true);
    const lastOk = writes.filter((w) => w.ok).at(-1)!.name;
    const key = Buffer.from(`/registry/configmaps/${space}/${lastOk}`).toString('base64');
    await until(`${member!.name} to serve ${lastOk}`, async () => {
      const res = await fetch(`${member!.endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key, serializable: true }) });
      return Number(((await res.json()) as { count?: string }).count ?? 0) === 1;
    }, 20_000);
    const status = await cli('status', '--name', name);
    expect(status.stdout).toMatch(new RegExp(`^${member!.name}\\s+\\d+\\s+Running\\s+(leader|follower)`, 'm'));
  });

  describe('leader kill of each elected component', () => {
    const space = 'ha-leaders';
    let tracker: PodTracker;

    beforeAll(async () => {
      await ns(space);
      await client.create(replicaSet(space, 'web', 3));
      await running(space, 'web', 3);
      tracker = new PodTracker(client, space, 'web');
      await tracker.start();
    });

    afterAll(async () => {
      await tracker?.stop();
    });

    // A standby takes the Lease once it has seen it unchanged for a lease duration: it sees
    // the last renewal up to a retry period late (it polls every retry period, with up to
    // 1.2x jitter) and notices the expiry up to one more late. 1 s more covers the chaos CLI
    // starting (the clock starts before it) and a busy machine.
    const bound = () => leaseMs + 2 * 1.2 * retryMs + 1000;

    it('scheduler: a new leader binds a new pod within the lease duration; the ReplicaSet never overshoots', async () => {
      const old = await holder('kube-scheduler');
      tracker.resetMax();
      const killedAt = Date.now();
      const k = await chaos('kill-leader', 'scheduler');
      expect(k.stdout).toContain('scheduler leader scheduler-');
      await client.create(barePod(space, 'after-kill'));
      const boundAt = await until('the new pod bound', async () => ((await client.get('pods', space, 'after-kill')).spec?.nodeName ? Date.now() : undefined), 20_000, 20);
      const now = await holder('kube-scheduler');
      expect(now.holderIdentity).not.toBe(old.holderIdentity);
      expect(named(state(), 'scheduler').map((s) => s.pid)).toContain(pidOfHolder(now.holderIdentity));
      expect(microTime(now.acquireTime) - killedAt).toBeLessThan(bound());
      expect(boundAt - killedAt).toBeLessThan(bound() + 1000);
      // The new leader bound it: its Scheduled event names the new holder. Events are
      // written after the binding, asynchronously: wait for it.
      const scheduled = await until('the Scheduled event of the new pod', async () => (await client.list('events', { namespace: space })).items.find((e) => e.involvedObject?.name === 'after-kill' && e.reason === 'Scheduled'), 10_000, 50);
      expect(scheduled.reportingInstance).toBe(now.holderIdentity);
      expect(tracker.max).toBeLessThanOrEqual(3);
      await chaos('heal', '--all');
    });

    it('controller-manager: a new leader replaces a deleted pod within the lease duration; the ReplicaSet never overshoots', async () => {
      const old = await holder('kube-controller-manager');
      tracker.resetMax();
      const known = new Set(tracker.created.keys());
      const killedAt = Date.now();
      const k = await chaos('kill-leader', 'controller-manager');
      expect(k.stdout).toContain('controller-manager leader controller-manager-');
      const victim = tracker.active()[0].metadata!.name!;
      await client.delete('pods', space, victim);
      const createdAt = await until('a replacement pod', async () => [...tracker.created].find(([uid]) => !known.has(uid))?.[1], 20_000, 20);
      await running(space, 'web', 3);
      const now = await holder('kube-controller-manager');
      expect(now.holderIdentity).not.toBe(old.holderIdentity);
      expect(microTime(now.acquireTime) - killedAt).toBeLessThan(bound());
      expect(createdAt - killedAt).toBeLessThan(bound() + 1000);
      expect(tracker.created.size).toBe(known.size + 1);
      expect(tracker.max).toBeLessThanOrEqual(3);
      await chaos('heal', '--all');
    });
  });

  it('a paused controller-manager leader loses the lead, and once resumed writes nothing as leader', async () => {
    const space = 'ha-pause';
    await ns(space);
    await client.create(replicaSet(space, 'paused', 2));
    await running(space, 'paused', 2);
    const tracker = new PodTracker(client, space, 'paused');
    await tracker.start();
    // The nodes stay healthy throughout, so nothing may mark one not Ready. A resumed stale
    // leader would: its node lifecycle controller last heard from them before the pause.
    const notReady: string[] = [];
    const nodes = new SharedIndexInformer<Node>(listerWatcherFor(client, 'nodes'));
    const checkNode = (n: Node) => {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') notReady.push(`${n.metadata?.name} Ready=${ready?.status} (${ready?.reason}) at resourceVersion ${n.metadata?.resourceVersion}`);
    };
    nodes.addEventHandler({ onAdd: checkNode, onUpdate: (_o, n) => checkNode(n) });
    nodes.start();
    await nodes.waitForSync();
    try {
      const old = await holder('kube-controller-manager');
      const oldProc = named(state(), 'controller-manager').find((p) => p.pid === pidOfHolder(old.holderIdentity))!;
      expect(oldProc).toBeDefined();
      const p = await chaos('pause', oldProc.name);
      expect(p.stdout).toContain(`component "${oldProc.name}" paused`);
      const taken = await until('another controller-manager to take the Lease', async () => {
        const h = await holder('kube-controller-manager');
        return h.holderIdentity && h.holderIdentity !== old.holderIdentity ? h : undefined;
      }, 20_000);
      // While the old leader sleeps, the ReplicaSet grows: the new leader adds 2 pods. The old
      // one's watches queue both the ReplicaSet change and the new pods; a stale leader
      // acting on the first before the second would add pods of its own.
      await client.patch('replicasets', space, 'paused', { spec: { replicas: 4 } });
      await running(space, 'paused', 4);
      const logFrom = statSync(oldProc.log).size;
      const r = await chaos('resume', oldProc.name);
      expect(r.stdout).toContain(`component "${oldProc.name}" resumed`);
      // It notices it lost the lead, then sees who leads now (so it has run its backlog).
      const tail = () => readFileSync(oldProc.log).subarray(logFrom).toString('utf8');
      await until('the resumed one to stop leading', async () => /stopped leading/.test(tail()), 20_000).catch((e: Error) => {
        throw new Error(`${e.message}; ${oldProc.name} (pid ${oldProc.pid}) logged since the resume: ${tail().slice(-3000)}`);
      });
      await until('the resumed one to observe the new leader', async () => tail().includes(`new leader observed: ${taken.holderIdentity}`) || tail().includes(taken.holderIdentity!), 20_000);
      expect(tail()).not.toMatch(/successfully acquired lease/);
      const now = await holder('kube-controller-manager');
      expect(now.holderIdentity).toBe(taken.holderIdentity);
      expect(now.leaseTransitions).toBe(taken.leaseTransitions);
      // Exactly the 2 original pods and the 2 the new leader made, never more at once.
      await running(space, 'paused', 4);
      expect(tracker.created.size).toBe(4);
      expect(tracker.max).toBeLessThanOrEqual(4);
      expect(notReady).toEqual([]);
    } finally {
      await nodes.stop();
      await tracker.stop();
      await chaos('heal', '--all');
    }
  });
});
