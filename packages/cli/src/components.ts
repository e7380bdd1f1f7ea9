// `kubesim scheduler`, `kubesim controller-manager`, `kubesim node`: each runs one
// component in this process until SIGTERM/SIGINT. They find the apiserver as every verb
// does (--server, $KUBESIM_SERVER, the current context).
import { Command, Option } from 'commander';
import { configPath, readConfig, resolveServer } from './config.js';
import {
  CONTROLLER_MANAGER_FLAGS,
  DNS_FLAGS,
  CLOUD_CONTROLLER_MANAGER_FLAGS,
  HOLLOW_NODES_FLAGS,
  INGRESS_CONTROLLER_FLAGS,
  LEADER_ELECTION_FLAGS,
  NODE_FLAGS,
  POD_ROUTES_FLAGS,
  SCHEDULER_FLAGS,
  boolFlag,
  intFlag,
  numberFlag,
  type FlagSpec,
  type FlagValues,
} from './flags.js';

export function addFlags(cmd: Command, flags: Record<string, FlagSpec>): Command {
  for (const spec of Object.values(flags)) {
    const opt = new Option(spec.flag, spec.description);
    cmd.addOption(spec.default === undefined ? opt : opt.default(spec.default));
  }
  return cmd;
}

async function servers(cmd: Command): Promise<string[]> {
  const flag = (cmd.optsWithGlobals() as { server?: string }).server;
  const env = process.env.KUBESIM_SERVER;
  const config = flag || env ? undefined : await readConfig(configPath());
  return resolveServer({ flag, env, config }).servers;
}

