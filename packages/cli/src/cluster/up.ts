// `kubesim up`: starts a local cluster's processes (etcd unless given endpoints, the
// apiserver, the scheduler, the controller-manager and one node agent per node), waits
// until they answer and the nodes are Ready, writes the context the other verbs read,
// and leaves them running on their own. A second `up` of a running cluster refuses; of a
// stopped one (its processes gone, its etcd data kept) it resumes.
// `--ha` (or the finer counts) runs an HA control plane: an etcd cluster of several
// members, several apiservers each on every member, and several schedulers and
// controller-managers each given every apiserver, electing their leaders on Leases.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_ETCD_IMAGE, etcdLeaderEndpoint, etcdMemberArgs, startEtcdCluster, dockerBridgeIPv4, ensureClusterNetwork, removeClusterNetwork, freePort, type ClusterNetwork, startApiServerProcess, startComponent, startEtcd, startEtcdContainer, findEtcdBinary, waitFor, GiveUp } from '@kubesim/launcher';
import { Client } from '@kubesim/client';
import { isAlreadyExists, mustParseCIDR, subnetAt, type Endpoints } from '@kubesim/api';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setContext } from '../config.js';
import { timingProfile } from './profile.js';
import { clusterDir, isAlive, readState, writeState, type Addon, type ClusterState, type EtcdContainer, type ProcessRecord } from './state.js';
import { isHA, logName, SINGLE, sizeOfProcesses, type ControlPlaneSize } from './ha.js';
import { pidOfIdentity } from '../chaos/names.js';

export interface UpOptions {
  name: string;
  /** External etcd endpoints; kubesim starts its own etcd when empty. */
  etcdEndpoints: string[];
  /** The apiserver's port on 127.0.0.1 (a free one is picked if it is taken). */
  port: number;
  timeoutMs: number;
  /** Where etcd comes from when kubesim runs it: the local binary, a container, or (auto) the binary if there is one. */
  etcd: 'auto' | 'binary' | 'container';
  /** The image for a container etcd. */
  etcdImage?: string;
  /** Number of node agents. */
  nodes: number;
  /** Node agents' runtime: real Docker containers, or hollow nodes. */
  runtime: 'docker' | 'fake';
  /** Extra flags for every node agent (e.g. --cpu 4). */
  nodeArgs?: string[];
  /** Timing profile: 'default' (Kubernetes' timings) or 'fast' (a demo: node death handled in seconds). */
  profile?: string;
  /** Add-ons not to start (`--disable`); a resumed cluster keeps its own choice. */
  disabled?: Addon[];
  /** How many of each control-plane process (default one each; `--ha` = 3/2/2/2). A resumed cluster keeps its own. */
  size?: ControlPlaneSize;
  /** Progress lines go here. */
  say: (line: string) => void;
}

