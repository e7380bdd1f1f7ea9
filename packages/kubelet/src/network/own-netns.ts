// The node's network in own-netns mode (docker-compose): the node is a container with its
// own network namespace and its own Docker engine. Its address is the container's address
// on the compose network; its pods sit on a bridge network of the nested engine whose
// subnet is the node's pod CIDR (gateway: the CIDR's first address), and reach other
// nodes' pods through the routes of pod-route-controller.ts.
import type { DockerEngine } from '../runtime/docker-engine.js';
import { addressAt, mustParseCIDR, type CIDR } from '@kubesim/api';
import { hostRunner, type CommandRunner } from '@kubesim/kube-proxy';

/** The nested engine's network the pods join, and its Linux bridge. */
export const POD_NETWORK = 'kubesim-pods';
export const POD_BRIDGE = 'kubesim0';

async function must(runner: CommandRunner, cmd: string, args: string[]): Promise<string> {
  const r = await runner(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** The IPv4 address of the interface holding the default route: the node's InternalIP. */
export async function defaultRouteAddress(runner: CommandRunner = hostRunner): Promise<string> {
  const routes = JSON.parse((await must(runner, 'ip', ['-j', '-4', 'route', 'show', 'default'])) || '[]') as Array<{ dev?: string }>;
  const dev = routes.find((r) => r.dev)?.dev;
  if (!dev) throw new Error('no default route: cannot tell the node address (set --node-ip)');
  const links = JSON.parse((await must(runner, 'ip', ['-j', '-4', 'addr', 'show', 'dev', dev])) || '[]') as Array<{ addr_info?: Array<{ local?: string }> }>;
  const addr = links.flatMap((l) => l.addr_info ?? []).find((a) => a.local)?.local;
  if (!addr) throw new Error(`no IPv4 address on ${dev}: cannot tell the node address (set --node-ip)`);
  return addr;
}

/**
 * Makes the pod network of the nested engine match the pod CIDR (idempotent: a network
 * with another subnet, left from an earlier CIDR, is replaced). No masquerade by Docker:
 * pod-to-pod traffic keeps its source address across nodes.
 */
export async function ensurePodNetwork(docker: DockerEngine, podCIDR: string): Promise<{ cidr: CIDR; gateway: string }> {
  const cidr = mustParseCIDR(podCIDR, 'spec.podCIDR');
  const gateway = addressAt(cidr, 1);
  try {
    const info = await docker.inspectNetwork(POD_NETWORK);
    if (info.IPAM?.Config?.some((c) => c.Subnet === cidr.text)) return { cidr, gateway };
    await docker.removeNetwork(POD_NETWORK);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  await docker.createNetwork({
    Name: POD_NETWORK,
    Driver: 'bridge',
    CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: cidr.text, Gateway: gateway }] },
    Options: { 'com.docker.network.bridge.name': POD_BRIDGE, 'com.docker.network.bridge.enable_ip_masquerade': 'false' },
    Labels: { 'kubesim.io/pod-network': 'true' },
  });
  return { cidr, gateway };
}

/**
 * Pods reach what lies outside the cluster CIDR (the compose network: apiserver, the
 * host) with the node's address, as on a cloud VM; inside the cluster CIDR they keep theirs.
 */
export async function ensureEgressMasquerade(podCIDR: string, clusterCIDR: string, runner: CommandRunner = hostRunner): Promise<void> {
  const rule = ['POSTROUTING', '-s', podCIDR, '!', '-d', clusterCIDR, '-m', 'comment', '--comment', 'kubesim pod egress', '-j', 'MASQUERADE'];
  const check = await runner('iptables', ['-w', '-t', 'nat', '-C', ...rule]);
  if (check.code === 0) return;
  await must(runner, 'iptables', ['-w', '-t', 'nat', '-A', ...rule]);
}
