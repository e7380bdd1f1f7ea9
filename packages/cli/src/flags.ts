// Flags of the components that `kubesim <component>` starts, with their defaults, kept in
// one place so `kubesim up` (which starts them as child processes) and the component
// commands agree on names and defaults.

export interface FlagSpec {
  /** commander flag form: "--etcd-servers <urls>" */
  flag: string;
  description: string;
  default?: string;
}

export const APISERVER_FLAGS = {
  etcdServers: { flag: '--etcd-servers <urls>', description: 'comma-separated etcd client URLs', default: 'http://127.0.0.1:2379' },
  listen: { flag: '--listen <host:port>', description: 'address to serve gRPC on', default: '127.0.0.1:6443' },
  compactionInterval: { flag: '--compaction-interval <seconds>', description: 'compact etcd this often (0 = never; default 300)' },
  eventTtl: { flag: '--event-ttl <seconds>', description: 'events expire this long after their last write (default 3600)' },
  maxObjectBytes: { flag: '--max-object-bytes <bytes>', description: 'largest object accepted, as stored JSON (default 1.5 MiB)' },
  bookmarkInterval: { flag: '--bookmark-interval <seconds>', description: 'send watch bookmarks this often (fractions allowed; default 5)' },
  serviceClusterIPRange: { flag: '--service-cluster-ip-range <cidr>', description: 'virtual IPs for Services (default 10.96.0.0/16)' },
  serviceNodePortRange: { flag: '--service-node-port-range <from-to>', description: 'ports for NodePort Services (default 30000-32767)' },
  watchCacheSize: { flag: '--watch-cache-size <n>', description: 'recent changes kept in memory per resource to resume watches from (default 1000)' },
  defaultNotReadyTolerationSeconds: { flag: '--default-not-ready-toleration-seconds <seconds>', description: 'tolerationSeconds of the not-ready:NoExecute toleration added to every pod (default 300)' },
  defaultUnreachableTolerationSeconds: { flag: '--default-unreachable-toleration-seconds <seconds>', description: 'tolerationSeconds of the unreachable:NoExecute toleration added to every pod (default 300)' },
} as const satisfies Record<string, FlagSpec>;

type Required = 'etcdServers' | 'listen';
export type ApiServerFlagValues = { [K in Required]: string } & { [K in Exclude<keyof typeof APISERVER_FLAGS, Required>]?: string };

export const LEADER_ELECTION_FLAGS = {
  leaderElect: { flag: '--leader-elect <bool>', description: 'elect a leader on a Lease in kube-system; only the leader acts', default: 'true' },
  leaderElectLeaseDuration: { flag: '--leader-elect-lease-duration <seconds>', description: 'how long a leader lease lasts', default: '15' },
  leaderElectRenewDeadline: { flag: '--leader-elect-renew-deadline <seconds>', description: 'a leader that cannot renew within this stops acting', default: '10' },
  leaderElectRetryPeriod: { flag: '--leader-elect-retry-period <seconds>', description: 'how often to try to acquire or renew', default: '2' },
} as const satisfies Record<string, FlagSpec>;

export const SCHEDULER_FLAGS = {
  schedulerName: { flag: '--scheduler-name <name>', description: 'schedule pods whose spec.schedulerName is this', default: 'default-scheduler' },
  maxInflightBinds: { flag: '--max-inflight-binds <n>', description: 'bindings sent concurrently', default: '32' },
  ...LEADER_ELECTION_FLAGS,
} as const satisfies Record<string, FlagSpec>;

export const CLOUD_CONTROLLER_MANAGER_FLAGS = {
  lbCidr: { flag: '--lb-cidr <cidr>', description: 'load-balancer address pool (the last /24 of the cluster CIDR)', default: '10.244.255.0/24' },
  lbInterface: { flag: '--lb-interface <name>', description: 'interface to add each load-balancer address to as a /32 alias (none: addresses must already be local)' },
  concurrentServiceSyncs: { flag: '--concurrent-service-syncs <n>', description: 'Services synced concurrently', default: '1' },
} as const satisfies Record<string, FlagSpec>;