async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export async function up(opts: UpOptions): Promise<ClusterState> {
  const { name, say } = opts;
  const prev = await readState(name);
  const alive = prev?.processes.filter((p) => isAlive(p.pid)) ?? [];
  if (prev && alive.length) {
    throw new Error(
      `cluster "${name}" is already running (apiserver ${prev.apiserver}; ${alive.map((p) => `${p.component} pid ${p.pid}`).join(', ')}). ` +
        `Use "kubesim down --name ${name}" first, or "kubesim up --name OTHER" for a second cluster.`,
    );
  }
  const dir = clusterDir(name);
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true });
  say(prev ? `Resuming cluster "${name}" (its processes had stopped; data kept in ${dir})` : `Creating cluster "${name}" in ${dir}`);

  const timings = timingProfile(opts.profile ?? 'default');
  // A resumed cluster comes back with the processes it had, whatever the flags say now.
  const size = prev ? sizeOfProcesses(prev.processes) : (opts.size ?? SINGLE);
  const disabled = prev ? (prev.disabled ?? []) : (opts.disabled ?? []);
  if (disabled.length) say(`  disabled: ${disabled.join(', ')}`);
  if (isHA(size)) say(`  control plane: ${size.etcdMembers} etcd member(s), ${size.apiservers} apiserver(s), ${size.schedulers} scheduler(s), ${size.controllerManagers} controller-manager(s)`);
  const processes: ProcessRecord[] = [];
  let network: ClusterNetwork | undefined;
  let madeNetwork = false;
  let ingressURL: string | undefined;
  try {
    let etcdEndpoints = opts.etcdEndpoints;
    const ownsEtcd = etcdEndpoints.length === 0 && (prev?.ownsEtcd ?? true);
    let etcdContainer = prev?.etcdContainer;
    if (ownsEtcd && size.etcdMembers > 1) {
      const members = await startEtcdMembers(name, dir, logs, size.etcdMembers, prev, opts);
      etcdEndpoints = members.map((m) => m.endpoint!);
      processes.push(...members);
    } else if (ownsEtcd) {
      const binary = opts.etcd === 'container' || etcdContainer ? undefined : findEtcdBinary();
      if (opts.etcd === 'binary' && !binary) throw new Error('no etcd binary found: install it (apt-get install etcd-server), or use --etcd container or --etcd-endpoints');
      if (binary) {
        const prevEtcd = prev?.processes.find((p) => p.component === 'etcd');
        const clientPort = prevEtcd?.endpoint ? Number(new URL(prevEtcd.endpoint).port) : await freePort();
        say(`• starting etcd (${binary}) on 127.0.0.1:${clientPort} ...`);
        const log = join(logs, 'etcd.log');
        const etcd = await startEtcd({ dataDir: join(dir, 'etcd'), clientPort, logFile: log, detached: true, timeoutMs: opts.timeoutMs, name });
        etcdEndpoints = [etcd.endpoint];
        processes.push({ component: 'etcd', pid: etcd.pid, log, endpoint: etcd.endpoint, args: [] });
        say(`  etcd ready (pid ${etcd.pid})`);
      } else {
        etcdContainer = await etcdInContainer(name, etcdContainer, opts, say);
        etcdEndpoints = [etcdContainer.endpoint];
      }
    } else if (etcdEndpoints.length === 0) {
      etcdEndpoints = prev!.etcdEndpoints;
    }

    // The apiservers, one after the other (each bootstraps the same defaults), each on every etcd member.
    const prevApis = prev?.processes.filter((p) => p.component === 'apiserver') ?? [];
    const apiservers: string[] = [];
    for (let i = 0; i < size.apiservers; i++) {
      const recorded = prevApis[i]?.endpoint ?? (i === 0 ? prev?.apiserver : undefined);
      // --port 0 asks for any free port, as a listener's port 0 does.
      let port = recorded ? Number(recorded.split(':').pop()) : i === 0 && opts.port !== 0 ? opts.port : await freePort();
      if (!(await portFree(port))) {
        const other = await freePort();
        say(`  port ${port} is taken; the apiserver will listen on ${other}`);
        port = other;
      }
      const log = join(logs, logName('apiserver', i, size.apiservers));
      const label = size.apiservers > 1 ? `apiserver-${i + 1}` : 'apiserver';
      say(`• starting ${label} on 127.0.0.1:${port} (etcd ${etcdEndpoints.join(',')}) and waiting until it answers ...`);
      const api = await startApiServerProcess(etcdEndpoints, { port, logFile: log, detached: true, timeoutMs: opts.timeoutMs, args: timings.apiserver });
      // The whole command line, so that it can be started again (chaos start, resume).
      processes.push({ component: 'apiserver', pid: api.pid, log, endpoint: api.endpoint, args: ['apiserver', '--etcd-servers', etcdEndpoints.join(','), '--listen', api.endpoint, ...timings.apiserver] });
      apiservers.push(api.endpoint);
      say(`  ${label} ready (pid ${api.pid})`);
    }
    const api = { endpoint: apiservers[0] };
    const servers = apiservers.join(',');

    const client = new Client({ endpoints: apiservers, timeoutMs: 5000 });
    try {
      // Every component is given every apiserver (--server a,b) and fails over between them;
      // the recorded args leave --server out: a restart gives the cluster's list then.
      const component = (component: string, args: string[], logFile = `${component}.log`): ProcessRecord => {
        const log = join(logs, logFile);
        const c = startComponent([...args, '--server', servers], { logFile: log, detached: true });
        const rec = { component, pid: c.pid, log, args };
        processes.push(rec);
        return rec;
      };
      // The pod network: a Docker bridge network of the cluster's own, split into node pod
      // CIDRs. It needs root (node addresses on the bridge, kube-proxy's iptables); without
      // root pods stay on Docker's default bridge with no service proxy.
      if (opts.runtime === 'docker') {
        if (process.getuid?.() === 0) {
          network = await ensureClusterNetwork(name);
          if (!prev) madeNetwork = true;
          say(`• pod network: Docker network ${network.name} (${network.cidr}, bridge ${network.bridge}, host ${network.gateway})`);
        } else {
          say('  not root: pods go on Docker\'s default bridge, without pod CIDRs or kube-proxy');
        }
      }
      say(size.schedulers + size.controllerManagers > 2 ? `• starting ${size.schedulers} scheduler(s) and ${size.controllerManagers} controller-manager(s) (each elects a leader on a Lease in kube-system) ...` : '• starting scheduler and controller-manager ...');
      const scheds = Array.from({ length: size.schedulers }, (_, i) => component('scheduler', ['scheduler', ...timings.scheduler], logName('scheduler', i, size.schedulers)));
      // The emulated cloud (LoadBalancer addresses from the network's last /24, put on its
      // bridge). With one controller-manager it runs inside it (--cloud-provider kubesim, as
      // k3s embeds its cloud controller): a Node.js process less. With several it stays a
      // process of its own, since its load balancers hold the pool's addresses and run once.
      const pool = network && !disabled.includes('cloud-controller-manager') ? subnetAt(mustParseCIDR(network.cidr, 'cluster CIDR'), 24, 255) : undefined;
      const cloudArgs = pool && network ? ['--lb-cidr', pool.text, '--lb-interface', network.bridge] : [];
      const cloudInCM = pool !== undefined && size.controllerManagers === 1;
      const cmArgs = [
        'controller-manager',
        ...timings['controller-manager'],
        ...(network ? ['--allocate-node-cidrs', 'true', '--cluster-cidr', network.cidr] : []),
        ...(cloudInCM ? ['--cloud-provider', 'kubesim', ...cloudArgs] : []),
      ];
      if (cloudInCM) say(`• the controller-manager runs the emulated cloud too (cloud-controller-manager: LoadBalancer addresses from ${pool.text})`);
      const cms = Array.from({ length: size.controllerManagers }, (_, i) => component('controller-manager', cmArgs, logName('controller-manager', i, size.controllerManagers)));
      // The cluster DNS listens on the host's address on the pod network (docker0's without
      // one), which pods reach; hollow nodes run no containers, so a fake-runtime cluster has none.
      const bridgeIP = opts.runtime === 'docker' ? (network?.gateway ?? dockerBridgeIPv4()) : undefined;
      let dnsIP = disabled.includes('dns') ? undefined : bridgeIP;
      // resolv.conf cannot name a port: a second cluster on this host finds 53 taken by the
      // first one's DNS, and runs without one rather than not at all.
      if (dnsIP && !(await udpPortFree(dnsIP, 53))) {
        say(`  port 53 on ${dnsIP} is taken (another cluster's DNS?): this cluster runs without cluster DNS`);
        dnsIP = undefined;
      }
      let dns: ProcessRecord | undefined;
      if (dnsIP) {
        say(`• starting cluster DNS on ${dnsIP}:53 ...`);
        dns = component('dns', ['dns', '--listen', `${dnsIP}:53`]);
      } else if (opts.runtime === 'docker' && !bridgeIP && !disabled.includes('dns')) {
        say('  no docker0 interface: pods keep Docker resolver (no cluster DNS)');
      }
      // With the pod network (and so kube-proxy), pods resolve through the kube-dns
      // Service's ClusterIP, as in Kubernetes; without it, at the DNS process's own address.
      const resolver = dns && dnsIP ? (network ? KUBE_DNS_IP : dnsIP) : undefined;
      const nodeDns = resolver ? ['--cluster-dns', resolver] : [];
      const names = nodeNames(name, opts.nodes);
      say(`• starting ${names.length} node agent(s) (${opts.runtime} runtime): ${names.join(', ')} ...`);
      const netArgs = network ? ['--network-mode', 'shared-host', '--docker-network', network.name, '--cluster-cidr', network.cidr] : [];
      const nodes = names.map((n) => component(n, ['node', '--name', n, '--runtime', opts.runtime, ...timings.node, ...netArgs, ...nodeDns, ...(opts.nodeArgs ?? [])]));
      // The ingress controller serves HTTP on the host's address on the network.
      let ingress: { rec: ProcessRecord; url: string } | undefined;
      if (network) {
        if (pool && !cloudInCM) {
          say(`• starting cloud-controller-manager (LoadBalancer addresses from ${pool.text}) ...`);
          component('cloud-controller-manager', ['cloud-controller-manager', ...cloudArgs]);
        }
        if (!disabled.includes('ingress-controller')) {
          const port = (await portFree(80, network.gateway)) ? 80 : await freePort();
          const listen = `${network.gateway}:${port}`;
          say(`• starting ingress-controller on ${listen} ...`);
          ingress = { rec: component('ingress-controller', ['ingress-controller', '--listen', listen, '--publish-address', network.gateway]), url: `http://${listen}/` };
        }
      }
      // A leader's Lease is the sign a scheduler or controller-manager is up and acting: one
      // of this run's processes must hold it (a Lease left by a previous run does not count).
      for (const [recs, lease] of [[scheds, 'kube-scheduler'], [cms, 'kube-controller-manager']] as const) {
        const what = recs[0].component;
        if (recs.length > 1) say(`  waiting for one of ${recs.length} ${what}s to take the Lease kube-system/${lease} ...`);
        const leader = await waitFor(
          `${what} to lead (Lease kube-system/${lease})`,
          async () => {
            if (!recs.some((r) => isAlive(r.pid))) throw new GiveUp(`${what} exited; see ${recs.map((r) => r.log).join(', ')}`);
            const l = await client.get('leases', 'kube-system', lease);
            const pid = pidOfIdentity(l.spec?.holderIdentity ?? '');
            return recs.find((r) => r.pid === pid && isAlive(r.pid));
          },
          { timeoutMs: opts.timeoutMs, intervalMs: 100 },
        );
        if (recs.length === 1) say(`  ${what} ready (pid ${leader.pid})`);
        else {
          const dead = recs.filter((r) => !isAlive(r.pid));
          if (dead.length) throw new Error(`${what} pid ${dead.map((r) => r.pid).join(', ')} exited; see ${dead.map((r) => r.log).join(', ')}`);
          say(`  ${what}-${recs.indexOf(leader) + 1} leads (pid ${leader.pid}); standing by: ${recs.filter((r) => r !== leader).map((r) => `${what}-${recs.indexOf(r) + 1} (pid ${r.pid})`).join(', ')}`);
        }
      }
      if (dns && dnsIP) {
        const { probeDns } = await import('@kubesim/dns');
        const rec = dns;
        await waitFor(
          'cluster DNS to answer',
          async () => {
            if (!isAlive(rec.pid)) throw new GiveUp(`dns exited (is port 53 on ${dnsIP} taken?); see ${rec.log}`);
            return (await probeDns(dnsIP, 53, 'cluster.local', 300)) ? true : undefined;
          },
          { timeoutMs: opts.timeoutMs, intervalMs: 100 },
        );
        if (network) await ensureKubeDnsService(client, dnsIP);
        say(`  dns ready (pid ${rec.pid})${network ? `, Service kube-system/kube-dns ${KUBE_DNS_IP}` : ''}`);
      }
      let shown = -1;
      await waitFor(
        `nodes Ready`,
        async () => {
          for (const n of nodes) if (!isAlive(n.pid)) throw new GiveUp(`node agent ${n.component} exited; see ${n.log}`);
          const list = await client.list('nodes');
          const ready = list.items.filter((n) => names.includes(n.metadata?.name ?? '') && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
          if (ready !== shown) say(`  nodes Ready: ${ready}/${names.length}`);
          shown = ready;
          return ready === names.length ? true : undefined;
        },
        { timeoutMs: opts.timeoutMs, intervalMs: 100 },
      );
      if (ingress) {
        const { rec, url } = ingress;
        // It listens only once its caches synced: any HTTP answer (404 for no Ingress) means ready.
        await waitFor(
          `ingress controller at ${url}`,
          async () => {
            if (!isAlive(rec.pid)) throw new GiveUp(`ingress-controller exited; see ${rec.log}`);
            await fetch(url, { signal: AbortSignal.timeout(1000) });
            return true;
          },
          { timeoutMs: opts.timeoutMs, intervalMs: 100 },
        );
        say(`  ingress-controller ready at ${url} (pid ${rec.pid})`);
        ingressURL = url;
      }
    } finally {
      client.close();
    }

    const state: ClusterState = {
      name,
      createdAt: prev?.createdAt ?? new Date().toISOString(),
      apiserver: api.endpoint,
      apiservers,
      etcdEndpoints,
      ownsEtcd,
      ...(etcdContainer ? { etcdContainer } : {}),
      ...(network ? { network } : {}),
      ...(ingressURL ? { ingressURL } : {}),
      ...(disabled.length ? { disabled } : {}),
      processes,
    };
    await writeState(state);
    // The CLI gets every apiserver too, so its verbs fail over.
    await setContext(name, { servers: apiservers });
    return state;
  } catch (err) {
    // Leave nothing half-started behind: stop what this run started, keep the logs.
    say(`• start failed; stopping what was started (logs kept in ${logs})`);
    for (const p of [...processes].reverse()) if (isAlive(p.pid)) process.kill(p.pid, 'SIGTERM');
    if (madeNetwork) await removeClusterNetwork(name).catch(() => undefined);
    // A cluster that never came up has no data to keep: etcd directories left behind would
    // hold a member list with this run's ports, and the next `up` could not form a cluster.
    if (!prev) await removeEtcdDataDirs(dir, processes);
    throw err;
  }
}


