// Cluster DNS end to end: real etcd, the apiserver (allocating ClusterIPs), `kubesim dns`
// on the gateway address of the test's own Docker network and `kubesim node --runtime docker --cluster-dns` as separate
// processes; a busybox pod's app container resolves Service names with nslookup through
// the search path the node agent gave its sandbox.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import type { Service } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { buildImages, containersWith, docker, podReady, removeContainersWith, startAgent, waitForPod, type AgentProcess } from '../kubelet/support.js';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const NODE = `e2e-dns-${randomBytes(3).toString('hex')}`;
const NS = 'my-ns';
let DNS_IP = '';

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let agent: AgentProcess;
let dns: ChildProcess;
let dnsOut = '';
let clusterIP = '';
let app = '';

const service = (namespace: string, name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec });

function query(name: string, type: dnsPacket.RecordType = 'A'): Promise<dnsPacket.DecodedPacket & { rcode?: string }> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.close(), reject(new Error(`no DNS answer for ${name}`))), 2000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(m));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), 53, DNS_IP);
  });
}

async function nslookup(name: string, ...flags: string[]): Promise<string> {
  // busybox nslookup exits non-zero on NXDOMAIN and on the REFUSED AAAA half of some lookups: keep the output.
  return docker('exec', app, 'nslookup', ...flags, name).catch((err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`);
}

const NETWORK = `kubesim-dnstest-${process.pid}`;

beforeAll(async () => {
  // A Docker network of this test's own, so its DNS on the bridge's port 53 never meets
  // another cluster's on docker0 (resolv.conf cannot name a port).
  const octet = 20 + (process.pid % 200);
  await promisify(execFile)('docker', ['network', 'create', '--subnet', `172.31.${octet}.0/24`, '--gateway', `172.31.${octet}.1`, NETWORK]);
  DNS_IP = `172.31.${octet}.1`;
  await buildImages();
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  dns = spawn(process.execPath, [CLI, 'dns', '--server', api.endpoint, '--listen', `${DNS_IP}:53`], { stdio: ['ignore', 'pipe', 'pipe'] });
  dns.stdout?.on('data', (b: Buffer) => (dnsOut = (dnsOut + b.toString()).slice(-20_000)));
  dns.stderr?.on('data', (b: Buffer) => (dnsOut = (dnsOut + b.toString()).slice(-20_000)));
  agent = startAgent(api.endpoint, ['--name', NODE, '--runtime', 'docker', '--cluster-dns', DNS_IP, '--docker-network', NETWORK, '--node-ip', DNS_IP]);
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  clusterIP = (await client.create(service(NS, 'my-svc', { ports: [{ port: 80 }] }))).spec?.clusterIP ?? '';
  // Headless without a selector: its Endpoints are hand-written.
  await client.create(service(NS, 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }));
  await client.create({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace: NS, name: 'headless' },
    subsets: [{ addresses: [{ ip: '172.17.250.1' }, { ip: '172.17.250.2' }], notReadyAddresses: [{ ip: '172.17.250.3' }], ports: [{ port: 80 }] }],
  });
  await client.create(service('default', 'externalname-svc', { type: 'ExternalName', externalName: 'my.database.com' }));
  await client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: NS, name: 'client' },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'kubesim/busybox:latest', imagePullPolicy: 'Never', command: ['sleep', '3600'] }] },
  });
  const pod = await waitForPod(client, NS, 'client', podReady, 'Ready', 60_000);
  const [c] = (await containersWith({ 'kubesim.pod.uid': pod.metadata?.uid ?? '', 'kubesim.container.name': 'main' })).filter((x) => x.state === 'running');
  app = c!.id;
  await waitFor(async () => (await query('my-svc.my-ns.svc.cluster.local').catch(() => undefined))?.answers?.length === 1, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `kubesim dns answering on ${DNS_IP}:53 (output: ${dnsOut.slice(-2000)})`,
  });
}, 120_000);

afterAll(async () => {
  await agent?.kill('SIGTERM');
  if (dns && dns.exitCode === null) {
    const exited = new Promise<void>((r) => dns.once('exit', () => r()));
    dns.kill('SIGTERM');
    await exited;
  }
  client?.close();
  await api?.stop();
  await etcd?.stop();
  await removeContainersWith(`kubesim.node=${NODE}`);
  await promisify(execFile)('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
});

describe('cluster DNS', () => {
  it('answers direct UDP queries from the caches', async () => {
    expect(clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect((await query('MY-SVC.my-ns.svc.cluster.local.')).answers).toMatchObject([{ type: 'A', ttl: 5, data: clusterIP }]);
    expect((await query('headless.my-ns.svc.cluster.local')).answers?.map((a) => String((a as { data?: unknown }).data)).sort()).toEqual(['172.17.250.1', '172.17.250.2']);
    expect((await query('externalname-svc.default.svc.cluster.local')).answers).toMatchObject([{ type: 'CNAME', data: 'my.database.com' }]);
    const nx = await query('nope.my-ns.svc.cluster.local');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities?.[0]?.type).toBe('SOA');
    expect((await query('example.com')).rcode).toBe('REFUSED');
  });

  it('gives the app container the cluster resolver and search path', async () => {
    const conf = await docker('exec', app, 'cat', '/etc/resolv.conf');
    // On a user-defined Docker network the container's resolver is Docker's embedded one
    // (127.0.0.11), which forwards to the servers the sandbox was given; on the default
    // bridge it is the cluster DNS itself. Either way the next tests resolve through it.
    expect(conf).toMatch(new RegExp(`nameserver (${DNS_IP.replace(/\./g, '\\.')}|127\\.0\\.0\\.11)\\b`));
    expect(conf).toMatch(/search my-ns\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    expect(conf).toContain('ndots:5');
  });

  it('resolves my-svc, my-svc.my-ns and the full name to the ClusterIP from inside a pod', async () => {
    for (const name of ['my-svc', 'my-svc.my-ns.svc.cluster.local']) {
      const out = await nslookup(name);
      expect(out, name).toContain(`Address: ${clusterIP}`);
    }
    // busybox nslookup applies the search list only to dotless names; libc's getaddrinfo
    // (ping's resolver) honours ndots:5 and the search path. One ping at the project's own
    // service IP, not waited for: its first line shows the resolved address.
    for (const name of ['my-svc', 'my-svc.my-ns']) {
      const out = await docker('exec', app, 'ping', '-c', '1', '-W', '1', name).catch((err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`);
      expect(out, name).toContain(`(${clusterIP})`);
    }
  });

  it('resolves a headless Service to its ready endpoints and an ExternalName to its CNAME', async () => {
    const h = await nslookup('headless');
    expect(h).toContain('Address: 172.17.250.1');
    expect(h).toContain('Address: 172.17.250.2');
    expect(h).not.toContain('172.17.250.3');
    // Asked for the CNAME itself: offline there is no upstream to chase my.database.com to an A.
    const e = await nslookup('externalname-svc.default.svc.cluster.local', '-type=cname');
    expect(e).toMatch(/canonical name = my\.database\.com/);
  });

  it('follows Service changes', async () => {
    await client.create(service(NS, 'late', { ports: [{ port: 80 }] }));
    const ip = (await client.get('services', NS, 'late')).spec?.clusterIP;
    await waitFor(async () => (await nslookup('late')).includes(`Address: ${ip}`), { timeoutMs: 10_000, intervalMs: 200, what: 'late resolves' });
    await client.delete('services', NS, 'late');
    await waitFor(async () => (await query('late.my-ns.svc.cluster.local')).rcode === 'NXDOMAIN', { timeoutMs: 10_000, intervalMs: 200, what: 'late gone' });
  });
});
