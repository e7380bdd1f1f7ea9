// The delaying TCP proxy behind `kubesim chaos node delay`. This kernel has no netem
// qdisc (tc answers "Specified qdisc kind is unknown"), so the delay is added in user
// space: the node agent's connections to the control plane are redirected here
// (iptables nat REDIRECT, matched by its cgroup) and every chunk is forwarded after
// `delayMs`, in both directions, in order. Runs as `kubesim chaos delay-proxy` until killed.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { parseEndpoint } from './iptables.js';
import type { SocketAddr } from './sockets.js';

export interface DelayRoute {
  /** The proxy listens on 127.0.0.1:<listenPort> ... */
  listenPort: number;
  /** ... and forwards to this address. */
  target: SocketAddr;
}

/** "PORT=HOST:PORT" -> a route. */
export function parseRoute(s: string): DelayRoute {
  const i = s.indexOf('=');
  const listenPort = Number(s.slice(0, i));
  if (i <= 0 || !Number.isInteger(listenPort) || listenPort <= 0 || listenPort > 65535) throw new Error(`invalid route "${s}": use LISTENPORT=HOST:PORT`);
  return { listenPort, target: parseEndpoint(s.slice(i + 1)) };
}

export function formatRoute(r: DelayRoute): string {
  return `${r.listenPort}=${r.target.addr}:${r.target.port}`;
}

/** Forwards `from`'s bytes (and its end) to `to`, each `delayMs` late. */
function pipeDelayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => setTimeout(() => to.destroyed || to.write(chunk), delayMs));
  from.on('end', () => setTimeout(() => to.destroyed || to.end(), delayMs));
}

export async function startDelayProxy(delayMs: number, routes: DelayRoute[]): Promise<Server[]> {
  const servers: Server[] = [];
  for (const r of routes) {
    const server = createServer((client) => {
      const upstream = connect(r.target.port, r.target.addr);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', () => setTimeout(() => upstream.destroy(), delayMs));
      upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
      pipeDelayed(client, upstream, delayMs);
      pipeDelayed(upstream, client, delayMs);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(r.listenPort, '127.0.0.1', () => resolve());
    });
    servers.push(server);
  }
  return servers;
}
