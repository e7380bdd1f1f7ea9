// The emulated cloud end to end: real etcd, the apiserver and `kubesim cloud-controller-manager`
// as separate processes. The "nodes" are Node objects whose InternalIPs are loopback
// addresses of this test (127.A.B.11-13), where the test itself serves the NodePorts (a
// TCP server answering the node's name) and the healthCheckNodePorts (HTTP 200 or 503),
// standing in for kube-proxy. The load-balancer pool is another loopback /24, so no alias
// is needed. Every check counts which node served each connection.
import { randomInt } from 'node:crypto';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type Event, type Service } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { freePort } from '../support/ports.js';
import { FINALIZER, closeAll, closeServer, connectOnce, createNode, externalIP as externalIPOf, healthServer, nodePortServer, refused, servers, sources, setReady as setReadyOf, spread, startCcm as startCcmAt, type CcmProcess } from './support.js';

// Loopback addresses of this run only: parallel runs pick other ones.
const A = randomInt(100, 250);
const B = randomInt(1, 125);
const NODE_NET = `127.${A}.${B}`;
const LB_NET = `127.${A}.${B + 125}`;
const SUFFIX = `${A}-${B}`;
const NODES = ['a', 'b', 'c'].map((x, i) => ({ name: `lb-node-${x}-${SUFFIX}`, ip: `${NODE_NET}.${11 + i}` }));

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let ccm: CcmProcess | undefined;

const startCcm = () => (ccm = startCcmAt(api.endpoint, ['--lb-cidr', `${LB_NET}.0/24`]));
const externalIP = (name: string) => externalIPOf(client, name, ccm);
const setReady = (name: string, status: 'True' | 'False') => setReadyOf(client, name, status);

async function eventReasons(name: string): Promise<string[]> {
  const list = await client.list('events', { namespace: 'default' });
  return (list.items as Event[]).filter((e) => e.involvedObject?.kind === 'Service' && e.involvedObject?.name === name).map((e) => e.reason ?? '');
}

beforeAll(async () => {
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  for (const n of NODES) await createNode(client, n.name, n.ip);
  startCcm();
}, 120_000);

afterAll(async () => {
  await ccm?.stop();
  await closeAll();
  client?.close();
  await api?.stop();
  await etcd?.stop();
});

