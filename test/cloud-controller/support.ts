// Helpers of the cloud-controller end-to-end tests: the built `kubesim cloud-controller-manager`
// as a child process, stand-ins for the NodePorts and healthCheckNodePorts kube-proxy
// would serve (plain servers on the fake nodes' loopback addresses), and a client that
// says which node served a connection.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Node } from '@kubesim/api';
import { waitFor, type Client } from '@kubesim/client';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
export const FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

export interface CcmProcess {
  proc: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `kubesim <command>` (the cloud-controller-manager unless told) against `server`. */
export function startCcm(server: string, args: string[], command = 'cloud-controller-manager'): CcmProcess {
  let out = '';
  const proc = spawn(process.execPath, [CLI, command, '--server', server, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'debug' },
  });
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-30_000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    proc,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      await exited;
    },
  };
}

/** Servers the test started, closed by closeAll. */
export const servers: Array<net.Server | http.Server> = [];

/** Source addresses of the connections the NodePort stand-ins took. */
export const sources = new Set<string>();

/** A NodePort stand-in: answers each connection with the node's name. */
export async function nodePortServer(ip: string, port: number, name: string): Promise<net.Server> {
  const s = net.createServer((c) => {
    sources.add(c.remoteAddress ?? '');
    c.end(name);
  });
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, ip, () => resolve()));
  servers.push(s);
  return s;
}

/** A healthCheckNodePort stand-in whose answer the test switches. */
export async function healthServer(ip: string, port: number, healthy: { ok: boolean }): Promise<http.Server> {
  const s = http.createServer((_req, res) => {
    res.writeHead(healthy.ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ localEndpoints: healthy.ok ? 1 : 0 }));
  });
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, ip, () => resolve()));
  servers.push(s);
  return s;
}

export function closeServer(s: net.Server | http.Server): Promise<void> {
  if ('closeAllConnections' in s) s.closeAllConnections();
  const i = servers.indexOf(s);
  if (i >= 0) servers.splice(i, 1);
  return new Promise((r) => s.close(() => r()));
}

export async function closeAll(): Promise<void> {
  await Promise.all([...servers].map(closeServer));
}

/** One connection through the balancer: the name of the node that served it. */
export function connectOnce(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const c = net.connect({ host: ip, port });
    c.setTimeout(5000, () => c.destroy(new Error(`no answer from ${ip}:${port}`)));
    c.on('data', (b) => (data += b.toString()));
    c.on('end', () => resolve(data));
    c.on('error', reject);
  });
}

/** `n` connections one after another, counted per node (failures under "error"). */
export async function spread(ip: string, port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const who = (await connectOnce(ip, port).catch(() => 'error')) || 'empty';
    counts[who] = (counts[who] ?? 0) + 1;
  }
  return counts;
}

export function refused(ip: string, port: number): Promise<boolean> {
  return connectOnce(ip, port).then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED',
  );
}

/** Creates a Node and posts its status (InternalIP, Ready) as a node agent would. */
export async function createNode(client: Client, name: string, ip: string): Promise<void> {
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} };
  const created = await client.create(node);
  created.status = { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] };
  await client.updateStatus(created);
}

export async function setReady(client: Client, name: string, status: 'True' | 'False'): Promise<void> {
  const node = await client.get('nodes', '', name);
  node.status = { ...node.status, conditions: [{ type: 'Ready', status, reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady' }] };
  await client.updateStatus(node);
}

/** Waits for the Service's status.loadBalancer.ingress[0].ip. */
export async function externalIP(client: Client, name: string, ccm?: CcmProcess): Promise<string> {
  let ip = '';
  await waitFor(
    async () => {
      const svc = await client.get('services', 'default', name);
      ip = svc.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
      return ip !== '';
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `an external IP for ${name} (cloud-controller-manager output: ${ccm?.output().slice(-3000) ?? ''})` },
  );
  return ip;
}
