// Health checks of an externalTrafficPolicy Local load balancer, as cloud load balancers
// run them: every interval an HTTP GET to <node InternalIP>:<healthCheckNodePort>, where
// kube-proxy answers 200 when the node has a ready local endpoint of the Service and 503
// when not. Thresholds (health-state.ts) decide when a node goes in or out.
import http from 'node:http';
import type { Logger } from '@kubesim/client';
import { DEFAULT_THRESHOLDS, INITIAL_HEALTH, nextHealth, type HealthState, type HealthThresholds } from './health-state.js';
import type { Backend } from './targets.js';

/** One check: true when the node answered HTTP 200 within the timeout. */
export type Probe = (ip: string, port: number, timeoutMs: number) => Promise<boolean>;

export const HEALTH_CHECK_PATH = '/healthz';

export const httpProbe: Probe = (ip, port, timeoutMs) =>
  new Promise((resolve) => {
    const req = http.get({ host: ip, port, path: HEALTH_CHECK_PATH, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('health check timed out')));
    req.on('error', () => resolve(false));
  });

export interface HealthCheckerOptions {
  port: number;
  /** The nodes to check (the eligible ones; others need no check). */
  candidates: () => Backend[];
  probe?: Probe;
  intervalMs?: number;
  thresholds?: HealthThresholds;
  /** Carries the Service in its bindings. */
  logger: Logger;
}

export class HealthChecker {
  readonly port: number;
  private readonly states = new Map<string, HealthState>();
  private readonly inFlight = new Set<string>();
  private readonly probe: Probe;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: HealthCheckerOptions) {
    this.port = opts.port;
    this.probe = opts.probe ?? httpProbe;
    this.intervalMs = opts.intervalMs ?? 1000;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  healthy(node: string): boolean {
    return this.states.get(node)?.healthy ?? false;
  }

  /** Node -> in rotation, for logs and tests. */
  snapshot(): Record<string, boolean> {
    return Object.fromEntries([...this.states].map(([n, s]) => [n, s.healthy]));
  }

  private tick(): void {
    if (this.stopped) return;
    const candidates = this.opts.candidates();
    const names = new Set(candidates.map((b) => b.node));
    // A node that left (or turned NotReady) starts from scratch when it comes back.
    for (const n of this.states.keys()) if (!names.has(n)) this.states.delete(n);
    for (const b of candidates) {
      // A slow node is not probed twice at once; its pending answer counts when it comes.
      if (this.inFlight.has(b.node)) continue;
      this.inFlight.add(b.node);
      void this.probe(b.ip, this.port, Math.min(this.intervalMs, 1000))
        .catch(() => false)
        .then((ok) => {
          this.inFlight.delete(b.node);
          if (this.stopped || !this.opts.candidates().some((c) => c.node === b.node)) return;
          const before = this.states.get(b.node) ?? INITIAL_HEALTH;
          const after = nextHealth(before, ok, this.opts.thresholds ?? DEFAULT_THRESHOLDS);
          this.states.set(b.node, after);
          if (after.healthy !== before.healthy) {
            this.opts.logger.info(
              { node: b.node, address: `${b.ip}:${this.port}`, healthy: after.healthy },
              `load balancer backend ${b.node} ${after.healthy ? 'passed its health check: in rotation' : 'failed its health check: out of rotation'}`,
            );
          }
        });
    }
  }
}
