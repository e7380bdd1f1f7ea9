// Idle soak on the fast profile: a `kubesim up --nodes 3 --profile fast` cluster (Docker
// node agents, real containers) left alone with a few pods for N minutes (default 10),
// watched through informers. With a 4 s grace period and a Lease renewed every second, a
// busy or slow agent could be declared dead while alive: this counts every Ready
// transition away from True (each a false NotReady, since nothing failed), every not-ready/
// unreachable taint, every pod that stopped being Ready or was replaced, and the gaps
// between Lease renewals of each node (renewTime as the agent wrote it).
import type { Lease, Node, Pod } from '@kubesim/api';
import { SharedIndexInformer, listerWatcherFor } from '@kubesim/client';
import { waitFor } from '@kubesim/launcher';
import { demoDeployment, follow, quietLogger, readyStatus, saveResults, upCluster } from './node-death.js';
import { summarize, type Summary } from './stats.js';
import { countFlag } from './args.js';

const TAINT_KEYS = new Set(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);

export interface LeaseStats {
  node: string;
  renewals: number;
  /** Gaps between consecutive renewTimes, ms. */
  gaps: Summary;
}

export interface SoakResult {
  minutes: number;
  nodes: number;
  pods: number;
  /** Ready True -> anything else, per node (must be 0: nothing failed). */
  falseNotReady: Record<string, number>;
  taintsAdded: Record<string, number>;
  /** Pods that stopped being Ready, were replaced, or restarted a container. */
  podsUnready: number;
  podsReplaced: number;
  containerRestarts: number;
  leases: LeaseStats[];
}

const podReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);

