// Ingress end to end: real etcd and `kubesim apiserver`, `kubesim ingress-controller` as a
// separate process, and two backends (plus a default one) that are real HTTP servers in
// this test, published as selector-less Services with hand-written Endpoints, so no pod
// network is needed. Endpoints may not hold loopback addresses (the apiserver refuses
// them, as Kubernetes does), so the backends listen on the host's address on a Docker
// bridge network this test creates (no container joins it). Two Ingresses route two hosts
// and several paths to them; requests are real HTTP to the controller on 127.0.0.1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, Ingress, Service, StatusError } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { CLI, startCluster, type TestCluster } from '../cli/harness.js';
import { freePort } from '../support/ports.js';

interface Backend {
  name: string;
  ip: string;
  port: number;
  server: Server;
}

/** An HTTP server that answers "<name> <path>" and says who it is in a header. */
async function startBackend(name: string, ip: string): Promise<Backend> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name });
      res.end(`${name} ${req.url}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, () => resolve());
  });
  return { name, ip, port: (server.address() as AddressInfo).port, server };
}

let proxyPort = 0;

/** GET http://127.0.0.1:<proxy><path> with a Host header; resolves with status and body. */
function get(host: string, path: string): Promise<{ status: number; body: string; backend?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, path, headers: { host }, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, backend: res.headers['x-backend'] as string | undefined }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const NS = 'default';

const service = (name: string, portName?: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  // No selector: the Endpoints below are written by hand and the endpoints controller leaves them alone.
  spec: { ports: [{ ...(portName ? { name: portName } : {}), port: 80, targetPort: 8080 }] },
});

const endpointsFor = (name: string, b: Backend | undefined, portName?: string): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace: NS },
  subsets: b ? [{ addresses: [{ ip: b.ip }], ports: [{ ...(portName ? { name: portName } : {}), port: b.port }] }] : [],
});

const svcBackend = (name: string, port: number | string) => ({ service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } });

// Created first, so it is the older one: its routes win conflicts.
const first: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'first', namespace: NS },
  spec: {
    ingressClassName: 'kubesim',
    rules: [
      { host: 'a.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('svc-a', 80) }] } },
      { host: 'b.example.test', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: svcBackend('svc-b', 'web') }] } },
    ],
  },
};

const second: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'second', namespace: NS },
  spec: {
    ingressClassName: 'kubesim',
    defaultBackend: svcBackend('fallback', 80),
    rules: [
      {
        host: 'b.example.test',
        http: {
          paths: [
            // Exact beats the older Prefix /api for exactly this path.
            { path: '/api/v2', pathType: 'Exact', backend: svcBackend('svc-a', 80) },
            // Conflicts with first's /api: the older route (svc-b) stays.
            { path: '/api/', pathType: 'Prefix', backend: svcBackend('svc-a', 80) },
          ],
        },
      },
    ],
  },
};

const NETWORK = `kubesim-ingtest-${process.pid}`;
let networkMade = false;

/** Creates this test's Docker network; returns the host's (gateway) address on it. */
async function makeNetwork(): Promise<string> {
  const run = promisify(execFile);
  let lastErr: unknown;
  // Another network may hold a subnet: try a few.
  for (let i = 0; i < 5; i++) {
    const octet = 20 + ((process.pid + i * 37) % 200);
    try {
      await run('docker', ['network', 'create', '--subnet', `172.30.${octet}.0/24`, '--gateway', `172.30.${octet}.1`, NETWORK]);
      networkMade = true;
      return `172.30.${octet}.1`;
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr;
}

let cluster: TestCluster;
let client: Client;
let backends: Backend[] = [];
let controller: ChildProcess | undefined;
let controllerOut = '';

beforeAll(async () => {
  const ip = await makeNetwork();
  // The bridge address is assigned as soon as the network exists; binding to it may lag a moment.
  let lastErr: unknown;
  await waitFor(
    async () => {
      try {
        backends = [await startBackend('a', ip), await startBackend('b', ip), await startBackend('fallback', ip)];
        return true;
      } catch (err) {
        lastErr = err;
        for (const b of backends) b.server.close();
        backends = [];
        return false;
      }
    },
    { timeoutMs: 5000, intervalMs: 100, what: `binding ${ip}` },
  ).catch(() => {
    throw lastErr;
  });
  cluster = await startCluster();
  client = new Client({ endpoints: [cluster.server] });
  const [a, b, fallback] = backends;
  await client.create(service('svc-a'));
  await client.create(endpointsFor('svc-a', a));
  await client.create(service('svc-b', 'web'));
  await client.create(endpointsFor('svc-b', b, 'web'));
  await client.create(service('fallback'));
  await client.create(endpointsFor('fallback', fallback));
  await client.create(first);
  // creationTimestamp has second resolution: make sure "second" is younger.
  const created = Date.parse((await client.get('ingresses', NS, 'first')).metadata!.creationTimestamp!);
  await waitFor(() => Date.now() >= created + 1000, { timeoutMs: 3000, intervalMs: 50, what: 'the next second' });
  await client.create(second);

  proxyPort = await freePort();
  controller = spawn(process.execPath, [CLI, 'ingress-controller', '--server', cluster.server, '--listen', `127.0.0.1:${proxyPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'info', KUBESIM_CONFIG: '/nonexistent/kubesim-config.json' },
  });
  const keep = (c: Buffer) => (controllerOut = (controllerOut + c.toString()).slice(-20_000));
  controller.stdout?.on('data', keep);
  controller.stderr?.on('data', keep);
  await waitFor(
    async () => {
      if (controller?.exitCode !== null) throw new Error(`ingress-controller exited: ${controllerOut}`);
      return get('a.example.test', '/').then(
        (r) => r.status === 200,
        () => false,
      );
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'the ingress controller to serve' },
  );
});

