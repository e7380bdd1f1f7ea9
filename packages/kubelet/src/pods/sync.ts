// One pod's sync, level-triggered as the kubelet's SyncPod: compare the pod spec with
// what runs, make one step of progress (sandbox, image, container start or restart,
// kill on a failed liveness probe), then write the pod's status if it changed. Also the
// termination of deleted pods and the cleanup of containers no pod owns.
import { Buffer } from 'node:buffer';
import { deepCopy, isConflict, isNotFound, parseQuantity, type Container, type Pod, type PodStatus, type Service } from '@kubesim/api';
import type { Client, Clock, EventRecorder, Logger } from '@kubesim/client';
import type { ProbeManager } from '../prober/manager.js';
import { podRef } from '../runtime/docker.js';
import { ImageError, type ContainerConfig, type ContainerInfo, type PodRuntimeState, type PullPolicy, type Runtime, type SandboxInfo } from '../runtime/runtime.js';
import { Backoff, CRASH_BACKOFF, IMAGE_BACKOFF, type BackoffPolicy } from './backoff.js';
import { EnvError, envReferences, expandVars, resolveEnv, serviceEnv } from './env.js';
import { computePodStatus, type Waiting } from './status.js';
import { statusEqual } from './equal.js';

export interface SyncDeps {
  nodeName: string;
  runtime: Runtime;
  client: Client;
  recorder: EventRecorder;
  prober?: ProbeManager;
  hostIP(): string;
  allocatable: { cpu: string; memory: string };
  clock: Clock;
  log: Logger;
  crashBackoff?: BackoffPolicy;
  imageBackoff?: BackoffPolicy;
  /**
   * The cached Services of all namespaces, for service link env vars; undefined until
   * the cache has synced. Without it (no Service informer) containers get no links.
   */
  services?: () => Service[] | undefined;
}

export interface SyncResult {
  /** Sync again after this long (a backoff ends). */
  requeueAfterMs?: number;
}

const DEFAULT_GRACE = 30;

function gracePeriod(pod: Pod | undefined, deleting: boolean): number {
  if (!pod) return 0;
  if (deleting && pod.metadata?.deletionGracePeriodSeconds !== undefined) return pod.metadata.deletionGracePeriodSeconds;
  return pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE;
}

