// The proxy over real loopback sockets, with the caches replaced by plain objects.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, Ingress, Service } from '@kubesim/api';
import { newLogger } from '@kubesim/client';
import { IngressProxy } from './proxy.js';
import { buildRouteTable, findRoute } from './routes.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function backend(name: string, seen: Seen[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(201, { 'x-backend': name, 'content-type': 'text/plain', 'keep-alive': 'timeout=77' });
      res.end(`${name} ${req.url}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on: bind, note it, close. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function get(port: number, path: string, host: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host, ...opts.headers }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const seenA: Seen[] = [];
const seenB: Seen[] = [];
let a: { server: Server; port: number };
let b: { server: Server; port: number };
let dead: number;
let proxy: IngressProxy;
let port: number;

const services: Record<string, Service> = {};
const endpoints: Record<string, Endpoints> = {};

function setBackend(name: string, targets: { ip: string; port: number }[]): void {
  services[name] = { kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } };
  endpoints[name] = { kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets: targets.map((t) => ({ addresses: [{ ip: t.ip }], ports: [{ name: 'http', port: t.port }] })) };
}

beforeAll(async () => {
  a = await backend('a', seenA);
  b = await backend('b', seenB);
  dead = await closedPort();
  setBackend('one', [{ ip: '127.0.0.1', port: a.port }]);
  setBackend('both', [{ ip: '127.0.0.1', port: a.port }, { ip: '127.0.0.1', port: b.port }]);
  setBackend('half-dead', [{ ip: '127.0.0.1', port: dead }, { ip: '127.0.0.1', port: b.port }]);
  setBackend('dead', [{ ip: '127.0.0.1', port: dead }]);
  setBackend('empty', []);
  const paths = ['one', 'both', 'half-dead', 'dead', 'empty', 'missing'].map((s) => ({ path: `/${s}`, pathType: 'Prefix', backend: { service: { name: s, port: { number: 80 } } } }));
  const ing: Ingress = { kind: 'Ingress', metadata: { name: 'x', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { rules: [{ host: 'app.test', http: { paths } }] } };
  const table = buildRouteTable([ing]);
  proxy = new IngressProxy({
    route: (h, p) => findRoute(table, h, p),
    service: (_ns, n) => services[n],
    endpoints: (_ns, n) => endpoints[n],
    logger: newLogger('ingress-test'),
    connectTimeoutMs: 2000,
  });
  port = (await proxy.listen('127.0.0.1', 0)).port;
});

afterAll(async () => {
  await proxy?.close();
  for (const s of [a?.server, b?.server]) await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
});

describe('IngressProxy', () => {
  it('forwards method, path, query, host, body and forwarding headers; returns status and headers', async () => {
    seenA.length = 0;
    const res = await get(port, '/one/x?q=1', 'app.test:8080', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain', connection: 'keep-alive, x-hop', 'x-hop': '1' } });
    expect(res).toMatchObject({ status: 201, body: 'a /one/x?q=1' });
    expect(res.headers['x-backend']).toBe('a');
    expect(res.headers['keep-alive']).not.toBe('timeout=77'); // the proxy's own connection may say keep-alive
    expect(seenA).toHaveLength(1);
    const s = seenA[0];
    expect(s).toMatchObject({ method: 'POST', url: '/one/x?q=1', body: 'hello' });
    expect(s.headers.host).toBe('app.test:8080');
    expect(s.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(s.headers['x-forwarded-host']).toBe('app.test:8080');
    expect(s.headers['x-forwarded-proto']).toBe('http');
    expect(s.headers['x-real-ip']).toBe('127.0.0.1');
    expect(s.headers['x-hop']).toBeUndefined();
  });

  it('spreads requests round robin over ready endpoints', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      const r = await get(port, '/both', 'app.test');
      const who = String(r.headers['x-backend']);
      counts[who] = (counts[who] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 10, b: 10 });
  });

  it('answers 404 when no route matches', async () => {
    expect((await get(port, '/nothing', 'app.test')).status).toBe(404);
    expect((await get(port, '/one', 'other.test')).status).toBe(404);
  });

  it('answers 503 when the backend has no ready endpoints or no Service', async () => {
    const empty = await get(port, '/empty', 'app.test');
    expect(empty.status).toBe(503);
    expect(empty.body).toContain('no ready endpoints');
    const missing = await get(port, '/missing', 'app.test');
    expect(missing.status).toBe(503);
    expect(missing.body).toContain('service default/missing not found');
  });

  it('moves a bodiless request on to the next endpoint when one refuses the connection', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await get(port, '/half-dead', 'app.test');
      expect(r.status).toBe(201);
      expect(r.headers['x-backend']).toBe('b');
    }
  });

  it('answers 502 when every endpoint refuses, also for a request with a body', async () => {
    expect((await get(port, '/dead', 'app.test')).status).toBe(502);
    expect((await get(port, '/dead', 'app.test', { method: 'PUT', body: 'x' })).status).toBe(502);
  });
});
