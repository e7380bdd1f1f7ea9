// @kubesim/kubelet: the node agent (`kubesim node`). startNodeAgent registers the Node,
// heartbeats its Lease and runs the pods bound to it, in Docker or (hollow nodes) faked.
import type { Logger } from 'pino';
import { NodeAgent } from './agent.js';

export { NodeAgent, type NodeAgentConfig } from './agent.js';
export { DockerRuntime, PAUSE_IMAGE, podRef } from './runtime/docker.js';
export { FakeRuntime, fakeNodeIndex } from './runtime/fake.js';
export * from './runtime/runtime.js';
export * from './runtime/labels.js';
export { NodeServer, type NodeServerDeps } from './server/node-server.js';
export { findLogPod, logContainerID } from './server/log-target.js';
export { KUBELET_VERSION } from './node/status.js';
export { NODE_LEASE_NAMESPACE } from './node/lease.js';

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
  /** Docker network the pods join (default "bridge") */
  dockerNetwork?: string;
  /** the InternalIP to report (default: docker0's address; 127.0.0.1 for fake nodes) */
  nodeIP?: string;
  /** The NodeService (logs) port, published in the Node's daemonEndpoints (default 0: any free port). */
  kubeletPort?: number;
  /** The address the NodeService binds (default: the node IP when it is this host's, else 0.0.0.0). */
  kubeletAddress?: string;
  logger?: Logger;
}

export interface RunningNodeAgent {
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<RunningNodeAgent> {
  const agent = new NodeAgent(opts);
  try {
    await agent.start();
  } catch (err) {
    await agent.stop();
    throw err;
  }
  return agent;
}