export async function benchSoak(minutes: number, nodeCount: number, replicas: number, say: (s: string) => void): Promise<SoakResult> {
  const app = 'soak';
  say(`  starting a ${nodeCount}-node cluster (kubesim up --profile fast, Docker runtime) ...`);
  const c = await upCluster('benchsoak', nodeCount, 'fast');
  try {
    await c.cli(['apply', '-f', '-'], demoDeployment(app, replicas));
    const podList = async () => (await c.client.list('pods', { namespace: 'default', labelSelector: `app=${app}` })).items;
    const initial = await waitFor(
      `${replicas} pods Ready`,
      async () => {
        const p = await podList();
        return p.length === replicas && p.every(podReady) ? p : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const falseNotReady: Record<string, number> = Object.fromEntries(c.nodes.map((n) => [n, 0]));
    const taintsAdded: Record<string, number> = Object.fromEntries(c.nodes.map((n) => [n, 0]));
    const lastReady = new Map<string, string | undefined>();
    const lastTaints = new Map<string, Set<string>>();
    const renewTimes = new Map<string, number[]>(c.nodes.map((n) => [n, []]));
    const seenUids = new Set(initial.map((p) => p.metadata!.uid!));
    const wasReady = new Map(initial.map((p) => [p.metadata!.uid!, true]));
    const baseRestarts = new Map(initial.map((p) => [p.metadata!.uid!, restarts(p)]));
    let podsUnready = 0;
    let podsReplaced = 0;
    let containerRestarts = 0;

    const nodes = await follow(new SharedIndexInformer<Node>(listerWatcherFor(c.client, 'nodes'), { name: 'soak nodes', logger: quietLogger() }), (n) => {
      const name = n.metadata!.name!;
      const ready = readyStatus(n);
      if (lastReady.get(name) === 'True' && ready !== 'True') {
        falseNotReady[name] = (falseNotReady[name] ?? 0) + 1;
        say(`    ${new Date().toISOString()} ${name} Ready ${ready}: a false NotReady`);
      }
      lastReady.set(name, ready);
      const taints = new Set((n.spec?.taints ?? []).filter((t) => TAINT_KEYS.has(t.key ?? '')).map((t) => `${t.key}:${t.effect}`));
      for (const t of taints) if (!lastTaints.get(name)?.has(t)) taintsAdded[name] = (taintsAdded[name] ?? 0) + 1;
      lastTaints.set(name, taints);
    });
    const leases = await follow(new SharedIndexInformer<Lease>(listerWatcherFor(c.client, 'leases', { namespace: 'kube-node-lease' }), { name: 'soak leases', logger: quietLogger() }), (l) => {
      const times = renewTimes.get(l.metadata!.name!);
      const t = Date.parse(l.spec?.renewTime ?? '');
      if (times && Number.isFinite(t) && t !== times[times.length - 1]) times.push(t);
    });
    const pods = await follow(new SharedIndexInformer<Pod>(listerWatcherFor(c.client, 'pods', { namespace: 'default', labelSelector: `app=${app}` }), { name: 'soak pods', logger: quietLogger() }), (p, deleted) => {
      const uid = p.metadata!.uid!;
      if (deleted) return;
      if (!seenUids.has(uid)) {
        seenUids.add(uid);
        podsReplaced++;
      }
      const ready = podReady(p);
      if (wasReady.get(uid) && !ready) podsUnready++;
      wasReady.set(uid, ready);
      const r = restarts(p);
      if (r > (baseRestarts.get(uid) ?? 0)) containerRestarts += r - (baseRestarts.get(uid) ?? 0);
      baseRestarts.set(uid, r);
    });
    // The initial state counts as the start: only changes from here on are counted.
    for (const k of c.nodes) {
      taintsAdded[k] = 0;
      falseNotReady[k] = 0;
      renewTimes.set(k, renewTimes.get(k)!.slice(-1));
    }
    const gapStats = (): LeaseStats[] =>
      c.nodes.map((node) => {
        const t = renewTimes.get(node)!;
        return { node, renewals: Math.max(0, t.length - 1), gaps: summarize(t.slice(1).map((v, i) => v - t[i])) };
      });
    try {
      say(`  idle for ${minutes} min with ${replicas} pods; watching nodes, taints, pods and node Leases`);
      for (let m = 1; m <= minutes; m++) {
        await new Promise((r) => setTimeout(r, 60_000));
        const worst = Math.max(...gapStats().map((l) => l.gaps.max));
        const fnr = Object.values(falseNotReady).reduce((a, b) => a + b, 0);
        say(`    minute ${m}/${minutes}: ${fnr} false NotReady, max Lease renewal gap ${(worst / 1000).toFixed(2)} s`);
      }
    } finally {
      await nodes.stop();
      await leases.stop();
      await pods.stop();
    }
    return { minutes, nodes: nodeCount, pods: replicas, falseNotReady, taintsAdded, podsUnready, podsReplaced, containerRestarts, leases: gapStats() };
  } finally {
    await c.down();
  }
}

/** `npm run bench -- soak [--minutes N]` (default 10). */
export async function soakSection(say: (s: string) => void, argv: string[]): Promise<void> {
  const minutes = countFlag(argv, '--minutes', 10);
  say(`\nidle soak (fast profile: Lease 4 s renewed every 1 s, grace 4 s; Docker runtime, 3 nodes, 3 pods; ${minutes} min)`);
  const r = await benchSoak(minutes, 3, 3, say);
  const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
  for (const l of r.leases) say(`  ${l.node.padEnd(22)} ${String(l.renewals).padStart(5)} Lease renewals  gap p50 ${s(l.gaps.p50)}  p99 ${s(l.gaps.p99)}  max ${s(l.gaps.max)}`);
  const fnr = Object.values(r.falseNotReady).reduce((a, b) => a + b, 0);
  const taints = Object.values(r.taintsAdded).reduce((a, b) => a + b, 0);
  say(`  false NotReady ${fnr}, taints added ${taints}, pods un-Ready ${r.podsUnready}, pods replaced ${r.podsReplaced}, container restarts ${r.containerRestarts}`);
  const worst = Math.max(...r.leases.map((l) => l.gaps.max));
  say(`  target 0 false NotReady: ${fnr === 0 ? 'OK' : 'MISSED'}; max renewal gap ${s(worst)} against the 4 s grace period (${worst < 4000 ? 'OK' : 'MISSED'})`);
  saveResults('soak', r);
}
