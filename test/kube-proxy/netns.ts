// A throwaway three-namespace network for the kube-proxy tests: NODE (where the rules go,
// forwarding between its two veths), PODS (the endpoints: several pod IPs on one veth)
// and CLIENT (an outside client 10.250.0.2 and a pod of the node 10.244.1.200). The host's
// own network namespace and tables are never touched.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export const NODE_ADDRESS = '10.244.1.1';
export const POD_CIDR = '10.244.1.0/24';
export const CLUSTER_CIDR = '10.244.0.0/16';
/** Endpoint IPs served in PODS: .2/.3/.4 "on" this node, 10.244.2.2 "on" another node. */
export const POD_IPS = ['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.2.2'];
export const EXTERNAL_CLIENT = '10.250.0.2';
export const POD_CLIENT = '10.244.1.200';

export interface TestNet {
  node: string;
  pods: string;
  client: string;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function sysctl(ns: string, ...settings: string[]): void {
  execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...settings], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestNet(): TestNet {
  const id = `${process.pid}`;
  const net = { node: `kp-node-${id}`, pods: `kp-pods-${id}`, client: `kp-client-${id}` };
  const destroy = () => {
    for (const ns of [net.node, net.pods, net.client]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* not created */
      }
    }
  };
  try {
    for (const ns of [net.node, net.pods, net.client]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      sysctl(ns, 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
    }
    // The veth pairs are created inside the namespaces, never in the host's.
    ip('-n', net.node, 'link', 'add', 'to-pods', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net.pods);
    ip('-n', net.node, 'link', 'add', 'to-client', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net.client);
    sysctl(net.node, 'net.ipv4.ip_forward=1');
    ip('-n', net.node, 'addr', 'add', `${NODE_ADDRESS}/32`, 'dev', 'to-pods');
    ip('-n', net.node, 'addr', 'add', '10.250.0.1/24', 'dev', 'to-client');
    ip('-n', net.node, 'link', 'set', 'to-pods', 'up');
    ip('-n', net.node, 'link', 'set', 'to-client', 'up');
    ip('-n', net.node, 'route', 'add', '10.244.1.0/25', 'dev', 'to-pods');
    ip('-n', net.node, 'route', 'add', '10.244.2.0/24', 'dev', 'to-pods');
    ip('-n', net.node, 'route', 'add', '10.244.1.128/25', 'dev', 'to-client');
    // A default route (into a veth whose peer stays in the node namespace, a dead end) as
    // every real node has: without one, a packet to a service IP nobody DNATs is refused by
    // routing before the filter rules ever see it.
    ip('-n', net.node, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'uplink-peer');
    ip('-n', net.node, 'link', 'set', 'uplink', 'up');
    ip('-n', net.node, 'link', 'set', 'uplink-peer', 'up');
    ip('-n', net.node, 'route', 'add', 'default', 'dev', 'uplink');

    for (const a of POD_IPS) ip('-n', net.pods, 'addr', 'add', `${a}/32`, 'dev', 'eth0');
    ip('-n', net.pods, 'link', 'set', 'eth0', 'up');
    ip('-n', net.pods, 'route', 'add', NODE_ADDRESS, 'dev', 'eth0');
    ip('-n', net.pods, 'route', 'add', 'default', 'via', NODE_ADDRESS);

    ip('-n', net.client, 'addr', 'add', `${EXTERNAL_CLIENT}/24`, 'dev', 'eth0');
    ip('-n', net.client, 'addr', 'add', `${POD_CLIENT}/32`, 'dev', 'eth0');
    ip('-n', net.client, 'link', 'set', 'eth0', 'up');
    ip('-n', net.client, 'route', 'add', 'default', 'via', '10.250.0.1');
  } catch (err) {
    destroy();
    throw err;
  }
  return { ...net, destroy };
}

// The endpoint servers: TCP on :8080 and UDP on :5353 of every pod IP, answering with the
// address they were reached on.
const SERVER = `
const net = require('node:net'); const dgram = require('node:dgram');
const ips = JSON.parse(process.argv[1]); let n = 0;
const done = () => { if (++n === ips.length * 2) console.log('ready'); };
for (const ip of ips) {
  net.createServer((s) => { s.on('error', () => {}); s.end(s.localAddress + ' ' + s.remoteAddress); }).listen(8080, ip, done);
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(ip + ' ' + r.address, r.port, r.address));
  u.bind(5353, ip, done);
}`;

export async function startEndpointServers(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, JSON.stringify(POD_IPS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('endpoint servers did not start')), 10_000);
    child.once('exit', (code) => reject(new Error(`endpoint servers exited ${code}`)));
    lines.once('line', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return child;
}

// The client: `count` sequential connections (or UDP requests), each answer or error code.
const CLIENT = `
const net = require('node:net'); const dgram = require('node:dgram');
const o = JSON.parse(process.argv[1]); const out = [];
function tcp() { return new Promise((res) => {
  let data = ''; const s = net.connect({ host: o.host, port: o.port, localAddress: o.from });
  const t = setTimeout(() => { s.destroy(); res('TIMEOUT'); }, o.timeoutMs);
  s.on('data', (d) => (data += d)); s.on('end', () => { clearTimeout(t); res(data); });
  s.on('error', (e) => { clearTimeout(t); res('ERR:' + e.code); });
}); }
function udp() { return new Promise((res) => {
  const s = dgram.createSocket('udp4');
  const t = setTimeout(() => { s.close(); res('TIMEOUT'); }, o.timeoutMs);
  s.on('message', (m) => { clearTimeout(t); s.close(); res(String(m)); });
  s.on('error', (e) => { clearTimeout(t); s.close(); res('ERR:' + e.code); });
  s.bind(0, o.from, () => s.send('hi', o.port, o.host));
}); }
(async () => { for (let i = 0; i < o.count; i++) out.push(await (o.udp ? udp() : tcp())); console.log(JSON.stringify(out)); })();`;

export interface Probe {
  host: string;
  port: number;
  /** Source address (default: the kernel's choice). */
  from?: string;
  count?: number;
  udp?: boolean;
  timeoutMs?: number;
}

/** Runs the client in `ns`; returns one string per request: "<endpoint ip> <seen source>", "ERR:<code>" or "TIMEOUT". */
export function probe(ns: string, p: Probe): Promise<string[]> {
  const opts = { count: 1, udp: false, timeoutMs: 1500, ...p };
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`client exited ${code}`))));
  });
}

/** How many answers each endpoint gave. */
export function tally(answers: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const a of answers) {
    const key = a.split(' ')[0];
    t[key] = (t[key] ?? 0) + 1;
  }
  return t;
}
