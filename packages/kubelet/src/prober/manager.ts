// The prober: one worker per (running container, probe kind), each on its own timer.
// Results follow Kubernetes: readiness starts failed, liveness starts passed, startup
// starts not-yet; liveness and readiness wait for startup. A result that flips makes the
// pod's worker sync (which kills a container whose liveness or startup probe failed).
import type { Container, Pod, Probe } from '@kubesim/api';
import { realClock, type Clock, type Logger, type TimerHandle } from '@kubesim/client';
import type { PodRuntimeState } from '../runtime/runtime.js';
import { runProbe, type ProbeOutcome, type ProbeTarget } from './probe.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeManagerOptions {
  exec(containerId: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  /** A result flipped: sync the pod. */
  onChange(podUid: string): void;
  /** A probe failed (the Unhealthy event). */
  onFailure(pod: Pod, container: string, kind: ProbeKind, message: string): void;
  clock?: Clock;
  logger: Logger;
  /** Probe runner, replaceable in tests. */
  run?: (probe: Probe, target: ProbeTarget) => Promise<ProbeOutcome>;
}

interface Worker {
  key: string;
  kind: ProbeKind;
  podUid: string;
  containerId: string;
  container: Container;
  probe: Probe;
  pod: Pod;
  podIP: string;
  result: boolean;
  successes: number;
  failures: number;
  timer?: TimerHandle;
  stopped: boolean;
}

const PROBE_OF: Record<ProbeKind, 'livenessProbe' | 'readinessProbe' | 'startupProbe'> = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
};

const LABEL: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();
  private readonly byPod = new Map<string, Set<string>>();
  private readonly clock: Clock;
  private readonly run: (probe: Probe, target: ProbeTarget) => Promise<ProbeOutcome>;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.run = opts.run ?? runProbe;
  }

  /** Starts workers for the pod's running containers and stops those of containers that are gone. */
  sync(pod: Pod, state: PodRuntimeState): void {
    const uid = pod.metadata?.uid ?? '';
    const want = new Set<string>();
    const sandbox = state.sandboxes[0];
    for (const c of pod.spec?.containers ?? []) {
      const cur = state.containers.find((x) => x.name === c.name);
      if (!cur || cur.state !== 'running') continue;
      for (const kind of ['startup', 'liveness', 'readiness'] as const) {
        const probe = c[PROBE_OF[kind]];
        if (!probe) continue;
        const key = `${cur.id}/${kind}`;
        want.add(key);
        const w = this.workers.get(key);
        if (w) {
          w.pod = pod;
          w.podIP = sandbox?.ip ?? w.podIP;
        } else this.startWorker({ key, kind, podUid: uid, containerId: cur.id, container: c, probe, pod, podIP: sandbox?.ip ?? '' });
      }
    }
    for (const key of [...(this.byPod.get(uid) ?? [])]) if (!want.has(key)) this.stopWorker(key);
  }

  private startWorker(w: Omit<Worker, 'result' | 'successes' | 'failures' | 'stopped'>): void {
    const worker: Worker = { ...w, result: w.kind === 'liveness', successes: 0, failures: 0, stopped: false };
    this.workers.set(w.key, worker);
    let set = this.byPod.get(w.podUid);
    if (!set) this.byPod.set(w.podUid, (set = new Set()));
    set.add(w.key);
    this.schedule(worker, (w.probe.initialDelaySeconds ?? 0) * 1000);
  }

  private stopWorker(key: string): void {
    const w = this.workers.get(key);
    if (!w) return;
    w.stopped = true;
    w.timer?.cancel();
    this.workers.delete(key);
    this.byPod.get(w.podUid)?.delete(key);
    if (this.byPod.get(w.podUid)?.size === 0) this.byPod.delete(w.podUid);
  }

  removePod(uid: string): void {
    for (const key of [...(this.byPod.get(uid) ?? [])]) this.stopWorker(key);
  }

  stopAll(): void {
    for (const key of [...this.workers.keys()]) this.stopWorker(key);
  }

  private schedule(w: Worker, ms: number): void {
    if (w.stopped) return;
    w.timer = this.clock.setTimer(() => void this.tick(w), ms);
  }

  private async tick(w: Worker): Promise<void> {
    if (w.stopped) return;
    const period = (w.probe.periodSeconds || 10) * 1000;
    // Liveness and readiness wait for the startup probe; a passed startup probe stops.
    const startup = this.workers.get(`${w.containerId}/startup`);
    if (w.kind !== 'startup' && startup && !startup.result) return this.schedule(w, period);
    if (w.kind === 'startup' && w.result) return;
    const outcome = await this.run(w.probe, {
      podIP: w.podIP,
      container: w.container,
      exec: (cmd, timeoutMs) => this.opts.exec(w.containerId, cmd, timeoutMs),
    }).catch((err: Error) => ({ ok: false, message: err.message }));
    if (w.stopped) return;
    const before = w.result;
    if (outcome.ok) {
      w.failures = 0;
      w.successes++;
      if (w.successes >= (w.probe.successThreshold || 1)) w.result = true;
    } else {
      w.successes = 0;
      w.failures++;
      this.opts.onFailure(w.pod, w.container.name ?? '', w.kind, `${LABEL[w.kind]} probe failed: ${outcome.message}`);
      if (w.failures >= (w.probe.failureThreshold || 3)) w.result = false;
    }
    if (before !== w.result) {
      this.opts.logger.debug({ pod: w.pod.metadata?.name, container: w.container.name, probe: w.kind, result: w.result }, 'probe result changed');
      this.opts.onChange(w.podUid);
    }
    this.schedule(w, period);
  }

  private get(containerId: string, kind: ProbeKind): Worker | undefined {
    return this.workers.get(`${containerId}/${kind}`);
  }

  /** Ready by its readiness probe (true without one; false until a worker reports). */
  ready(containerId: string, container: Container): boolean {
    if (!container.readinessProbe) return true;
    return this.get(containerId, 'readiness')?.result ?? false;
  }

  started(containerId: string, container: Container): boolean {
    if (!container.startupProbe) return true;
    return this.get(containerId, 'startup')?.result ?? false;
  }

  /** Liveness (or startup) failed past its threshold: the container must be restarted. */
  mustRestart(containerId: string, container: Container): 'liveness' | 'startup' | undefined {
    const live = this.get(containerId, 'liveness');
    if (container.livenessProbe && live && !live.result) return 'liveness';
    const st = this.get(containerId, 'startup');
    if (container.startupProbe && st && !st.result && st.failures >= (st.probe.failureThreshold || 3)) return 'startup';
    return undefined;
  }
}
