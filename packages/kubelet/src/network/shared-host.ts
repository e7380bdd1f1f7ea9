// The node's network in shared-host mode (`kubesim up`): every node agent is a process on
// the host, all share the host's network namespace and one Docker bridge network per
// cluster. A node's address is the first of its pod CIDR, added as a /32 to that bridge,
// so the host and every pod reach it; pods get the rest of the pod CIDR (pod-ips.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DockerEngine } from '../runtime/docker-engine.js';
import { addressAt, cidrContains, mustParseCIDR, type CIDR } from '@kubesim/api';

const exec = promisify(execFile);

export interface SharedHostNetwork {
  podCIDR: CIDR;
  /** The node's InternalIP. */
  nodeAddress: string;
  /** The Linux bridge of the cluster network. */
  bridge: string;
}

/** The bridge device behind a Docker bridge network, and the subnets it carries. */
export async function dockerNetworkBridge(docker: DockerEngine, network: string): Promise<{ bridge: string; subnets: string[] }> {
  const info = await docker.inspectNetwork(network);
  if (info.Driver !== 'bridge') throw new Error(`Docker network "${network}" uses driver ${info.Driver}; shared-host networking needs a bridge network`);
  const bridge = info.Options?.['com.docker.network.bridge.name'] ?? (network === 'bridge' ? 'docker0' : `br-${info.Id.slice(0, 12)}`);
  return { bridge, subnets: (info.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter(Boolean) };
}

/** Adds the node's address to the cluster bridge (idempotent). Needs root. */
export async function setupSharedHostNetwork(docker: DockerEngine, network: string, podCIDR: string): Promise<SharedHostNetwork> {
  const cidr = mustParseCIDR(podCIDR, 'spec.podCIDR');
  const { bridge, subnets } = await dockerNetworkBridge(docker, network);
  const nodeAddress = addressAt(cidr, 1);
  if (!subnets.some((s) => cidrContains(mustParseCIDR(s, 'subnet'), nodeAddress))) {
    throw new Error(`the node's pod CIDR ${cidr.text} is outside Docker network "${network}" (subnets ${subnets.join(', ') || 'none'}): --cluster-cidr of the controller-manager and the network must agree`);
  }
  try {
    await exec('ip', ['addr', 'replace', `${nodeAddress}/32`, 'dev', bridge]);
  } catch (err) {
    throw new Error(`could not add the node address ${nodeAddress} to bridge ${bridge} (root needed): ${(err as Error).message.trim()}`);
  }
  return { podCIDR: cidr, nodeAddress, bridge };
}
