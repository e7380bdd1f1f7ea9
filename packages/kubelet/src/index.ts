// @kubesim/kubelet: the node agent (`kubesim node`). startNodeAgent registers the Node,
// heartbeats its Lease and runs the pods bound to it, in Docker or (hollow nodes) faked.
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

export type { NodeAgentOptions } from './options.js';
import type { NodeAgentOptions } from './options.js';
import { startOwnNetnsNodeAgent } from './network/own-netns-agent.js';


export interface RunningNodeAgent {
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<RunningNodeAgent> {
  if (opts.networkMode === 'own-netns') return startOwnNetnsNodeAgent(opts);
  const agent = new NodeAgent(opts);
  try {
    await agent.start();
  } catch (err) {
    await agent.stop();
    throw err;
  }
  return agent;
}
export { startHostPodRoutes, type HostPodRoutesOptions } from './network/pod-route-controller.js';
export { startHollowNodes, hollowNodeNames, type HollowNodesOptions, type RunningHollowNodes } from './hollow.js';