/**
 * The etcd members of an HA cluster, started together (a lone member of a multi-member
 * cluster never becomes healthy): fresh ones in <cluster dir>/etcd-N, or, resuming, the
 * recorded ones with their flags and data.
 */
async function startEtcdMembers(cluster: string, dir: string, logs: string, n: number, prev: ClusterState | undefined, opts: UpOptions): Promise<ProcessRecord[]> {
  const binary = findEtcdBinary();
  if (!binary || opts.etcd === 'container') throw new Error(`an etcd cluster of ${n} members runs from the local etcd binary${binary ? '' : ' (none found: apt-get install etcd-server)'}; use --etcd-members 1, or --etcd-endpoints for an external cluster`);
  const recorded = prev?.processes.filter((p) => p.component === 'etcd' && p.args.length) ?? [];
  let memberArgs: string[][];
  if (recorded.length) {
    memberArgs = recorded.map((p) => p.args);
  } else {
    const ports = new Set<number>();
    while (ports.size < 2 * n) ports.add(await freePort());
    const [...p] = ports;
    const specs = Array.from({ length: n }, (_, i) => ({ name: `etcd-${i + 1}`, clientPort: p[2 * i], peerPort: p[2 * i + 1], dataDir: join(dir, `etcd-${i + 1}`) }));
    // A token of this cluster's own: members of another cluster on this host never join it.
    memberArgs = etcdMemberArgs(specs, `kubesim-${cluster}-${Date.now().toString(36)}`);
  }
  const logFiles = memberArgs.map((_, i) => join(logs, `etcd-${i + 1}.log`));
  const endpoints = memberArgs.map((a) => a.find((x) => x.startsWith('--advertise-client-urls='))!.split('=')[1]);
  opts.say(`• starting an etcd cluster of ${n} members (${binary}): ${endpoints.map((e, i) => `etcd-${i + 1} ${e}`).join(', ')}; waiting until each is healthy (a member needs a quorum and a leader) ...`);
  const members = await startEtcdCluster({ memberArgs, binary, detached: true, logFiles, timeoutMs: opts.timeoutMs });
  const leader = await etcdLeaderEndpoint(endpoints);
  opts.say(`  etcd ready: ${members.map((m, i) => `etcd-${i + 1} pid ${m.pid}${m.endpoint === leader ? ' (leader)' : ''}`).join(', ')}`);
  return members.map((m, i) => ({ component: 'etcd', pid: m.pid, log: logFiles[i], endpoint: m.endpoint, args: m.args, binary: m.binary }));
}

