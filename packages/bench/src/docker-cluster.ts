// A whole kubesim cluster for the Docker benchmarks, each component its own process:
// etcd, apiserver, scheduler, controller-manager and N node agents with the Docker
// runtime. Starting it is not measured; stop() also removes any container the node
// agents left behind (they label theirs kubesim.node=<node>).
import { join } from 'node:path';
import { Client } from '@kubesim/client';
import type { Node } from '@kubesim/api';
import { GiveUp, startApiServerProcess, startComponent, startEtcd, waitFor, type RunningComponent, type RunningEtcd } from '@kubesim/launcher';
import { removeContainersWithLabel } from './docker.js';

export interface DockerCluster {
  endpoint: string;
  nodes: string[];
  client: Client;
  /** Stops every process (node agents first) and removes leftover containers; how many were left. */
  stop(): Promise<number>;
}

const isReady = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function startDockerCluster(logDir: string, nodeCount: number, tag: string): Promise<DockerCluster> {
  // Node names unique to this run, so the container label never matches someone else's.
  const nodes = Array.from({ length: nodeCount }, (_, i) => `${tag}-${process.pid}-n${i + 1}`);
  const procs: RunningComponent[] = [];
  let etcd: RunningEtcd | undefined;
  let client: Client | undefined;
  const stop = async (): Promise<number> => {
    client?.close();
    // Node agents first, so none starts a container after the sweep below.
    for (const p of [...procs].reverse()) await p.stop();
    await etcd?.stop();
    let left = 0;
    for (const n of nodes) left += await removeContainersWithLabel(`kubesim.node=${n}`);
    return left;
  };
  try {
    etcd = await startEtcd({ logFile: join(logDir, `${tag}-etcd.log`) });
    const api = await startApiServerProcess([etcd.endpoint], { logFile: join(logDir, `${tag}-apiserver.log`) });
    procs.push(api);
    const ep = api.endpoint;
    const env = { KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'info' };
    const comp = (name: string, args: string[]) => {
      const c = startComponent([...args, '--server', ep], { logFile: join(logDir, `${tag}-${name}.log`), env });
      procs.push(c);
      return c;
    };
    comp('scheduler', ['scheduler', '--leader-elect=false']);
    comp('controller-manager', ['controller-manager', '--leader-elect=false']);
    for (const n of nodes) comp(n, ['node', '--name', n, '--runtime', 'docker']);
    client = new Client({ endpoints: [ep] });
    const c = client;
    await waitFor(
      `${nodeCount} node(s) Ready`,
      async () => {
        for (const p of procs) if (p.process.exitCode !== null || p.process.signalCode !== null) throw new GiveUp(`a component exited (pid ${p.pid}); logs in ${logDir}`);
        const list = await c.list('nodes');
        return list.items.filter((n) => nodes.includes(n.metadata?.name ?? '') && isReady(n)).length === nodeCount ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return { endpoint: ep, nodes, client: c, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
