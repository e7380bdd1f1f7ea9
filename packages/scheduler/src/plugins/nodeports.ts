// NodePorts: a host port can be taken once per (protocol, port) and address; 0.0.0.0
// takes the port on every address, so it conflicts with any use of the port.
import type { NodeInfo } from '../nodeinfo.js';
import { portKey } from '../nodeinfo.js';
import type { HostPort } from '../podinfo.js';
import type { FilterPlugin } from './types.js';

export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REASONS = [ERR_NODE_PORTS];
const ANY = '0.0.0.0';

export function portConflicts(hp: HostPort, node: NodeInfo): boolean {
  const ips = node.usedPorts.get(portKey(hp));
  if (!ips || ips.size === 0) return false;
  if (hp.ip === ANY) return true;
  return ips.has(ANY) || ips.has(hp.ip);
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter(pod, node) {
    for (const hp of pod.hostPorts) if (portConflicts(hp, node)) return REASONS;
    return undefined;
  },
};
