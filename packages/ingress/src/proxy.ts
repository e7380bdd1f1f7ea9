// The HTTP side: node:http servers that route each request (routes.ts), resolve its
// backend to ready endpoints (backend.ts) and forward it to one of them, round robin.
// Answers 404 when no route matches, 503 when the backend has no ready endpoint (or no
// such Service/port), 502 when every endpoint tried failed before answering, 504 when
// connecting timed out.
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Endpoints, Service } from '@kubesim/api';
import type { Logger } from '@kubesim/client';
import { RoundRobin, resolveBackend, type Target } from './backend.js';
import { requestHost, requestPath } from './match.js';
import type { RouteMatch } from './routes.js';

export interface ProxyDeps {
  /** The route for a request host and path (undefined: 404). */
  route(host: string, path: string): RouteMatch | undefined;
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
  logger: Logger;
  /** How long connecting to an endpoint may take (default 5000 ms). */
  connectTimeoutMs?: number;
}

// Connection-level headers that concern one hop only (RFC 9110 7.6.1), never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  // Headers the Connection header lists are hop-by-hop too.
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !listed.has(k)) out[k] = v;
  return out;
}

/** A request that can be sent again to another endpoint: it has no body to replay. */
function replayable(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return !req.headers['transfer-encoding'] && (len === undefined || len === '0');
}

function reply(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${text}\n`;
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export class IngressProxy {
  private readonly servers: Server[] = [];
  private readonly rr = new RoundRobin();
  // Keep-alive connections to endpoints, as ingress-nginx keeps upstream connections.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 32 });

  constructor(private readonly deps: ProxyDeps) {}

  /** Serves on host:port; resolves with the address bound (port 0 = any free port). */
  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => this.handle(req, res));
    // WebSocket and other upgrades are not proxied: refuse them cleanly.
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push(server);
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    this.servers.length = 0;
    this.agent.destroy();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const host = requestHost(req.headers.host);
    const path = requestPath(req.url);
    const log = this.deps.logger;
    const match = this.deps.route(host, path);
    if (!match) {
      log.debug({ host, path }, 'ingress: no route');
      reply(res, 404, 'default backend - 404');
      return;
    }
    const { namespace, backend } = match.ref;
    const name = backend.service?.name ?? '';
    const resolved = resolveBackend(namespace, backend, this.deps.service(namespace, name), this.deps.endpoints(namespace, name));
    if (!resolved.ok) {
      log.info({ host, path, ingress: match.ref.ingress, reason: resolved.reason }, 'ingress: backend unavailable');
      reply(res, 503, `503 Service Temporarily Unavailable: ${resolved.reason}`);
      return;
    }
    this.forward(req, res, this.rr.order(resolved.key, resolved.targets), match);
  }

  private forward(req: IncomingMessage, res: ServerResponse, targets: Target[], match: RouteMatch): void {
    const log = this.deps.logger;
    const headers = forwardable(req.headers);
    const client = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
    headers['x-real-ip'] = client;
    const retry = replayable(req);
    // A bodiless request may go to the next endpoint when one fails before answering;
    // at least twice, since a kept-alive connection may have been closed by the endpoint.
    const attempts = retry ? Math.max(targets.length, 2) : 1;
    const connectTimeout = this.deps.connectTimeoutMs ?? 5000;
    let upstreamReq: ReturnType<typeof request> | undefined;
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq?.destroy();
    });

    const attempt = (i: number): void => {
      const t = targets[i % targets.length];
      let timedOut = false;
      const up = request({ host: t.ip, port: t.port, method: req.method, path: req.url, headers, agent: this.agent });
      upstreamReq = up;
      const timer = setTimeout(() => {
        timedOut = true;
        up.destroy(new Error(`connect timeout after ${connectTimeout} ms`));
      }, connectTimeout);
      up.on('socket', (s) => {
        if (!s.connecting) clearTimeout(timer);
        else s.once('connect', () => clearTimeout(timer));
      });
      up.on('response', (ur) => {
        clearTimeout(timer);
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, forwardable(ur.headers));
        ur.pipe(res);
        ur.on('error', () => res.destroy());
        log.debug({ method: req.method, host: req.headers.host, path: req.url, ingress: match.ref.ingress, endpoint: `${t.ip}:${t.port}`, status: ur.statusCode }, 'ingress: proxied');
      });
      up.on('error', (err) => {
        clearTimeout(timer);
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        log.warn({ endpoint: `${t.ip}:${t.port}`, ingress: match.ref.ingress, err: err.message, attempt: i + 1 }, 'ingress: endpoint failed');
        if (i + 1 < attempts) return attempt(i + 1);
        reply(res, timedOut ? 504 : 502, timedOut ? '504 Gateway Time-out' : '502 Bad Gateway');
      });
      if (retry) up.end();
      else req.pipe(up);
    };
    attempt(0);
  }
}
