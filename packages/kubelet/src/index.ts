// (stub: the node agent engineer replaces this)
import type { Logger } from 'pino';

export interface NodeAgentOptions {
  servers: string[];
  nodeName: string;
  /** "docker" runs real containers; "fake" is a hollow node (pods go Running after fakeStartDelayMs) */
  runtime: 'docker' | 'fake';
  /** capacity, as quantities: cpu "2", memory "4Gi", pods "110" */
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  fakeStartDelayMs?: number;
  /** how often NodeStatus is posted (--node-status-update-frequency, default 10 s) */
  nodeStatusUpdateSeconds?: number;
  /** the node Lease duration (default 40 s); renewed every quarter of it */
  nodeLeaseDurationSeconds?: number;
  /** Docker Engine socket (default /var/run/docker.sock) */
  dockerSocket?: string;
  logger?: Logger;
}

export interface RunningNodeAgent {
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<RunningNodeAgent> {
  void opts;
  throw new Error('not implemented');
}