describe('cloud-controller-manager (emulated LoadBalancer)', () => {
  let port = 0;
  let ip = '';
  const web = 'web';

  it('assigns an external IP from the pool, with the cleanup finalizer and events', async () => {
    port = await freePort();
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'default', name: web },
      spec: { type: 'LoadBalancer', selector: { app: web }, ports: [{ name: 'tcp', port, targetPort: 8080, protocol: 'TCP' }] },
    };
    const created = await client.create(svc);
    const nodePort = created.spec?.ports?.[0]?.nodePort ?? 0;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    for (const n of NODES) await nodePortServer(n.ip, nodePort, n.name);

    ip = await externalIP(web);
    // Network, the first address and broadcast are never given: the first one handed out is .2.
    expect(ip).toBe(`${LB_NET}.2`);
    const now = await client.get('services', 'default', web);
    expect(now.metadata?.finalizers).toContain(FINALIZER);
    expect(now.status?.loadBalancer?.ingress).toEqual([expect.objectContaining({ ip })]);
    await waitFor(async () => (await eventReasons(web)).includes('EnsuredLoadBalancer'), { timeoutMs: 10_000, intervalMs: 100, what: 'EnsuredLoadBalancer event' });
    expect(await eventReasons(web)).toEqual(expect.arrayContaining(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']));
  });

  it('spreads connections round robin over the ready nodes', async () => {
    await waitFor(async () => (await connectOnce(ip, port).catch(() => '')) !== '', { timeoutMs: 10_000, intervalMs: 100, what: `the balancer answering on ${ip}:${port}` });
    sources.clear();
    const counts = await spread(ip, port, 30);
    // One connection after another over a steady set of nodes: exactly even.
    expect(counts).toEqual(Object.fromEntries(NODES.map((n) => [n.name, 10])));
    // The nodes see the balancer's address as the source (kube-proxy can tell LB traffic).
    expect([...sources]).toEqual([ip]);
  });

  it('skips a node whose NodePort refuses, retrying the next', async () => {
    const nodePort = (await client.get('services', 'default', web)).spec?.ports?.[0]?.nodePort ?? 0;
    const down = servers.find((s) => (s.address() as net.AddressInfo | null)?.address === NODES[2].ip && (s.address() as net.AddressInfo).port === nodePort) as net.Server;
    await closeServer(down);
    const counts = await spread(ip, port, 20);
    expect(counts).toEqual({ [NODES[0].name]: 10, [NODES[1].name]: 10 });
    await nodePortServer(NODES[2].ip, nodePort, NODES[2].name);
  });

  it('sends no new connections to a NotReady node, and again once it is Ready', async () => {
    await setReady(NODES[1].name, 'False');
    // The balancer sees the node change through its informer: wait until it took effect...
    await waitFor(async () => !(NODES[1].name in (await spread(ip, port, 6))), { timeoutMs: 10_000, intervalMs: 50, what: 'the NotReady node leaving the rotation' });
    // ...then it stays out.
    const counts = await spread(ip, port, 20);
    expect(counts).toEqual({ [NODES[0].name]: 10, [NODES[2].name]: 10 });

    await setReady(NODES[1].name, 'True');
    await waitFor(async () => NODES[1].name in (await spread(ip, port, 6)), { timeoutMs: 10_000, intervalMs: 50, what: 'the node back in rotation' });
  });

  const local = 'web-local';
  let localIP = '';
  let localPort = 0;
  const health = NODES.map(() => ({ ok: false }));

  it('with externalTrafficPolicy Local uses only nodes whose health check answers 200', async () => {
    localPort = await freePort();
    const created = await client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'default', name: local },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: local }, ports: [{ port: localPort, targetPort: 8080 }] },
    } satisfies Service);
    const nodePort = created.spec?.ports?.[0]?.nodePort ?? 0;
    const hcPort = created.spec?.healthCheckNodePort ?? 0;
    expect(hcPort).toBeGreaterThanOrEqual(30000);
    // "2 pods on node a, 1 on node c, none on b": b's kube-proxy answers 503.
    health[0].ok = true;
    health[2].ok = true;
    for (const [i, n] of NODES.entries()) {
      await nodePortServer(n.ip, nodePort, n.name);
      await healthServer(n.ip, hcPort, health[i]);
    }
    localIP = await externalIP(local);
    expect(localIP).toBe(`${LB_NET}.3`);
    await waitFor(async () => (await connectOnce(localIP, localPort).catch(() => '')) !== '', { timeoutMs: 10_000, intervalMs: 100, what: 'a healthy backend' });
    // Both healthy nodes pass their first check within one interval.
    await waitFor(async () => Object.keys(await spread(localIP, localPort, 4)).length === 2, { timeoutMs: 5_000, intervalMs: 100, what: 'both healthy nodes in rotation' });
    const counts = await spread(localIP, localPort, 20);
    expect(counts).toEqual({ [NODES[0].name]: 10, [NODES[2].name]: 10 });
  });

  it('takes a node out after failing health checks and back in after one passes', async () => {
    health[2].ok = false;
    // Two failed checks one second apart.
    await waitFor(async () => !(NODES[2].name in (await spread(localIP, localPort, 4))), { timeoutMs: 10_000, intervalMs: 100, what: 'node c out of rotation' });
    expect(await spread(localIP, localPort, 10)).toEqual({ [NODES[0].name]: 10 });
    health[1].ok = true;
    await waitFor(async () => NODES[1].name in (await spread(localIP, localPort, 4)), { timeoutMs: 10_000, intervalMs: 100, what: 'node b in rotation' });
    expect(await spread(localIP, localPort, 10)).toEqual({ [NODES[0].name]: 5, [NODES[1].name]: 5 });
  });

  it('keeps every address across a restart of the cloud-controller-manager', async () => {
    await ccm?.stop('SIGKILL');
    expect(await refused(ip, port)).toBe(true);
    startCcm();
    await waitFor(async () => (await connectOnce(ip, port).catch(() => '')) !== '', { timeoutMs: 20_000, intervalMs: 100, what: `the balancer back on ${ip}:${port} (output: ${ccm?.output().slice(-3000)})` });
    expect((await client.get('services', 'default', web)).status?.loadBalancer?.ingress?.[0]?.ip).toBe(ip);
    expect((await client.get('services', 'default', local)).status?.loadBalancer?.ingress?.[0]?.ip).toBe(localIP);
    // A new Service gets a new address, not one of theirs.
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'third' }, spec: { type: 'LoadBalancer', ports: [{ port: await freePort() }] } } satisfies Service);
    expect(await externalIP('third')).toBe(`${LB_NET}.4`);
  });

  it('deleting the Service removes the listener, then the finalizer lets it go', async () => {
    await client.delete('services', 'default', local);
    await waitFor(
      async () => {
        try {
          await client.get('services', 'default', local);
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `${local} gone (output: ${ccm?.output().slice(-3000)})` },
    );
    expect(await refused(localIP, localPort)).toBe(true);
    await waitFor(async () => (await eventReasons(local)).includes('DeletedLoadBalancer'), { timeoutMs: 10_000, intervalMs: 100, what: 'DeletedLoadBalancer event' });
  });

  it('a Service that stops being a LoadBalancer loses its balancer, status and finalizer', async () => {
    await client.patch('services', 'default', web, { spec: { type: 'ClusterIP', externalTrafficPolicy: null } });
    await waitFor(
      async () => {
        const svc = await client.get('services', 'default', web);
        return !svc.metadata?.finalizers?.includes(FINALIZER) && !svc.status?.loadBalancer?.ingress?.length;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `${web} without finalizer and status` },
    );
    expect(await refused(ip, port)).toBe(true);
    // The released address goes to the next Service only after the others in the pool.
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'fourth' }, spec: { type: 'LoadBalancer', ports: [{ port: await freePort() }] } } satisfies Service);
    expect(await externalIP('fourth')).toBe(`${LB_NET}.5`);
  });
});