/** Runs a component until a signal, then stops it and exits. */
async function run(name: string, start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let running: { stop(): Promise<void> };
  try {
    running = await start();
  } catch (err) {
    process.stderr.write(`error: ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function leaderElection(o: FlagValues<typeof LEADER_ELECTION_FLAGS>) {
  return {
    leaderElect: boolFlag('--leader-elect', o.leaderElect),
    leaseDurationSeconds: numberFlag('--leader-elect-lease-duration', o.leaderElectLeaseDuration),
    renewDeadlineSeconds: numberFlag('--leader-elect-renew-deadline', o.leaderElectRenewDeadline),
    retryPeriodSeconds: numberFlag('--leader-elect-retry-period', o.leaderElectRetryPeriod),
  };
}

function parseLabels(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`invalid value "${pair}" for --node-labels: must be key=value`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** The flags a real node agent and a hollow one share, as agent options. */
function nodeBasics(o: Omit<FlagValues<typeof HOLLOW_NODES_FLAGS>, 'count' | 'prefix'>) {
  return {
    cpu: o.cpu,
    memory: o.memory,
    pods: o.pods,
    labels: parseLabels(o.labels),
    fakeStartDelayMs: intFlag('--fake-start-delay', o.fakeStartDelay),
    nodeStatusUpdateSeconds: numberFlag('--node-status-update-frequency', o.nodeStatusUpdateFrequency),
    nodeLeaseDurationSeconds: numberFlag('--node-lease-duration', o.nodeLeaseDuration),
  };
}

async function startCloud(servers: string[], o: FlagValues<typeof CLOUD_CONTROLLER_MANAGER_FLAGS>): Promise<{ stop(): Promise<void> }> {
  const { startCloudControllerManager } = await import('@kubesim/cloud-controller');
  return startCloudControllerManager({
    servers,
    lbCidr: o.lbCidr,
    ...(o.lbInterface ? { lbInterface: o.lbInterface } : {}),
    concurrentServiceSyncs: intFlag('--concurrent-service-syncs', o.concurrentServiceSyncs),
  });
}

export function registerComponents(program: Command): void {
  addFlags(program.command('scheduler').description('run the scheduler'), SCHEDULER_FLAGS).action(async (o: FlagValues<typeof SCHEDULER_FLAGS>, cmd: Command) => {
    const s = await servers(cmd);
    await run('scheduler', async () => {
      const { startScheduler } = await import('@kubesim/scheduler');
      return startScheduler({ servers: s, schedulerName: o.schedulerName, maxInFlightBinds: intFlag('--max-inflight-binds', o.maxInflightBinds), ...leaderElection(o) });
    });
  });

  addFlags(program.command('controller-manager').description('run the controllers (deployment, replicaset, endpoint, nodeipam, nodelifecycle, taint-eviction-controller, podgc, garbagecollector)'), CONTROLLER_MANAGER_FLAGS).action(
    async (o: FlagValues<typeof CONTROLLER_MANAGER_FLAGS>, cmd: Command) => {
      const s = await servers(cmd);
      await run('controller-manager', async () => {
        if (o.cloudProvider !== undefined && o.cloudProvider !== 'kubesim') throw new Error(`invalid value "${o.cloudProvider}" for --cloud-provider: must be kubesim`);
        const { startControllerManager } = await import('@kubesim/controller-manager');
        const cm = await startControllerManager({
          servers: s,
          controllers: o.controllers.split(',').filter(Boolean),
          concurrentSyncs: intFlag('--concurrent-syncs', o.concurrentSyncs),
          allocateNodeCIDRs: boolFlag('--allocate-node-cidrs', o.allocateNodeCidrs),
          clusterCIDR: o.clusterCidr,
          nodeCIDRMaskSize: intFlag('--node-cidr-mask-size', o.nodeCidrMaskSize),
          nodeMonitorPeriodSeconds: numberFlag('--node-monitor-period', o.nodeMonitorPeriod),
          nodeMonitorGracePeriodSeconds: numberFlag('--node-monitor-grace-period', o.nodeMonitorGracePeriod),
          nodeStartupGracePeriodSeconds: numberFlag('--node-startup-grace-period', o.nodeStartupGracePeriod),
          terminatedPodGCThreshold: intFlag('--terminated-pod-gc-threshold', o.terminatedPodGcThreshold),
          ...leaderElection(o),
        });
        if (o.cloudProvider !== 'kubesim') return cm;
        // The emulated cloud in this process, as an in-tree cloud provider ran in
        // kube-controller-manager (and k3s embeds its cloud controller): one Node.js
        // process less. It keeps its own client, caches and logger name.
        let cloud: { stop(): Promise<void> };
        try {
          cloud = await startCloud(s, o);
        } catch (err) {
          await cm.stop();
          throw err;
        }
        return {
          async stop() {
            await Promise.all([cloud.stop(), cm.stop()]);
          },
        };
      });
    },
  );

  addFlags(program.command('node').description('run a node agent (kubelet and kube-proxy)'), NODE_FLAGS).action(async (o: FlagValues<typeof NODE_FLAGS>, cmd: Command) => {
    const s = await servers(cmd);
    await run('node', async () => {
      if (!o.name) throw new Error('--name is required');
      if (o.runtime !== 'docker' && o.runtime !== 'fake') throw new Error(`invalid value "${o.runtime}" for --runtime: must be docker or fake`);
      if (o.networkMode !== 'docker' && o.networkMode !== 'shared-host' && o.networkMode !== 'own-netns') throw new Error(`invalid value "${o.networkMode}" for --network-mode: must be docker, shared-host or own-netns`);
      const { startNodeAgent } = await import('@kubesim/kubelet');
      return startNodeAgent({
        servers: s,
        nodeName: o.name,
        runtime: o.runtime,
        ...nodeBasics(o),
        dockerSocket: o.dockerSocket,
        dockerNetwork: o.dockerNetwork,
        networkMode: o.networkMode,
        ...(o.clusterCidr ? { clusterCIDR: o.clusterCidr } : {}),
        kubeletPort: intFlag('--kubelet-port', o.kubeletPort),
        ...(o.nodeIP ? { nodeIP: o.nodeIP } : {}),
        ...(o.clusterDns ? { clusterDNS: o.clusterDns } : {}),
        clusterDomain: o.clusterDomain,
      });
    });
  });

  addFlags(program.command('dns').description('run the cluster DNS (Services and Endpoints as <svc>.<ns>.svc.<domain>)'), DNS_FLAGS).action(async (o: FlagValues<typeof DNS_FLAGS>, cmd: Command) => {
    const s = await servers(cmd);
    await run('dns', async () => {
      const i = o.listen.lastIndexOf(':');
      const port = intFlag('--listen', i > 0 ? o.listen.slice(i + 1) : undefined);
      if (i <= 0 || port === undefined || port > 65535) throw new Error(`invalid value "${o.listen}" for --listen: must be host:port`);
      const { startDns } = await import('@kubesim/dns');
      return startDns({ servers: s, host: o.listen.slice(0, i).replace(/^\[|\]$/g, ''), port, clusterDomain: o.clusterDomain });
    });
  });

  addFlags(program.command('cloud-controller-manager').description('run the emulated cloud: LoadBalancer Service addresses and the load balancers themselves'), CLOUD_CONTROLLER_MANAGER_FLAGS).action(
    async (o: FlagValues<typeof CLOUD_CONTROLLER_MANAGER_FLAGS>, cmd: Command) => {
      const s = await servers(cmd);
      await run('cloud-controller-manager', () => startCloud(s, o));
    },
  );

  addFlags(program.command('ingress-controller').description('run the ingress controller: an HTTP proxy routing by Ingress host and path to Service endpoints'), INGRESS_CONTROLLER_FLAGS).action(
    async (o: FlagValues<typeof INGRESS_CONTROLLER_FLAGS>, cmd: Command) => {
      const s = await servers(cmd);
      await run('ingress-controller', async () => {
        const { startIngressController, parseListen } = await import('@kubesim/ingress');
        return startIngressController({
          servers: s,
          listen: parseListen(o.listen),
          ingressClass: o.ingressClass,
          watchWithoutClass: boolFlag('--watch-ingress-without-class', o.watchIngressWithoutClass),
          ...(o.publishAddress ? { publishAddresses: o.publishAddress.split(',').filter(Boolean) } : {}),
          updateStatus: boolFlag('--update-status', o.updateStatus),
        });
      });
    },
  );

  addFlags(program.command('pod-routes').description("route every node's pod CIDR via its address from this host (docker-compose: the host reaches pods)"), POD_ROUTES_FLAGS).action(
    async (o: FlagValues<typeof POD_ROUTES_FLAGS>, cmd: Command) => {
      const s = await servers(cmd);
      await run('pod-routes', async () => {
        if (!o.interface) throw new Error('--interface is required');
        const { startHostPodRoutes } = await import('@kubesim/kubelet');
        return startHostPodRoutes({ servers: s, device: o.interface, ...(o.clusterCidr ? { clusterCIDR: o.clusterCidr } : {}) });
      });
    },
  );

  addFlags(program.command('hollow-nodes').description('run many hollow nodes (fake runtime) in this one process, for control-plane scale tests'), HOLLOW_NODES_FLAGS).action(
    async (o: FlagValues<typeof HOLLOW_NODES_FLAGS>, cmd: Command) => {
      const s = await servers(cmd);
      await run('hollow-nodes', async () => {
        const count = intFlag('--count', o.count) ?? 0;
        const { startHollowNodes } = await import('@kubesim/kubelet');
        return startHollowNodes({
          servers: s,
          count,
          prefix: o.prefix,
          ...nodeBasics(o),
        });
      });
    },
  );
}