export const CONTROLLER_MANAGER_FLAGS = {
  controllers: { flag: '--controllers <list>', description: 'controllers to run: "*" for all, "-name" to disable one', default: '*' },
  concurrentSyncs: { flag: '--concurrent-syncs <n>', description: 'workers per controller', default: '5' },
  allocateNodeCidrs: { flag: '--allocate-node-cidrs <bool>', description: 'give every Node a pod CIDR from --cluster-cidr', default: 'false' },
  clusterCidr: { flag: '--cluster-cidr <cidr>', description: 'the pods address range, split into node pod CIDRs (e.g. 10.244.0.0/16)' },
  nodeCidrMaskSize: { flag: '--node-cidr-mask-size <bits>', description: 'prefix length of each node pod CIDR', default: '24' },
  nodeMonitorPeriod: { flag: '--node-monitor-period <seconds>', description: 'how often the node lifecycle controller checks each node', default: '5' },
  nodeMonitorGracePeriod: { flag: '--node-monitor-grace-period <seconds>', description: 'a node silent this long goes Unknown and is tainted unreachable', default: '50' },
  nodeStartupGracePeriod: { flag: '--node-startup-grace-period <seconds>', description: 'the same for a node that has not posted Ready yet', default: '60' },
  terminatedPodGcThreshold: { flag: '--terminated-pod-gc-threshold <n>', description: 'finished pods kept before pod GC deletes the oldest (0 = never)', default: '12500' },
  cloudProvider: {
    flag: '--cloud-provider <name>',
    description: '"kubesim" also runs the emulated cloud (the cloud-controller-manager\'s service controller and load balancers) in this process, with the --lb-* flags; none by default',
  },
  ...CLOUD_CONTROLLER_MANAGER_FLAGS,
  ...LEADER_ELECTION_FLAGS,
} as const satisfies Record<string, FlagSpec>;

export const NODE_FLAGS = {
  name: { flag: '--name <name>', description: 'the Node name (required)' },
  runtime: { flag: '--runtime <docker|fake>', description: 'docker runs real containers; fake is a hollow node', default: 'docker' },
  cpu: { flag: '--cpu <quantity>', description: 'cpu capacity', default: '2' },
  memory: { flag: '--memory <quantity>', description: 'memory capacity', default: '4Gi' },
  pods: { flag: '--max-pods <n>', description: 'pods capacity', default: '110' },
  labels: { flag: '--node-labels <k=v,...>', description: 'extra labels for the Node' },
  fakeStartDelay: { flag: '--fake-start-delay <ms>', description: 'fake runtime: how long a pod takes to start', default: '100' },
  nodeStatusUpdateFrequency: { flag: '--node-status-update-frequency <seconds>', description: 'how often NodeStatus is posted', default: '10' },
  nodeLeaseDuration: { flag: '--node-lease-duration <seconds>', description: 'the node Lease duration (renewed every quarter of it)', default: '40' },
  dockerSocket: { flag: '--docker-socket <path>', description: 'Docker Engine API socket', default: '/var/run/docker.sock' },
  dockerNetwork: { flag: '--docker-network <name>', description: 'Docker network pod sandboxes join', default: 'bridge' },
  networkMode: {
    flag: '--network-mode <docker|shared-host|own-netns>',
    description: 'docker: Docker picks pod IPs, no service proxy; shared-host: pod IPs from the node podCIDR on --docker-network, node address on its bridge, kube-proxy (root); own-netns: a node container with its own engine (docker-compose): pod bridge with the podCIDR, routes to other nodes, kube-proxy',
    default: 'docker',
  },
  clusterCidr: { flag: '--cluster-cidr <cidr>', description: 'the pods address range (kube-proxy masquerades what comes from outside it)' },
  nodeIP: { flag: '--node-ip <address>', description: 'the InternalIP the Node reports (default: found from the runtime)' },
  kubeletPort: { flag: '--kubelet-port <port>', description: 'port of the node agent API (logs) the apiserver calls; 0 = any free port', default: '0' },
  clusterDns: { flag: '--cluster-dns <address>', description: 'the cluster DNS address ClusterFirst pods resolve through (none: Docker resolver)' },
  clusterDomain: { flag: '--cluster-domain <domain>', description: 'the cluster domain of pods search paths', default: 'cluster.local' },
} as const satisfies Record<string, FlagSpec>;

