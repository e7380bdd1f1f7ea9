// What `kubesim node` configures: the node agent's options (flags in packages/cli/src/flags.ts).
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
  /** Docker network the pods join (default "bridge") */
  dockerNetwork?: string;
  /**
   * How pods get addresses. "docker": Docker picks them on dockerNetwork, no service proxy.
   * "shared-host": the node waits for its podCIDR, adds its address (the podCIDR's first) to
   * dockerNetwork's bridge, gives pods IPs from the podCIDR and runs kube-proxy; several nodes
   * share the host's network namespace (`kubesim up`). Needs root (ip, iptables).
   * "own-netns": the node is a container with its own network namespace and Docker engine
   * (docker-compose): pods on a bridge with the podCIDR, routes to other nodes' podCIDRs,
   * kube-proxy in own-netns mode (network/own-netns-agent.ts).
   */
  networkMode?: 'docker' | 'shared-host' | 'own-netns';
  /** The cluster's pod range (kube-proxy masquerades service traffic from outside it). */
  clusterCIDR?: string;
  /** the InternalIP to report (default: docker0's address; 127.0.0.1 for fake nodes) */
  nodeIP?: string;
  /** The NodeService (logs) port, published in the Node's daemonEndpoints (default 0: any free port). */
  kubeletPort?: number;
  /** The address the NodeService binds (default: the node IP when it is this host's, else 0.0.0.0). */
  kubeletAddress?: string;
  /** The cluster DNS address ClusterFirst pods use as their nameserver (--cluster-dns; none: Docker's resolver). */
  clusterDNS?: string;
  /** The cluster domain for pods' search paths (--cluster-domain, default cluster.local). */
  clusterDomain?: string;
  logger?: Logger;
}