function pullPolicy(c: Container): PullPolicy {
  const p = c.imagePullPolicy;
  if (p === 'Always' || p === 'IfNotPresent' || p === 'Never') return p;
  const image = c.image ?? '';
  const tagged = /:[^/]+$/.test(image.replace(/@.*$/, ''));
  return !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : '0s'}` : `${s}s`;
}

function podDesc(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

function bytes(q: string | undefined): number {
  return q ? Number(parseQuantity(q) / 1000n) : 0;
}

function milli(q: string | undefined): number {
  return q ? Number(parseQuantity(q)) : 0;
}

export class PodSyncer {
  private readonly crash: Backoff;
  private readonly images: Backoff;
  /** The last failed image pull of each pod/image: when, and whether it was ErrImageNeverPull. */
  private readonly imageFailures = new Map<string, { at: number; never: boolean }>();

  constructor(private readonly d: SyncDeps) {
    this.crash = new Backoff(d.crashBackoff ?? CRASH_BACKOFF);
    this.images = new Backoff(d.imageBackoff ?? IMAGE_BACKOFF);
  }

  private now(): number {
    return this.d.clock.wallNow().getTime();
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.d.recorder.event(pod, type, reason, message);
  }

  /** Brings a live pod one step closer to its spec, then writes its status. */
  async sync(pod: Pod): Promise<SyncResult> {
    const ref = podRef(pod);
    const { runtime } = this.d;
    let state = await runtime.podState(ref);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // A finished pod never runs again: make sure nothing of it does.
      await this.killContainers(pod, state, gracePeriod(pod, false), false);
      for (const s of state.sandboxes) if (s.running) await runtime.stopSandbox(s.id);
      this.d.prober?.removePod(ref.uid);
      return {};
    }
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const waiting = new Map<string, Waiting>();
    let requeue = Infinity;
    const killed = new Set<string>();

    let sandbox: SandboxInfo | undefined = state.sandboxes[0];
    if (!sandbox?.running) {
      const ran = state.containers.length > 0;
      if (sandbox && ran && policy === 'Never') {
        // The sandbox died under containers that must not restart: the pod is over.
        await this.killContainers(pod, state, 0, false);
        state = await runtime.podState(ref);
        const { conflict } = await this.writeStatus(pod, state, waiting);
        return conflict ? { requeueAfterMs: 250 } : {};
      }
      if (sandbox) {
        this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
        for (const c of state.containers) if (c.state === 'running') killed.add(c.name);
        await this.killContainers(pod, state, 0, false);
        for (const s of state.sandboxes) await runtime.removeSandbox(s.id);
      }
      sandbox = await runtime.runSandbox(pod, state.sandboxes.length);
      this.d.log.info({ pod: `${ref.namespace}/${ref.name}`, sandbox: sandbox.id.slice(0, 12), ip: sandbox.ip }, 'started pod sandbox');
      state = await runtime.podState(ref);
    } else {
      // Older dead sandboxes of this pod are of no use.
      for (const s of state.sandboxes.slice(1)) if (!s.running) await runtime.removeSandbox(s.id);
    }

    for (const c of pod.spec?.containers ?? []) {
      const name = c.name ?? '';
      const instances = state.containers.filter((x) => x.name === name);
      let cur: ContainerInfo | undefined = instances[0];
      if (cur?.state === 'created' && runtime.kind === 'docker') {
        // Created but never started (the agent died in between): start over.
        await runtime.removeContainer(cur.id);
        instances.shift();
        cur = instances[0];
      }
      if (cur?.state === 'created') continue;
      if (cur?.state === 'running') {
        const why = this.d.prober?.mustRestart(cur.id, c);
        if (!why) continue;
        this.event(pod, 'Normal', 'Killing', `Container ${name} failed ${why} probe, will be restarted`);
        await runtime.stopContainer(cur.id, gracePeriod(pod, false));
        killed.add(name);
        cur = { ...cur, state: 'exited', finishedAt: this.now(), exitCode: 137 };
      }
      let restartCount = 0;
      if (cur) {
        const restart = killed.has(name) || policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0) || cur.state === 'unknown';
        if (!restart) continue;
        const key = `${ref.uid}/${name}`;
        const now = this.now();
        const remain = this.crash.remaining(key, cur.finishedAt || now, now);
        if (remain > 0) {
          const delay = this.crash.delay(key);
          waiting.set(name, { reason: 'CrashLoopBackOff', message: `back-off ${fmtDuration(delay)} restarting failed container=${name} pod=${podDesc(pod)}` });
          this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${podDesc(pod)}`);
          requeue = Math.min(requeue, remain + 50);
          continue;
        }
        this.crash.next(key, now);
        restartCount = cur.restartCount + 1;
      }
      const r = await this.startContainer(pod, c, sandbox, restartCount, waiting);
      if (r.requeueAfterMs !== undefined) requeue = Math.min(requeue, r.requeueAfterMs);
      if (r.started) {
        // Keep one dead instance (the last state, and `logs --previous`); drop older ones.
        for (const old of instances.slice(cur ? 1 : 0)) if (old.state !== 'running') await runtime.removeContainer(old.id);
      }
    }

    state = await runtime.podState(ref);
    this.d.prober?.sync(pod, state);
    const { status, conflict } = await this.writeStatus(pod, state, waiting);
    // The informer brings the newer pod within moments; the status is written then.
    if (conflict) requeue = Math.min(requeue, 250);
    if (status && (status.phase === 'Succeeded' || status.phase === 'Failed')) {
      for (const s of state.sandboxes) if (s.running) await runtime.stopSandbox(s.id);
      this.d.prober?.removePod(ref.uid);
    }
    return Number.isFinite(requeue) ? { requeueAfterMs: requeue } : {};
  }

  private async startContainer(pod: Pod, c: Container, sandbox: SandboxInfo, restartCount: number, waiting: Map<string, Waiting>): Promise<{ started: boolean; requeueAfterMs?: number }> {
    const { runtime } = this.d;
    const ref = podRef(pod);
    const name = c.name ?? '';
    const image = c.image ?? '';
    const policy = pullPolicy(c);
    const key = `${ref.uid}/${image}`;
    const now = this.now();
    const failure = this.imageFailures.get(key);
    const remain = failure ? this.images.remaining(key, failure.at, now) : 0;
    if (failure && remain > 0) {
      const reason = failure.never ? 'ErrImageNeverPull' : 'ImagePullBackOff';
      const message = reason === 'ErrImageNeverPull' ? `Container image "${image}" is not present with pull policy of Never` : `Back-off pulling image "${image}"`;
      waiting.set(name, { reason, message });
      if (reason === 'ImagePullBackOff') {
        this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
        this.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      }
      return { started: false, requeueAfterMs: remain + 50 };
    }
    try {
      // "Pulling" only when a pull starts: an image used as it is gets "already present" alone, as kubelet's events go.
      const r = await runtime.ensureImage(image, policy, () => this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`));
      this.images.reset(key);
      this.imageFailures.delete(key);
      if (r.pulled) this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${(r.durationMs / 1000).toFixed(3)}s`);
      else this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      const delay = this.images.next(key, now);
      this.imageFailures.set(key, { at: now, never: err.reason === 'ErrImageNeverPull' });
      if (err.reason === 'ErrImageNeverPull') {
        this.event(pod, 'Warning', 'ErrImageNeverPull', err.message);
        this.event(pod, 'Warning', 'Failed', 'Error: ErrImageNeverPull');
        waiting.set(name, { reason: 'ErrImageNeverPull', message: err.message });
      } else {
        this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${err.message}`);
        this.event(pod, 'Warning', 'Failed', `Error: ${err.reason}`);
        waiting.set(name, { reason: err.reason, message: `Failed to pull image "${image}": ${err.message}` });
      }
      // Sync again soon so the status shows the back-off (ImagePullBackOff), as kubelet's
      // frequent syncs do; that sync requeues for the end of the back-off.
      return { started: false, requeueAfterMs: Math.min(delay, 1000) };
    }
    let config: ContainerConfig;
    try {
      config = await this.containerConfig(pod, c, sandbox, restartCount);
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      this.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
      waiting.set(name, { reason: 'CreateContainerConfigError', message: err.message });
      return { started: false, requeueAfterMs: 10_000 };
    }
    try {
      const info = await runtime.startContainer(ref, sandbox, config);
      this.event(pod, 'Normal', 'Created', `Created container: ${name}`);
      this.event(pod, 'Normal', 'Started', `Started container ${name}`);
      this.d.log.info({ pod: `${ref.namespace}/${ref.name}`, container: name, id: info.id.slice(0, 12), restartCount }, 'started container');
      return { started: true };
    } catch (err) {
      const msg = (err as Error).message.replace(/^\(HTTP code \d+\) [^-]+- /, '');
      this.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
      waiting.set(name, { reason: 'RunContainerError', message: msg });
      const key2 = `${ref.uid}/${name}`;
      return { started: false, requeueAfterMs: this.crash.next(key2, now) };
    }
  }

  private async containerConfig(pod: Pod, c: Container, sandbox: SandboxInfo, restartCount: number): Promise<ContainerConfig> {
    const ns = pod.metadata?.namespace ?? 'default';
    const refs = envReferences(c);
    const configMaps = new Map<string, Record<string, string> | undefined>();
    const secrets = new Map<string, Record<string, string> | undefined>();
    for (const name of refs.configMaps) {
      try {
        configMaps.set(name, (await this.d.client.get('configmaps', ns, name)).data ?? {});
      } catch (err) {
        if (!isNotFound(err)) throw err;
        configMaps.set(name, undefined);
      }
    }
    for (const name of refs.secrets) {
      try {
        const data = (await this.d.client.get('secrets', ns, name)).data ?? {};
        secrets.set(name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        secrets.set(name, undefined);
      }
    }
    let links;
    if (this.d.services) {
      const services = this.d.services();
      // As the kubelet: starting a container without the Services would silently drop links.
      if (!services) throw new EnvError('services have not yet been read at least once, cannot construct envvars');
      links = serviceEnv(services, pod);
    }
    const env = resolveEnv(pod, c, { podIP: sandbox.ip, hostIP: this.d.hostIP(), nodeAllocatable: this.d.allocatable, configMaps, secrets, serviceEnv: links });
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    return {
      name: c.name ?? '',
      image: c.image ?? '',
      command: c.command?.map((s) => expandVars(s, env)),
      args: c.args?.map((s) => expandVars(s, env)),
      env,
      workingDir: c.workingDir || undefined,
      memoryLimit: bytes(limits.memory),
      cpuLimitMilli: milli(limits.cpu),
      cpuRequestMilli: milli(requests.cpu ?? limits.cpu),
      ports: (c.ports ?? []).map((p) => ({ containerPort: p.containerPort ?? 0, hostPort: p.hostPort, protocol: p.protocol ?? 'TCP' })),
      tty: !!c.tty,
      stdin: !!c.stdin,
      restartCount,
    };
  }

  /** Stops the pod's running containers (SIGTERM, then SIGKILL after grace), in parallel. */
  private async killContainers(pod: Pod | undefined, state: PodRuntimeState, grace: number, announce: boolean): Promise<void> {
    await Promise.all(
      state.containers
        .filter((c) => c.state === 'running' || c.state === 'created')
        .map(async (c) => {
          if (announce && pod) this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
          await this.d.runtime.stopContainer(c.id, grace);
        }),
    );
  }

  /** Computes the pod's status and writes it when it differs from the pod's. */
  /** `conflict`: the write lost a race with a newer pod; sync again once the cache has it. */
  private async writeStatus(pod: Pod, state: PodRuntimeState, waiting: Map<string, Waiting>): Promise<{ status?: PodStatus; conflict?: boolean }> {
    const prober = this.d.prober;
    const specOf = (id: string) => pod.spec?.containers?.find((c) => c.name === state.containers.find((x) => x.id === id)?.name) ?? {};
    const status = computePodStatus({
      pod,
      runtime: state,
      runtimeKind: this.d.runtime.kind,
      hostIP: this.d.hostIP(),
      now: this.d.clock.wallNow(),
      waiting,
      probes: {
        ready: (id) => (prober ? prober.ready(id, specOf(id)) : true),
        started: (id) => (prober ? prober.started(id, specOf(id)) : true),
      },
    });
    if (statusEqual(pod.status, status)) return { status };
    const next = deepCopy(pod);
    next.status = status;
    try {
      await this.d.client.updateStatus(next);
    } catch (err) {
      // A newer pod is on its way through the informer; its sync writes then.
      if (isConflict(err)) return { conflict: true };
      if (isNotFound(err)) return {};
      throw err;
    }
    return { status };
  }

  /** Stops a deleted pod's containers gracefully, removes them and confirms the deletion. */
  async terminate(pod: Pod): Promise<void> {
    const ref = podRef(pod);
    const grace = gracePeriod(pod, true);
    const state = await this.d.runtime.podState(ref);
    this.d.prober?.removePod(ref.uid);
    await this.killContainers(pod, state, grace, true);
    await this.removeAll(state);
    this.forget(ref.uid);
    try {
      await this.d.client.delete('pods', ref.namespace, ref.name, { gracePeriodSeconds: 0, preconditions: { uid: ref.uid } });
      this.d.log.info({ pod: `${ref.namespace}/${ref.name}` }, 'pod terminated and deleted');
    } catch (err) {
      // Gone already, or a new pod took the name (the uid precondition failed).
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Kills and removes what runs for a pod the API no longer has. */
  async cleanup(uid: string, lastKnown: Pod | undefined, state?: PodRuntimeState): Promise<void> {
    const ref = lastKnown ? podRef(lastKnown) : state?.ref ?? { namespace: '', name: '', uid };
    const s = state ?? (await this.d.runtime.podState(ref));
    this.d.prober?.removePod(uid);
    if (s.containers.length || s.sandboxes.length) {
      await this.killContainers(lastKnown, s, lastKnown ? Math.min(gracePeriod(lastKnown, true), 2) : 0, false);
      await this.removeAll(s);
      this.d.log.info({ pod: `${ref.namespace}/${ref.name}`, uid, containers: s.containers.length }, 'removed containers of a pod that is gone');
    }
    this.forget(uid);
  }

  private async removeAll(state: PodRuntimeState): Promise<void> {
    for (const c of state.containers) await this.d.runtime.removeContainer(c.id);
    for (const s of state.sandboxes) {
      await this.d.runtime.stopSandbox(s.id);
      await this.d.runtime.removeSandbox(s.id);
    }
  }

  private forget(uid: string): void {
    this.crash.resetPrefix(`${uid}/`);
    this.images.resetPrefix(`${uid}/`);
    for (const k of this.imageFailures.keys()) if (k.startsWith(`${uid}/`)) this.imageFailures.delete(k);
  }
}