afterAll(async () => {
  if (controller && controller.exitCode === null) {
    const exited = new Promise<void>((r) => controller!.once('exit', () => r()));
    controller.kill('SIGTERM');
    await exited;
  }
  client?.close();
  await cluster?.stop();
  for (const b of backends) await new Promise<void>((r) => b.server.close(() => r()));
  if (networkMade) await promisify(execFile)('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
});

describe('ingress controller', () => {
  it.each<[string, string, string]>([
    ['a.example.test', '/', 'a'],
    ['a.example.test', '/any/path', 'a'],
    ['A.Example.Test:80', '/x', 'a'],
    ['b.example.test', '/api', 'b'],
    ['b.example.test', '/api/users', 'b'],
    ['b.example.test', '/api/v2', 'a'],
    ['b.example.test', '/api/v2/more', 'b'],
    // b.example.test's paths do not match: the host's default backend (second's).
    ['b.example.test', '/other', 'fallback'],
    // No rule for the host: the cluster-wide default backend.
    ['unknown.example.test', '/', 'fallback'],
  ])('routes %s%s to %s', async (host, path, want) => {
    const r = await get(host, path);
    expect(r.status, r.body).toBe(200);
    expect(r.backend).toBe(want);
    expect(r.body).toBe(`${want} ${path}`);
  });

  it('reports its address in the status of both Ingresses', async () => {
    await waitFor(
      async () => {
        const list = await client.list('ingresses', { namespace: NS });
        return list.items.length === 2 && list.items.every((i) => i.status?.loadBalancer?.ingress?.[0]?.ip === '127.0.0.1');
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'status.loadBalancer of the Ingresses' },
    );
  });

  it('lists and describes Ingresses with kubectl columns', async () => {
    const got = await cluster.kubesim(['get', 'ing']);
    expect(got.code, got.stderr).toBe(0);
    const lines = got.stdout.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    expect(lines[1]).toMatch(/^first\s+kubesim\s+a\.example\.test,b\.example\.test\s+127\.0\.0\.1\s+80\s+\d+s$/);
    expect(lines[2]).toMatch(/^second\s+kubesim\s+b\.example\.test\s+127\.0\.0\.1\s+80\s+\d+s$/);
    expect((await cluster.kubesim(['get', 'ingresses', 'second'])).stdout).toMatch(/^NAME/);
    const described = await cluster.kubesim(['describe', 'ingress', 'second']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(new RegExp(`Default backend:\\s+fallback:80 \\(${backends[2].ip.replaceAll('.', '\\.')}:${backends[2].port}\\)`));
    expect(described.stdout).toMatch(new RegExp(`/api/v2\\s+svc-a:80 \\(${backends[0].ip.replaceAll('.', '\\.')}:${backends[0].port}\\)`));
  });

  it('answers 503 when the backend has no ready endpoints, and recovers', async () => {
    const ep = await client.get('endpoints', NS, 'svc-b');
    await client.update({ ...ep, subsets: [{ notReadyAddresses: [{ ip: backends[1].ip }], ports: [{ name: 'web', port: backends[1].port }] }] });
    await waitFor(async () => (await get('b.example.test', '/api')).status === 503, { timeoutMs: 5000, intervalMs: 50, what: '503 for svc-b' });
    const fresh = await client.get('endpoints', NS, 'svc-b');
    await client.update({ ...fresh, subsets: endpointsFor('svc-b', backends[1], 'web').subsets });
    await waitFor(async () => (await get('b.example.test', '/api')).backend === 'b', { timeoutMs: 5000, intervalMs: 50, what: 'svc-b back' });
  });

  it('answers 404 once no route and no default backend is left', async () => {
    await client.delete('ingresses', NS, 'second');
    await waitFor(async () => (await get('unknown.example.test', '/')).status === 404, { timeoutMs: 5000, intervalMs: 50, what: '404 without a default backend' });
    expect((await get('b.example.test', '/other')).status).toBe(404);
    // The exact path of the deleted Ingress now falls to first's Prefix /api.
    expect((await get('b.example.test', '/api/v2')).backend).toBe('b');
    expect((await get('a.example.test', '/')).backend).toBe('a');
  });

  it('ignores Ingresses of another class', async () => {
    await client.create({ ...first, metadata: { name: 'other-class', namespace: NS }, spec: { ingressClassName: 'nginx', rules: [{ host: 'c.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('svc-a', 80) }] } }] } });
    // A later change the controller does serve proves it has seen the one before.
    await client.create({ ...first, metadata: { name: 'marker', namespace: NS }, spec: { ingressClassName: 'kubesim', rules: [{ host: 'd.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('svc-a', 80) }] } }] } });
    await waitFor(async () => (await get('d.example.test', '/')).status === 200, { timeoutMs: 5000, intervalMs: 50, what: 'the marker Ingress' });
    expect((await get('c.example.test', '/')).status).toBe(404);
    expect((await client.get('ingresses', NS, 'other-class')).status?.loadBalancer?.ingress ?? []).toEqual([]);
  });
});

describe('the Ingress API', () => {
  it('creates, gets, lists, watches, updates, sets status and deletes', async () => {
    const watch = client.watch('ingresses', { namespace: 'kube-public' });
    const events: string[] = [];
    const done = (async () => {
      for await (const e of watch) {
        events.push(`${e.type} ${e.object.metadata?.name}`);
        if (e.type === 'DELETED') break;
      }
    })();
    try {
      // Of a class the running controller does not serve, so that only this test writes its status.
      const ing: Ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'rt', namespace: 'kube-public' }, spec: { ingressClassName: 'elsewhere', defaultBackend: svcBackend('web', 'http') } };
      const created = await client.create(ing);
      expect(created).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { generation: 1 } });
      expect((await client.list('ingresses', { namespace: 'kube-public' })).items.map((i) => i.metadata?.name)).toEqual(['rt']);
      const updated = await client.update({ ...created, spec: { ...created.spec, rules: [{ host: 'rt.test', http: { paths: [{ path: '/', pathType: 'Exact', backend: svcBackend('web', 80) }] } }] } });
      expect(updated.metadata?.generation).toBe(2);
      const withStatus = await client.updateStatus({ ...updated, status: { loadBalancer: { ingress: [{ ip: '10.244.255.7' }] } } });
      expect(withStatus.status?.loadBalancer?.ingress).toEqual([{ ip: '10.244.255.7' }]);
      expect(withStatus.metadata?.generation).toBe(2);
      const got = await client.get('ingresses', 'kube-public', 'rt');
      expect(got.spec?.rules?.[0].http?.paths?.[0]).toEqual({ path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { number: 80 } } } });
      await client.delete('ingresses', 'kube-public', 'rt');
      await waitFor(() => events.length >= 4, { timeoutMs: 5000, intervalMs: 20, what: 'the DELETED event' });
    } finally {
      // Ends the watch however the test went, so no stream outlives the apiserver.
      watch.cancel();
      await done;
    }
    expect(events).toEqual(['ADDED rt', 'MODIFIED rt', 'MODIFIED rt', 'DELETED rt']);
  });

  it('refuses an invalid Ingress with Kubernetes messages', async () => {
    const bad: Ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'bad', namespace: NS },
      spec: { rules: [{ host: '*.*.test', http: { paths: [{ path: 'api', pathType: 'Prefix', backend: { service: { name: 'web' } } }, { path: '/', backend: svcBackend('web', 80) }] } }] },
    };
    const err = (await client.create(bad).then(
      () => undefined,
      (e: unknown) => e,
    )) as StatusError;
    expect(err?.reason).toBe('Invalid');
    expect(err.message).toContain('"bad" is invalid');
    expect(err.message).toContain('spec.rules[0].host: Invalid value: "*.*.test": a wildcard DNS-1123 subdomain must start with \'*.\'');
    expect(err.message).toContain('spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path');
    expect(err.message).toContain('spec.rules[0].http.paths[0].backend: Required value: port name or number is required');
    expect(err.message).toContain('spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified');
  });
});
