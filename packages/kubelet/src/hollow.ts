// Hollow nodes: many fake-runtime node agents in one process over one shared client, so
// the control plane can be tried at scale (hundreds of nodes) without a process, a
// container or much memory per node — as Kubernetes' kubemark does.
import { Client, newLogger } from '@kubesim/client';
import { NodeAgent } from './agent.js';
import type { NodeAgentOptions } from './options.js';

/** The options every hollow node shares (a subset of a node agent's), plus how many and how named. */
export interface HollowNodesOptions
  extends Pick<NodeAgentOptions, 'servers' | 'cpu' | 'memory' | 'pods' | 'labels' | 'fakeStartDelayMs' | 'nodeStatusUpdateSeconds' | 'nodeLeaseDurationSeconds' | 'logger'> {
  count: number;
  /** Nodes are named <prefix>-1 .. <prefix>-<count>. */
  prefix?: string;
  /** How many agents start at once (registration is a few writes each). */
  startConcurrency?: number;
}

export interface RunningHollowNodes {
  nodes: string[];
  stop(): Promise<void>;
}

export function hollowNodeNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

export async function startHollowNodes(opts: HollowNodesOptions): Promise<RunningHollowNodes> {
  const log = opts.logger ?? newLogger('hollow-nodes');
  const client = new Client({ endpoints: opts.servers, userAgent: 'kubelet/hollow' });
  const names = hollowNodeNames(opts.prefix ?? 'hollow', opts.count);
  const agents = names.map(
    (nodeName) =>
      new NodeAgent({
        servers: opts.servers,
        nodeName,
        runtime: 'fake',
        client,
        // Fake containers read no environment: no Service watch per hollow node.
        serviceInformer: null,
        cpu: opts.cpu,
        memory: opts.memory,
        pods: opts.pods,
        labels: { ...opts.labels, 'kubesim.io/hollow': 'true' },
        fakeStartDelayMs: opts.fakeStartDelayMs,
        nodeStatusUpdateSeconds: opts.nodeStatusUpdateSeconds,
        nodeLeaseDurationSeconds: opts.nodeLeaseDurationSeconds,
        logger: log.child({ node: nodeName }),
      }),
  );
  const stop = async () => {
    await Promise.all(agents.map((a) => a.stop()));
    client.close();
  };
  try {
    let next = 0;
    const width = opts.startConcurrency ?? 20;
    await Promise.all(
      Array.from({ length: Math.min(width, agents.length) }, async () => {
        while (next < agents.length) await agents[next++].start();
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ count: names.length, first: names[0], last: names[names.length - 1] }, 'hollow nodes running');
  return { nodes: names, stop };
}
