// HTTP probes: a GET every intervalMs on a new connection (so each request goes through
// the service proxy's current rules, as a new client would), recording success (2xx/3xx)
// or failure and the latency. Requests are sent on schedule even while earlier ones
// hang, so an outage shows as the failures it causes, not as a gap.
import { request } from 'node:http';
import type { Node, Service } from '@kubesim/api';
import { nodeAddress, probeNode } from './conditions.js';
import type { ProbeSample } from './record.js';
import type { HttpTarget, ProbeSpec } from './types.js';

type ServiceTarget = Exclude<HttpTarget, { url: string }>;

/** The URL a service probe requests now, through `node` (nodePort) or the ClusterIP. Pure. */
export function serviceUrl(svc: Service, target: ServiceTarget, node: Node | undefined): string {
  const ports = svc.spec?.ports ?? [];
  const port = ports.find((p) => (typeof target.port === 'number' ? p.port === target.port : p.name === target.port));
  const name = `${target.namespace}/${target.service}`;
  if (!port) throw new Error(`service ${name} has no port ${JSON.stringify(target.port)}; ports: ${ports.map((p) => p.name || p.port).join(', ') || '(none)'}`);
  if (target.via === 'clusterIP') {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') throw new Error(`service ${name} has no ClusterIP`);
    return `http://${ip}:${port.port}${target.path}`;
  }
  if (!port.nodePort) throw new Error(`service ${name} port ${JSON.stringify(target.port)} has no NodePort (use type: NodePort, or via: clusterIP)`);
  const addr = node && nodeAddress(node);
  if (!addr) throw new Error(`no node with an address to reach service ${name} through its NodePort${target.node ? ` (node ${target.node})` : ''}`);
  return `http://${addr}:${port.nodePort}${target.path}`;
}

/** One GET on its own connection; resolves with the sample, never rejects. */
export function httpProbe(probe: string, url: string, timeoutMs: number, now: () => number = Date.now): Promise<ProbeSample> {
  const t = now();
  const start = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean, extra: { code?: number; error?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ t, probe, ok, latencyMs: Math.round((performance.now() - start) * 100) / 100, ...extra });
    };
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => finish((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400, { code: res.statusCode }));
      res.on('error', (e) => finish(false, { code: res.statusCode, error: e.message }));
    });
    const timer = setTimeout(() => {
      finish(false, { error: `timeout after ${timeoutMs}ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish(false, { error: e.code ?? e.message }));
    req.end();
  });
}

export interface ProbeContext {
  /** The Service of a service probe, fetched when the probes start. */
  service(namespace: string, name: string): Promise<Service>;
  nodes(): Node[];
  /** Nodes a fault of the experiment has hit so far. */
  faulted(): ReadonlySet<string>;
}

const MAX_IN_FLIGHT = 100;

/** Runs every probe of an experiment until stop(); samples go to `onSample`. */
export class Prober {
  private timers: NodeJS.Timeout[] = [];
  private inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly probes: readonly ProbeSpec[],
    private readonly ctx: ProbeContext,
    private readonly onSample: (s: ProbeSample) => void,
  ) {}

  async start(): Promise<void> {
    for (const p of this.probes) {
      const target = p.http;
      let urlNow: () => string;
      if ('url' in target) urlNow = () => target.url;
      else {
        const svc = await this.ctx.service(target.namespace, target.service);
        serviceUrl(svc, target, probeNode(this.ctx.nodes(), this.ctx.faulted(), target.node)); // fail now on a wrong port
        urlNow = () => serviceUrl(svc, target, probeNode(this.ctx.nodes(), this.ctx.faulted(), target.node));
      }
      const tick = () => {
        if (this.inFlight.size >= MAX_IN_FLIGHT) return;
        let url: string;
        try {
          url = urlNow();
        } catch (e) {
          this.onSample({ t: Date.now(), probe: p.name, ok: false, latencyMs: 0, error: (e as Error).message });
          return;
        }
        const r = httpProbe(p.name, url, p.timeoutMs).then((s) => {
          this.inFlight.delete(r);
          this.onSample(s);
        });
        this.inFlight.add(r);
      };
      tick();
      this.timers.push(setInterval(tick, p.intervalMs));
    }
  }

  /** Stops sending and waits for the requests in flight (each ends by its timeout). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all([...this.inFlight]);
  }
}
