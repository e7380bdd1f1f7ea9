// The cluster's pod network in shared-host mode: one Docker bridge network per cluster,
// `kubesim-<cluster>`, whose subnet is the cluster CIDR. Several clusters on one host each
// take the first free /16 of 10.244-10.254.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface ClusterNetwork {
  /** Docker network name. */
  name: string;
  /** Its subnet: the cluster CIDR, split into node pod CIDRs. */
  cidr: string;
  /** The host's address on it (pods reach the host and the cluster DNS there). */
  gateway: string;
  /** The Linux bridge device. */
  bridge: string;
}

/** Linux interface names are at most 15 characters. */
export function bridgeName(cluster: string): string {
  const plain = `ks-${cluster}`;
  return plain.length <= 15 ? plain : `ks-${createHash('sha256').update(cluster).digest('hex').slice(0, 12)}`;
}

export function clusterNetworkName(cluster: string): string {
  return `kubesim-${cluster}`;
}

/** Candidate cluster CIDRs, in order. */
export function candidateCIDRs(): string[] {
  return Array.from({ length: 11 }, (_, i) => `10.${244 + i}.0.0/16`);
}

async function inspect(name: string): Promise<ClusterNetwork | undefined> {
  try {
    const { stdout } = await exec('docker', ['network', 'inspect', name]);
    const [info] = JSON.parse(stdout) as Array<{ Options?: Record<string, string>; IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> } }>;
    const cfg = info?.IPAM?.Config?.[0];
    if (!cfg?.Subnet || !cfg.Gateway) return undefined;
    return { name, cidr: cfg.Subnet, gateway: cfg.Gateway, bridge: info?.Options?.['com.docker.network.bridge.name'] ?? '' };
  } catch {
    return undefined;
  }
}

/** Creates the cluster's network, or returns it when it exists (a resumed cluster). */
export async function ensureClusterNetwork(cluster: string, cidrs: string[] = candidateCIDRs()): Promise<ClusterNetwork> {
  const name = clusterNetworkName(cluster);
  const existing = await inspect(name);
  if (existing) return existing;
  const bridge = bridgeName(cluster);
  const errors: string[] = [];
  for (const cidr of cidrs) {
    const gateway = cidr.replace(/\.0\/\d+$/, '.1');
    try {
      await exec('docker', [
        'network', 'create', '--driver', 'bridge', '--subnet', cidr, '--gateway', gateway,
        '-o', `com.docker.network.bridge.name=${bridge}`, '--label', `kubesim.cluster=${cluster}`, name,
      ]);
      return { name, cidr, gateway, bridge };
    } catch (err) {
      const msg = String((err as { stderr?: string }).stderr ?? (err as Error).message);
      // Another network (another cluster, or anything else) holds this range: try the next.
      if (/overlap|in use/i.test(msg)) {
        errors.push(`${cidr}: ${msg.trim()}`);
        continue;
      }
      // A concurrent `up` of the same cluster made it first.
      const again = await inspect(name);
      if (again) return again;
      throw new Error(`could not create Docker network ${name}: ${msg.trim()}`);
    }
  }
  throw new Error(`no free cluster CIDR for Docker network ${name}: ${errors.join('; ')}`);
}

/** Removes the cluster's network (its containers must be gone). Missing is fine. */
export async function removeClusterNetwork(cluster: string): Promise<boolean> {
  try {
    await exec('docker', ['network', 'rm', clusterNetworkName(cluster)]);
    return true;
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr ?? (err as Error).message);
    if (/not found|No such network/i.test(msg) || (err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`could not remove Docker network ${clusterNetworkName(cluster)}: ${msg.trim()}`);
  }
}
