// Facts about this host that several components need.
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/**
 * The IPv4 address of docker0 (pods' gateway on Docker's default bridge), or undefined
 * when there is none. Read with `ip`: Node's networkInterfaces() omits docker0 while no
 * container is attached (its link is down), which is exactly when a cluster starts.
 */
export function dockerBridgeIPv4(): string | undefined {
  try {
    const out = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'docker0'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const ip = /inet (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
    if (ip) return ip;
  } catch {
    // no docker0 or no iproute2: Node's view below
  }
  return networkInterfaces()['docker0']?.find((a) => a.family === 'IPv4')?.address;
}
