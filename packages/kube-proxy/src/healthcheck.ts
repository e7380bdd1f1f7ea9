// kube-proxy's service health-check servers: for every LoadBalancer service with
// externalTrafficPolicy Local, HTTP on <node address>:<healthCheckNodePort> answers 200 when
// this node has a ready endpoint of the service and 503 otherwise, so a load balancer
// sends traffic only to nodes that can serve it locally.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { HealthCheckService } from './endpoints.js';

interface Entry {
  server: Server;
  state: HealthCheckService;
}

export interface HealthCheckServersOptions {
  /** The address to listen on (the node address). */
  address: string;
  logger: Logger;
}

export function healthCheckResponse(s: HealthCheckService): { status: number; body: string } {
  return {
    status: s.localEndpoints > 0 ? 200 : 503,
    body: JSON.stringify({ service: { namespace: s.namespace, name: s.name }, localEndpoints: s.localEndpoints }),
  };
}

export class HealthCheckServers {
  private readonly servers = new Map<number, Entry>();

  constructor(private readonly opts: HealthCheckServersOptions) {}

  /** Ports currently served. */
  get ports(): number[] {
    return [...this.servers.keys()].sort((a, b) => a - b);
  }

  /** Opens, updates and closes servers to match `wanted`. A port that cannot be bound is retried next sync. */
  async sync(wanted: HealthCheckService[]): Promise<void> {
    const byPort = new Map(wanted.map((w) => [w.port, w]));
    for (const [port, entry] of this.servers) {
      if (byPort.has(port)) continue;
      this.servers.delete(port);
      await close(entry.server);
      this.opts.logger.info({ service: `${entry.state.namespace}/${entry.state.name}`, port }, 'closed health check server');
    }
    for (const [port, state] of byPort) {
      const existing = this.servers.get(port);
      if (existing) {
        existing.state = state;
        continue;
      }
      const entry: Entry = { server: createServer(), state };
      entry.server.on('request', (_req, res) => {
        const r = healthCheckResponse(entry.state);
        res.writeHead(r.status, {
          'Content-Type': 'application/json',
          'X-Content-Type-Options': 'nosniff',
          'X-Load-Balancing-Endpoint-Weight': String(entry.state.localEndpoints),
        });
        res.end(r.body);
      });
      try {
        await listen(entry.server, port, this.opts.address);
        this.servers.set(port, entry);
        this.opts.logger.info({ service: `${state.namespace}/${state.name}`, address: this.opts.address, port }, 'serving health check');
      } catch (err) {
        this.opts.logger.warn({ service: `${state.namespace}/${state.name}`, address: this.opts.address, port, err: (err as Error).message }, 'cannot open health check port');
      }
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(all.map((e) => close(e.server)));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
