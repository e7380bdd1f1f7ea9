// What a node agent knows of its host: kernel, OS image, addresses, ids. Read once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { networkInterfaces, release } from 'node:os';
import { dockerBridgeIPv4 } from '@kubesim/launcher';
import { goArch } from './status.js';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? 'Linux';
}

/** The IPv4 address of docker0 (pods' gateway on Docker's bridge), else loopback. */
export function dockerBridgeIP(): string {
  return dockerBridgeIPv4() ?? '127.0.0.1';
}

/** Where to listen so that `ip` reaches us: ip itself when it is this host's, else every address. */
export function bindAddressFor(ip: string): string {
  const local = ip === dockerBridgeIP() || Object.values(networkInterfaces()).some((addrs) => (addrs ?? []).some((a) => a.address === ip));
  return local ? ip : '0.0.0.0';
}

/** Ids that differ per node even when many nodes share one host. */
export function nodeIds(nodeName: string): { machineID: string; bootID: string } {
  const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);
  const machine = readOr('/etc/machine-id', 'kubesim').trim();
  const boot = readOr('/proc/sys/kernel/random/boot_id', '').trim();
  const b = hash(`${boot}/${nodeName}`);
  return { machineID: hash(`${machine}/${nodeName}`), bootID: `${b.slice(0, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}-${b.slice(16, 20)}-${b.slice(20, 32)}` };
}

export function hostFacts(): { kernelVersion: string; osImage: string; architecture: string } {
  return { kernelVersion: release(), osImage: osImage(), architecture: goArch(process.arch) };
}
