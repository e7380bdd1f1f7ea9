// Converging a 30-replica Deployment on kubesim (3 Docker node agents) against the same
// service on Docker Swarm, on the same dockerd and in the same run. kubesim: Deployment
// create call -> every pod Ready seen through a watch. Swarm: `docker service create
// --detach` -> every task of the service running (the Engine API polled every 100 ms).
// The bench leaves the engine's swarm membership as it found it.
import type { Deployment } from '@kubesim/api';
import { isNotFound } from '@kubesim/api';
import { waitFor } from '@kubesim/launcher';
import { containersWithLabel, docker, removeContainersWithLabel, serviceTasks, swarmState } from './docker.js';
import { startDockerCluster } from './docker-cluster.js';
import { trackPods } from './pod-tracker.js';

export const SWARM_SERVICE = 'kubesim-bench-swarm';
const SWARM_LABEL = `com.docker.swarm.service.name=${SWARM_SERVICE}`;

export interface KubesimConverge {
  nodes: number;
  replicas: number;
  /** Deployment create call start -> all replicas Ready */
  seconds: number;
  /** ... -> all replica pods created (by the ReplicaSet controller), all bound, all Running */
  allCreatedSeconds: number;
  allBoundSeconds: number;
  allRunningSeconds: number;
  /** delete (foreground) -> Deployment, pods and containers gone */
  removeSeconds: number;
  podsPerNode: Record<string, number>;
  leftovers: number;
}

export interface SwarmConverge {
  replicas: number;
  /** whether this bench ran `docker swarm init` (and so left the swarm at the end) */
  createdSwarm: boolean;
  /** `docker service create` start -> all tasks running */
  seconds: number;
  /** `docker service rm` start -> its containers gone */
  removeSeconds: number;
}

function deployment(ns: string, name: string, replicas: number, image: string): Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'hostname', image, imagePullPolicy: 'IfNotPresent' }], terminationGracePeriodSeconds: 2 },
      },
    },
  };
}

export async function benchKubesimConverge(logDir: string, nodeCount: number, replicas: number, image: string): Promise<KubesimConverge> {
  const cluster = await startDockerCluster(logDir, nodeCount, 'swarm');
  let result: KubesimConverge | undefined;
  try {
    const { client } = cluster;
    const ns = 'bench-converge';
    const name = 'hostname';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const tracker = await trackPods(client, ns);
    try {
      const t0 = performance.now();
      await client.create(deployment(ns, name, replicas, image));
      await tracker.waitUntil(`${replicas} pods Ready`, () => tracker.readyCount() >= replicas, 180_000);
      const times = [...tracker.times.values()];
      const last = (f: (t: (typeof times)[number]) => number | undefined) => (Math.max(...times.map((t) => f(t) ?? Infinity)) - t0) / 1000;
      const podsPerNode: Record<string, number> = {};
      for (const t of times) podsPerNode[t.node ?? '?'] = (podsPerNode[t.node ?? '?'] ?? 0) + 1;
      const r0 = performance.now();
      await client.delete('deployments', ns, name, { propagationPolicy: 'Foreground' });
      await waitFor(
        `Deployment ${ns}/${name} gone`,
        async () => {
          try {
            await client.get('deployments', ns, name);
            return undefined;
          } catch (e) {
            if (isNotFound(e)) return true;
            throw e;
          }
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      await tracker.waitUntil(`pods of ${ns} gone`, () => tracker.liveCount() === 0, 120_000);
      await waitFor(
        'the nodes\u2019 containers gone',
        async () => {
          let n = 0;
          for (const node of cluster.nodes) n += (await containersWithLabel(`kubesim.node=${node}`)).length;
          return n === 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      result = {
        nodes: nodeCount,
        replicas,
        seconds: last((t) => t.ready),
        allCreatedSeconds: last((t) => t.added),
        allBoundSeconds: last((t) => t.bound),
        allRunningSeconds: last((t) => t.running),
        removeSeconds: (performance.now() - r0) / 1000,
        podsPerNode,
        leftovers: 0,
      };
    } finally {
      await tracker.stop();
    }
  } finally {
    const left = await cluster.stop();
    if (result) result.leftovers = left;
  }
  if (!result) throw new Error('unreachable');
  return result;
}

async function swarmContainersGone(timeoutMs: number): Promise<void> {
  await waitFor(`containers of service ${SWARM_SERVICE} gone`, async () => ((await containersWithLabel(SWARM_LABEL)).length === 0 ? true : undefined), { timeoutMs, intervalMs: 100 });
}

export async function benchSwarmConverge(replicas: number, image: string): Promise<SwarmConverge> {
  const state = await swarmState();
  let createdSwarm = false;
  // `swarm init` makes the docker_gwbridge network and `swarm leave` keeps it: remove it
  // after leaving only if it was not there before.
  const hadGwBridge = (await docker(['network', 'ls', '-q', '--filter', 'name=^docker_gwbridge$'])) !== '';
  if (state === 'inactive') {
    // Loopback only: nothing outside this machine is asked to join or is contacted.
    await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377'], 60_000);
    createdSwarm = true;
  } else if (state !== 'active') {
    throw new Error(`the Docker engine's swarm state is "${state}"; the swarm comparison needs "inactive" or "active"`);
  }
  try {
    // A service left by an earlier run that died halfway.
    await docker(['service', 'rm', SWARM_SERVICE], 30_000).catch(() => undefined);
    await swarmContainersGone(60_000);
    const t0 = performance.now();
    let serviceMade = false;
    try {
      await docker(['service', 'create', '--detach', '--replicas', String(replicas), '--no-resolve-image', '--name', SWARM_SERVICE, image], 60_000);
      serviceMade = true;
      await waitFor(
        `${replicas} tasks of ${SWARM_SERVICE} running`,
        async () => {
          const tasks = (await serviceTasks(SWARM_SERVICE)).filter((t) => t.DesiredState === 'running');
          const running = tasks.filter((t) => t.Status.State === 'running').length;
          return running >= replicas ? true : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 100 },
      );
      const seconds = (performance.now() - t0) / 1000;
      const r0 = performance.now();
      await docker(['service', 'rm', SWARM_SERVICE], 60_000);
      serviceMade = false;
      await swarmContainersGone(120_000);
      return { replicas, createdSwarm, seconds, removeSeconds: (performance.now() - r0) / 1000 };
    } finally {
      if (serviceMade) await docker(['service', 'rm', SWARM_SERVICE], 60_000).catch(() => undefined);
      await swarmContainersGone(60_000).catch(() => removeContainersWithLabel(SWARM_LABEL));
    }
  } finally {
    if (createdSwarm) {
      await docker(['swarm', 'leave', '--force'], 60_000).catch((e: Error) => process.stdout.write(`  docker swarm leave --force failed: ${e.message}\n`));
      if (!hadGwBridge) await docker(['network', 'rm', 'docker_gwbridge'], 30_000).catch(() => undefined);
    }
  }
}