/** Removes the etcd data directories of a cluster whose first start failed (after its etcd processes exited). */
async function removeEtcdDataDirs(dir: string, started: ProcessRecord[]): Promise<void> {
  for (const p of started.filter((x) => x.component === 'etcd')) {
    for (let i = 0; i < 50 && isAlive(p.pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => /^etcd(-[0-9]+)?$/.test(e)).map((e) => rm(join(dir, e), { recursive: true, force: true })));
}

/** Node names: node-1..N for the default cluster, <cluster>-node-1..N for others (one Docker engine may hold several). */
export function nodeNames(cluster: string, n: number): string[] {
  const prefix = cluster === 'kubesim' ? 'node' : `${cluster}-node`;
  return Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
}

/**
 * etcd in a container (testcontainers), for machines without an etcd binary. A resumed
 * cluster starts its stopped container again: etcd's data lives in it.
 */
async function etcdInContainer(cluster: string, prev: EtcdContainer | undefined, opts: UpOptions, say: (line: string) => void): Promise<EtcdContainer> {
  if (prev) {
    say(`• starting etcd container ${prev.name} again ...`);
    await promisify(execFile)('docker', ['start', prev.id]);
    await waitFor(`etcd container at ${prev.endpoint}`, async () => (((await (await fetch(`${prev.endpoint}/health`)).json()) as { health?: string }).health === 'true' ? true : undefined), {
      timeoutMs: opts.timeoutMs,
    });
    say(`  etcd ready (container ${prev.id.slice(0, 12)})`);
    return prev;
  }
  const image = opts.etcdImage ?? DEFAULT_ETCD_IMAGE;
  const name = `kubesim-${cluster}-etcd`;
  say(`• no etcd binary here: starting etcd in a container (${image}, testcontainers) ...`);
  const c = await startEtcdContainer({ image, name, timeoutMs: opts.timeoutMs });
  say(`  etcd ready (container ${c.containerId.slice(0, 12)}, ${c.endpoint})`);
  return { id: c.containerId, name, endpoint: c.endpoint, image };
}

/** Whether a UDP port can be bound on `host` (bound and released at once). */
async function udpPortFree(host: string, port: number): Promise<boolean> {
  const { createSocket } = await import('node:dgram');
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

/** The kube-dns Service's ClusterIP (the tenth address of the service range, as kubeadm picks). */
const KUBE_DNS_IP = '10.96.0.10';

/**
 * The kube-dns Service in kube-system, selector-less, with hand-written Endpoints at the
 * DNS process's address: kube-proxy sends what pods ask of 10.96.0.10:53 there.
 */
async function ensureKubeDnsService(client: Client, dnsIP: string): Promise<void> {
  const ports = [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  ];
  const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' };
  try {
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels }, spec: { clusterIP: KUBE_DNS_IP, ports: ports.map((p) => ({ ...p, targetPort: p.port })) } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const endpoints: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kube-dns', namespace: 'kube-system', labels }, subsets: [{ addresses: [{ ip: dnsIP }], ports }] };
  try {
    await client.create(endpoints);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const cur = await client.get('endpoints', 'kube-system', 'kube-dns');
    await client.update({ ...endpoints, metadata: { ...endpoints.metadata, resourceVersion: cur.metadata?.resourceVersion } });
  }
}