export const DNS_FLAGS = {
  // Pods reach the host on the Docker bridge's gateway (docker0, usually 172.17.0.1); `kubesim up` passes that address.
  listen: { flag: '--listen <host:port>', description: 'UDP and TCP address to serve DNS on (pods must reach it: the docker0 address)', default: '0.0.0.0:53' },
  clusterDomain: { flag: '--cluster-domain <domain>', description: 'the cluster domain this server is the authority for', default: 'cluster.local' },
} as const satisfies Record<string, FlagSpec>;

export const INGRESS_CONTROLLER_FLAGS = {
  listen: { flag: '--listen <host:port[,host:port]>', description: 'addresses to serve HTTP on (the host reaches Ingresses there)', default: '127.0.0.1:8080' },
  ingressClass: { flag: '--ingress-class <name>', description: 'serve Ingresses whose spec.ingressClassName is this', default: 'kubesim' },
  watchIngressWithoutClass: { flag: '--watch-ingress-without-class <bool>', description: 'also serve Ingresses that name no class', default: 'true' },
  publishAddress: { flag: '--publish-address <ip[,ip]>', description: 'addresses written to Ingress status.loadBalancer (default: the specific --listen hosts, else 127.0.0.1)' },
  updateStatus: { flag: '--update-status <bool>', description: 'write status.loadBalancer of the Ingresses served', default: 'true' },
} as const satisfies Record<string, FlagSpec>;

export const POD_ROUTES_FLAGS = {
  interface: { flag: '--interface <name>', description: 'the interface the node addresses are on (the docker-compose network bridge; required)' },
  clusterCidr: { flag: '--cluster-cidr <cidr>', description: 'route only pod CIDRs inside this range' },
} as const satisfies Record<string, FlagSpec>;

export const HOLLOW_NODES_FLAGS = {
  count: { flag: '--count <n>', description: 'how many hollow nodes', default: '100' },
  prefix: { flag: '--prefix <name>', description: 'nodes are named <prefix>-1..<prefix>-N', default: 'hollow' },
  cpu: NODE_FLAGS.cpu,
  memory: NODE_FLAGS.memory,
  pods: NODE_FLAGS.pods,
  labels: NODE_FLAGS.labels,
  fakeStartDelay: NODE_FLAGS.fakeStartDelay,
  nodeStatusUpdateFrequency: NODE_FLAGS.nodeStatusUpdateFrequency,
  nodeLeaseDuration: NODE_FLAGS.nodeLeaseDuration,
} as const satisfies Record<string, FlagSpec>;

export type FlagValues<F extends Record<string, FlagSpec>> = { [K in keyof F]: F[K] extends { default: string } ? string : string | undefined };

/** "true"/"false" flags, as Kubernetes' components take them (--leader-elect=false). */
export function boolFlag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`invalid value "${value}" for ${name}: must be true or false`);
}

/** A non-negative integer flag value, or undefined when the flag was not given. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid value "${value}" for ${name}: must be a non-negative integer`);
  return n;
}

/** A positive number flag value (fractions allowed), or undefined when the flag was not given. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`invalid value "${value}" for ${name}: must be a positive number`);
  return n;
}

/** The default apiserver address clients use when nothing else is configured. */
export const DEFAULT_SERVER = APISERVER_FLAGS.listen.default;
