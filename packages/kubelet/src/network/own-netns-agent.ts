// `kubesim node --network-mode own-netns`: the node agent of a docker-compose node container
// (its own network namespace and Docker engine). Before the agent proper starts, the Node is
// registered NotReady ("no pod CIDR"), the pod CIDR the IPAM controller assigns is awaited,
// and the pod bridge is made from it, so the node turns Ready only with a working pod
// network. Then the routes to other nodes' pods and kube-proxy (own-netns rules) run beside it.
import { isNotFound } from '@kubesim/api';
import { Client, newLogger, realClock, type Logger } from '@kubesim/client';
import { KubeProxy } from '@kubesim/kube-proxy';
import { NodeAgent } from '../agent.js';
import { hostFacts, nodeIds } from '../node/facts.js';
import { NodeRegistration } from '../node/registration.js';
import { DockerRuntime } from '../runtime/docker.js';
import type { NodeAgentOptions } from '../options.js';
import { defaultRouteAddress, ensureEgressMasquerade, ensurePodNetwork, POD_NETWORK } from './own-netns.js';
import { PodRouteController } from './pod-route-controller.js';

const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

export async function startOwnNetnsNodeAgent(opts: NodeAgentOptions): Promise<{ stop(): Promise<void> }> {
  if (opts.runtime !== 'docker') throw new Error('--network-mode own-netns needs the docker runtime');
  const log = (opts.logger ?? newLogger('kubelet')).child({ node: opts.nodeName });
  const client = new Client({ endpoints: opts.servers, userAgent: `kubelet/${opts.nodeName}` });
  const abort = new AbortController();
  const parts: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    abort.abort();
    for (const p of parts.reverse()) await p.stop().catch((err: Error) => log.warn({ err: err.message }, 'stop failed'));
    client.close();
  };
  try {
    const nodeAddress = opts.nodeIP ?? (await defaultRouteAddress());
    const clusterCIDR = opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    const podCIDR = await waitForPodCIDR(client, opts, nodeAddress, log, abort.signal);
    const agent = new NodeAgent({ ...opts, networkMode: 'docker', dockerNetwork: POD_NETWORK, nodeIP: nodeAddress, kubeletAddress: opts.kubeletAddress ?? '0.0.0.0' });
    parts.push(agent);
    if (!(agent.runtime instanceof DockerRuntime)) throw new Error('--network-mode own-netns needs the docker runtime');
    const net = await ensurePodNetwork(agent.runtime.engine, podCIDR);
    agent.runtime.setPodCIDR(net.cidr);
    await ensureEgressMasquerade(net.cidr.text, clusterCIDR);
    log.info({ podCIDR: net.cidr.text, nodeAddress, gateway: net.gateway }, `pod network ready: node address ${nodeAddress}, pods from ${net.cidr.text}`);
    const routes = new PodRouteController({ client, nodeName: opts.nodeName, logger: log });
    parts.push(routes);
    await routes.start();
    const proxy = new KubeProxy({ client, nodeName: opts.nodeName, mode: 'own-netns', nodeAddress, podCIDR: net.cidr.text, clusterCIDR, logger: log });
    parts.push(proxy);
    await proxy.start();
    // Pods start only once Services answer (their DNS is a Service too).
    await proxy.waitForSync(abort.signal);
    await agent.start();
    return { stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The node's pod CIDR: read from its Node, registering the Node first (NotReady: network
 * not ready) when there is none, so that the node IPAM controller assigns one.
 */
async function waitForPodCIDR(client: Client, opts: NodeAgentOptions, nodeAddress: string, log: Logger, signal: AbortSignal): Promise<string> {
  const registration = new NodeRegistration(client, realClock, log);
  let waitedMs = 0;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const node = await client.get('nodes', '', opts.nodeName);
      if (node.spec?.podCIDR) return node.spec.podCIDR;
    } catch (err) {
      if (!isNotFound(err)) log.warn({ err: (err as Error).message }, 'could not read the Node; retrying');
      else
        await registration
          .register({
            nodeName: opts.nodeName,
            capacity: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi', pods: opts.pods ?? '110' },
            labels: opts.labels,
            hostIP: nodeAddress,
            ...hostFacts(),
            ...nodeIds(opts.nodeName),
            kubeletPort: 0,
            containerRuntimeVersion: '',
            networkError: 'no pod CIDR assigned to the node yet',
          })
          .catch((e: Error) => log.warn({ err: e.message }, 'could not register the node; retrying'));
    }
    if (attempt % 20 === 0) log.info({ waitedMs }, 'waiting for a pod CIDR (the controller-manager assigns it: --allocate-node-cidrs)');
    const ms = Math.min(2000, 100 * 2 ** Math.min(attempt, 4));
    waitedMs += ms;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
  throw new Error('stopped while waiting for a pod CIDR');
}
