// The emulated cloud's load balancers (the data plane), in this process: for each
// LoadBalancer Service and TCP port, a listener on <external IP>:<port> that forwards each
// connection to <node InternalIP>:<nodePort> of an active backend (targets.ts), round
// robin, trying the next node when one refuses or does not answer in time. UDP is not
// balanced (lbSpecOf skips it).
import net, { type Socket } from 'node:net';
import type { Node } from '@kubesim/api';
import type { Logger } from '@kubesim/client';
import { HealthChecker, type Probe } from './health.js';
import { RoundRobin } from './roundrobin.js';
import { activeBackends, eligibleBackends, type Backend } from './targets.js';
import { lbSpecEqual, type LbPort, type LbSpec } from './service-lb.js';

export interface CloudOptions {
  /** The nodes as the informer cache has them now. */
  nodes: () => readonly Node[];
  logger: Logger;
  probe?: Probe;
  healthCheckIntervalMs?: number;
  /** A node that does not accept within this is skipped for the next (default 2000 ms). */
  connectTimeoutMs?: number;
}

/** The load balancers of the emulated cloud, one per Service key. */
export class Cloud {
  private readonly lbs = new Map<string, LoadBalancer>();

  constructor(private readonly opts: CloudOptions) {}

  has(key: string): boolean {
    return this.lbs.has(key);
  }

  /** Whether the balancer of `key` exists on `ip` serving exactly `spec`. */
  matches(key: string, ip: string, spec: LbSpec): boolean {
    const lb = this.lbs.get(key);
    return !!lb && lb.ip === ip && lbSpecEqual(lb.spec, spec);
  }

  /** The active backends of a balancer now (for logs and tests). */
  backends(key: string): Backend[] {
    return this.lbs.get(key)?.backends() ?? [];
  }

  /** Creates or updates the balancer of `key` (idempotent). Throws when a port cannot be bound. */
  async ensure(key: string, ip: string, spec: LbSpec): Promise<void> {
    let lb = this.lbs.get(key);
    if (!lb) this.lbs.set(key, (lb = new LoadBalancer(key, this.opts)));
    await lb.apply(ip, spec);
  }

  /** Tears the balancer down, dropping its connections. False when there was none. */
  async delete(key: string): Promise<boolean> {
    const lb = this.lbs.get(key);
    if (!lb) return false;
    this.lbs.delete(key);
    await lb.close();
    return true;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.lbs.keys()].map((k) => this.delete(k)));
  }
}

class LoadBalancer {
  ip = '';
  spec: LbSpec = { ports: [], local: false, healthCheckNodePort: 0 };
  private readonly listeners = new Map<number, PortListener>();
  private health: HealthChecker | undefined;
  private readonly log: Logger;

  constructor(
    readonly key: string,
    private readonly opts: CloudOptions,
  ) {
    this.log = opts.logger.child({ service: key });
  }

  backends(): Backend[] {
    return activeBackends(this.opts.nodes(), this.spec.local, (n) => this.health?.healthy(n) ?? false);
  }

  async apply(ip: string, spec: LbSpec): Promise<void> {
    if (ip !== this.ip) await this.closeListeners();
    this.ip = ip;
    this.spec = spec;
    this.applyHealth();
    const wanted = new Set(spec.ports.map((p) => p.port));
    for (const [port, l] of this.listeners) {
      if (wanted.has(port)) continue;
      this.listeners.delete(port);
      await l.close();
    }
    for (const p of spec.ports) {
      const existing = this.listeners.get(p.port);
      if (existing) {
        existing.target = p;
        continue;
      }
      const l = new PortListener(this, p, this.log, this.opts.connectTimeoutMs ?? 2000);
      await l.listen(ip);
      this.listeners.set(p.port, l);
      this.log.info({ address: `${ip}:${p.port}`, nodePort: p.nodePort }, `load balancer listening on ${ip}:${p.port} -> nodes:${p.nodePort}`);
    }
  }

  private applyHealth(): void {
    const port = this.spec.local ? this.spec.healthCheckNodePort : 0;
    if (this.health && this.health.port === port) return;
    this.health?.stop();
    this.health = undefined;
    if (!port) return;
    this.health = new HealthChecker({
      port,
      candidates: () => eligibleBackends(this.opts.nodes()),
      probe: this.opts.probe,
      intervalMs: this.opts.healthCheckIntervalMs,
      logger: this.log,
    });
    this.health.start();
  }

  private async closeListeners(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }

  async close(): Promise<void> {
    this.health?.stop();
    this.health = undefined;
    await this.closeListeners();
    this.log.info({ address: this.ip }, `load balancer on ${this.ip} deleted`);
  }
}

/**
 * Connects to host:port from `localAddress`, failing after timeoutMs. Connections to the
 * nodes leave from the balancer's own external IP, so a node's kube-proxy can tell load
 * balancer traffic (source in the pool) from the host's own (under `kubesim up` both are
 * local addresses of one network namespace).
 */
function connectTo(host: string, port: number, localAddress: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress, allowHalfOpen: true });
    s.setTimeout(timeoutMs);
    s.once('timeout', () => s.destroy(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`)));
    s.once('error', reject);
    s.once('connect', () => {
      s.setTimeout(0);
      s.removeListener('error', reject);
      resolve(s);
    });
  });
}

class PortListener {
  private readonly server: net.Server;
  private readonly sockets = new Set<Socket>();
  private readonly rr = new RoundRobin();

  constructor(
    private readonly lb: LoadBalancer,
    public target: LbPort,
    private readonly log: Logger,
    private readonly connectTimeoutMs: number,
  ) {
    // Half-close passes through: a client that shuts down its sending side still gets
    // the whole answer, as through a real TCP load balancer.
    this.server = net.createServer({ allowHalfOpen: true }, (c) => void this.handle(c));
    this.server.on('error', (err) => this.log.error({ err: err.message, port: target.port }, 'load balancer listener error'));
  }

  listen(ip: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot listen on ${ip}:${this.target.port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen({ host: ip, port: this.target.port, exclusive: true }, () => {
        this.server.removeListener('error', onError);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      // A deleted cloud load balancer drops its connections: the port is free at once.
      for (const s of this.sockets) s.destroy();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private async handle(client: Socket): Promise<void> {
    this.track(client);
    client.on('error', () => client.destroy());
    const nodePort = this.target.nodePort;
    const order = this.rr.order(this.lb.backends());
    for (const b of order) {
      if (client.destroyed) return;
      let upstream: Socket;
      try {
        upstream = await connectTo(b.ip, nodePort, this.lb.ip, this.connectTimeoutMs);
      } catch (err) {
        this.log.debug({ port: this.target.port, node: b.node, backend: `${b.ip}:${nodePort}`, err: (err as Error).message }, `backend ${b.node} refused; trying the next`);
        continue;
      }
      this.track(upstream);
      if (client.destroyed) return void upstream.destroy();
      this.rr.used(b.node);
      this.log.debug({ port: this.target.port, node: b.node, backend: `${b.ip}:${nodePort}`, counts: this.rr.countsObject() }, `connection to ${b.node}`);
      upstream.on('error', () => {
        upstream.destroy();
        client.destroy();
      });
      client.on('error', () => upstream.destroy());
      client.once('close', (hadError) => hadError && upstream.destroy());
      upstream.once('close', (hadError) => hadError && client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    this.log.debug({ port: this.target.port, tried: order.map((b) => b.node) }, order.length ? 'no backend accepted the connection' : 'no backend in rotation');
    // A reset, as a cloud load balancer with no healthy backend answers.
    client.resetAndDestroy();
  }
}
