// DockerRuntime: pods as Docker containers, through the Engine API (docker-engine.ts). A pod is
// a sandbox (kubesim/pause) that owns the network namespace, on Docker's bridge so it
// gets an IP, plus app containers joined to it with NetworkMode container:<sandbox>.
// Every object carries the labels in labels.ts; the runtime keeps no state of its own
// beyond a cache of finished containers' inspections (they never change).
import { PassThrough } from 'node:stream';
import type { Pod } from '@kubesim/api';
import type { Logger } from '@kubesim/client';
import {
  LABEL_CONTAINER_NAME,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_ROLE,
  SANDBOX_CONTAINER_NAME,
  dockerName,
  objectLabels,
} from './labels.js';
import {
  ImageError,
  type ContainerConfig,
  type ContainerInfo,
  type ContainerRunState,
  type EnsureImageResult,
  type ExecResult,
  type LogOptions,
  type PodRef,
  type PodRuntimeState,
  type PullPolicy,
  type Runtime,
  type RuntimeVersion,
  type SandboxInfo,
} from './runtime.js';
import { podDnsSettings } from './dns.js';
import { DockerEngine, demuxStream, type ContainerCreateOptions, type ContainerInspect, type HostConfig } from './docker-engine.js';
import { PodIPAllocator } from '../network/pod-ips.js';
import type { CIDR } from '@kubesim/api';

export const PAUSE_IMAGE = 'kubesim/pause:latest';

export interface DockerRuntimeOptions {
  nodeName: string;
  socketPath?: string;
  /** The Docker network sandboxes join (default "bridge"). */
  network?: string;
  pauseImage?: string;
  /** The cluster DNS address ClusterFirst pods resolve through (none: Docker's resolver). */
  clusterDNS?: string;
  /** The cluster domain of search paths (default cluster.local). */
  clusterDomain?: string;
  logger: Logger;
}

function epoch(ts: string | undefined): number {
  if (!ts || ts.startsWith('0001-')) return 0;
  const t = Date.parse(ts);
  return Number.isFinite(t) ? t : 0;
}

function runState(status: string | undefined): ContainerRunState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

function refOf(labels: Record<string, string>): PodRef {
  return { namespace: labels[LABEL_POD_NAMESPACE] ?? '', name: labels[LABEL_POD_NAME] ?? '', uid: labels[LABEL_POD_UID] ?? '' };
}

export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  private readonly docker: DockerEngine;
  private readonly node: string;
  private readonly network: string;
  private readonly pauseImage: string;
  private readonly log: Logger;
  private readonly dns: { clusterDNS?: string; clusterDomain?: string };
  /** Inspections of finished containers, by id: they no longer change. */
  private readonly finished = new Map<string, ContainerInspect>();
  private readonly listeners: Array<(uid: string) => void> = [];
  private events: { destroy(): void } | undefined;
  private closed = false;
  /** Set in shared-host networking: sandboxes get addresses from the node's pod CIDR. */
  private podIPs: PodIPAllocator | undefined;

  constructor(opts: DockerRuntimeOptions) {
    this.docker = new DockerEngine(opts.socketPath ?? '/var/run/docker.sock');
    this.node = opts.nodeName;
    this.network = opts.network ?? 'bridge';
    this.pauseImage = opts.pauseImage ?? PAUSE_IMAGE;
    this.dns = { clusterDNS: opts.clusterDNS, clusterDomain: opts.clusterDomain };
    this.log = opts.logger.child({ runtime: 'docker' });
  }

  /** The Engine API client (the network setup inspects the cluster network through it). */
  get engine(): DockerEngine {
    return this.docker;
  }

  /** From now on, sandboxes get their IPs from this CIDR (the node's pod CIDR). */
  setPodCIDR(cidr: CIDR): void {
    this.podIPs = new PodIPAllocator(cidr);
  }

  /** Addresses held by this node's running sandboxes on the pod network. */
  private async sandboxIPs(): Promise<Set<string>> {
    const list = await this.docker.listContainers({ labels: [`${LABEL_NODE}=${this.node}`, `${LABEL_ROLE}=sandbox`] });
    return new Set(list.map((c) => c.NetworkSettings?.Networks?.[this.network]?.IPAddress ?? '').filter(Boolean));
  }

  async version(): Promise<RuntimeVersion> {
    const v = await this.docker.version();
    return { containerRuntimeVersion: `docker://${v.Version}` };
  }

  async listPods(): Promise<Map<string, PodRuntimeState>> {
    const list = await this.docker.listContainers({ all: true, labels: [`${LABEL_NODE}=${this.node}`] });
    const pods = new Map<string, PodRuntimeState>();
    for (const c of list) {
      const labels = c.Labels ?? {};
      const ref = refOf(labels);
      let p = pods.get(ref.uid);
      if (!p) pods.set(ref.uid, (p = { ref, sandboxes: [], containers: [] }));
      const state = runState(c.State);
      if (labels[LABEL_ROLE] === 'sandbox') {
        p.sandboxes.push({ id: c.Id, podUid: ref.uid, running: state === 'running', ip: c.NetworkSettings?.Networks?.[this.network]?.IPAddress ?? '', createdAt: c.Created * 1000 });
      } else {
        const exit = /Exited \((\d+)\)/.exec(c.Status ?? '');
        p.containers.push({
          id: c.Id,
          podUid: ref.uid,
          name: labels[LABEL_CONTAINER_NAME] ?? '',
          restartCount: Number(labels[LABEL_RESTART_COUNT] ?? 0),
          state,
          image: c.Image,
          imageID: c.ImageID,
          createdAt: c.Created * 1000,
          startedAt: 0,
          finishedAt: 0,
          exitCode: exit ? Number(exit[1]) : 0,
        });
      }
    }
    for (const p of pods.values()) sortNewestFirst(p);
    return pods;
  }

  async podState(ref: PodRef): Promise<PodRuntimeState> {
    const list = await this.docker.listContainers({ all: true, labels: [`${LABEL_NODE}=${this.node}`, `${LABEL_POD_UID}=${ref.uid}`] });
    const state: PodRuntimeState = { ref, sandboxes: [], containers: [] };
    const infos = await Promise.all(list.map((c) => this.inspect(c.Id)));
    for (const info of infos) {
      if (!info) continue;
      const labels = info.Config.Labels ?? {};
      if (labels[LABEL_ROLE] === 'sandbox') state.sandboxes.push(this.sandboxInfo(info));
      else state.containers.push(this.containerInfo(info));
    }
    sortNewestFirst(state);
    // Finished containers that are gone (removed) leave the cache.
    const ids = new Set(list.map((c) => c.Id));
    for (const id of this.finished.keys()) if (!ids.has(id) && this.finishedPod(id) === ref.uid) this.finished.delete(id);
    return state;
  }

  private finishedPod(id: string): string | undefined {
    return this.finished.get(id)?.Config.Labels?.[LABEL_POD_UID];
  }

  private async inspect(id: string): Promise<ContainerInspect | undefined> {
    const cached = this.finished.get(id);
    if (cached) return cached;
    try {
      const info = await this.docker.inspectContainer(id);
      if (runState(info.State.Status) === 'exited' && info.State.Status !== 'removing') this.finished.set(id, info);
      return info;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  private sandboxInfo(info: ContainerInspect): SandboxInfo {
    const running = info.State.Running;
    const nets = info.NetworkSettings?.Networks ?? {};
    const ip = running ? (nets[this.network]?.IPAddress || info.NetworkSettings?.IPAddress || Object.values(nets)[0]?.IPAddress || '') : '';
    return { id: info.Id, podUid: info.Config.Labels?.[LABEL_POD_UID] ?? '', running, ip, createdAt: epoch(info.Created) };
  }

  private containerInfo(info: ContainerInspect): ContainerInfo {
    const labels = info.Config.Labels ?? {};
    const s = info.State;
    return {
      id: info.Id,
      podUid: labels[LABEL_POD_UID] ?? '',
      name: labels[LABEL_CONTAINER_NAME] ?? '',
      restartCount: Number(labels[LABEL_RESTART_COUNT] ?? 0),
      state: runState(s.Status),
      image: info.Config.Image,
      imageID: info.Image,
      createdAt: epoch(info.Created),
      startedAt: epoch(s.StartedAt),
      finishedAt: epoch(s.FinishedAt),
      exitCode: s.ExitCode ?? 0,
      reason: s.OOMKilled ? 'OOMKilled' : undefined,
      message: s.Error || undefined,
    };
  }

  async ensureImage(image: string, policy: PullPolicy, onPull?: () => void): Promise<EnsureImageResult> {
    const present = await this.imagePresent(image);
    if (policy === 'Never') {
      if (present) return { pulled: false, durationMs: 0 };
      throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
    }
    if (policy === 'IfNotPresent' && present) return { pulled: false, durationMs: 0 };
    onPull?.();
    const t0 = Date.now();
    try {
      await this.docker.pullImage(image);
      return { pulled: true, durationMs: Date.now() - t0 };
    } catch (err) {
      // Offline machines build their images locally: with no registry to ask, an image
      // that is here is the best answer to "Always" (Kubernetes would fail the pull).
      if (present) {
        this.log.debug({ image, err: (err as Error).message }, 'pull failed; using the local image');
        return { pulled: false, durationMs: 0 };
      }
      throw new ImageError('ErrImagePull', (err as Error).message);
    }
  }

  private async imagePresent(image: string): Promise<boolean> {
    try {
      await this.docker.inspectImage(image);
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw new ImageError('ErrImageInspect', `Failed to inspect image "${image}": ${(err as Error).message}`);
    }
  }

  async runSandbox(pod: Pod, attempt: number): Promise<SandboxInfo> {
    const ref = podRef(pod);
    const hostname = (pod.spec?.hostname || ref.name).slice(0, 63).replace(/\.+$/, '');
    const name = dockerName(this.node, ref, SANDBOX_CONTAINER_NAME, attempt);
    await this.ensureImage(this.pauseImage, 'IfNotPresent');
    let ip: string | undefined;
    if (this.podIPs) {
      const listedAt = Date.now();
      const inUse = await this.sandboxIPs();
      ip = this.podIPs.reserve(inUse, listedAt);
      if (!ip) throw new Error(`no free pod IP left in ${this.podIPs.cidr.text} (${inUse.size} in use)`);
    }
    try {
      return await this.startSandbox(pod, attempt, name, hostname, ip);
    } catch (err) {
      if (ip) this.podIPs?.release(ip);
      throw err;
    }
  }

  private async startSandbox(pod: Pod, attempt: number, name: string, hostname: string, ip: string | undefined): Promise<SandboxInfo> {
    const ref = podRef(pod);
    const id = await this.create({
      name,
      Image: this.pauseImage,
      Hostname: hostname,
      Labels: objectLabels(this.node, ref, SANDBOX_CONTAINER_NAME, 'sandbox', attempt),
      HostConfig: {
        NetworkMode: this.network,
        // The pod's ports with a hostPort are published by the sandbox, which owns the network.
        PortBindings: hostPorts(pod),
        Init: false,
        // Only the sandbox takes DNS settings: app containers joined to its network share its resolv.conf.
        ...podDnsSettings(pod, this.dns),
      },
      ExposedPorts: exposedPorts(pod),
      ...(ip ? { NetworkingConfig: { EndpointsConfig: { [this.network]: { IPAMConfig: { IPv4Address: ip } } } } } : {}),
    });
    await this.docker.startContainer(id);
    return this.sandboxInfo(await this.docker.inspectContainer(id));
  }

  async startContainer(ref: PodRef, sandbox: SandboxInfo, config: ContainerConfig): Promise<ContainerInfo> {
    const name = dockerName(this.node, ref, config.name, config.restartCount);
    const HostConfig: HostConfig = { NetworkMode: `container:${sandbox.id}` };
    if (config.memoryLimit > 0) HostConfig.Memory = config.memoryLimit;
    if (config.cpuLimitMilli > 0) HostConfig.NanoCpus = config.cpuLimitMilli * 1_000_000;
    // Kubernetes' milli-CPU to shares: 1024 per core, at least 2.
    if (config.cpuRequestMilli > 0) HostConfig.CpuShares = Math.max(2, Math.floor((config.cpuRequestMilli * 1024) / 1000));
    const id = await this.create({
      name,
      Image: config.image,
      Entrypoint: config.command,
      Cmd: config.args ?? (config.command ? [] : undefined),
      Env: Object.entries(config.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: config.workingDir,
      Tty: config.tty,
      OpenStdin: config.stdin,
      Labels: objectLabels(this.node, ref, config.name, 'app', config.restartCount),
      HostConfig,
    });
    await this.docker.startContainer(id);
    const info = await this.inspect(id);
    if (!info) throw new Error(`container ${id} vanished after start`);
    return this.containerInfo(info);
  }

  /** Creates a container; a leftover of the same name (a crash between create and record) is removed first. */
  private async create(opts: ContainerCreateOptions): Promise<string> {
    try {
      return await this.docker.createContainer(opts);
    } catch (err) {
      if (statusCode(err) !== 409 || !opts.name) throw err;
      await this.docker.removeContainer(opts.name, true).catch(() => undefined);
      return this.docker.createContainer(opts);
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    try {
      // Docker sends the image's stop signal (SIGTERM), waits t seconds, then SIGKILL.
      await this.docker.stopContainer(id, Math.max(0, Math.ceil(graceSeconds)));
    } catch (err) {
      // 304: already stopped; 404: already gone.
      if (statusCode(err) !== 304 && statusCode(err) !== 404) throw err;
    }
  }

  async removeContainer(id: string): Promise<void> {
    this.finished.delete(id);
    try {
      await this.docker.removeContainer(id, true);
    } catch (err) {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err;
    }
  }

  stopSandbox(id: string): Promise<void> {
    return this.stopContainer(id, 0);
  }

  removeSandbox(id: string): Promise<void> {
    return this.removeContainer(id);
  }

  async exec(containerId: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    const execId = await this.docker.createExec(containerId, command);
    const stream = await this.docker.startExec(execId);
    const out = new PassThrough();
    let output = '';
    out.on('data', (b: Buffer) => {
      if (output.length < 10_240) output += b.toString();
    });
    demuxStream(stream, out);
    const done = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const r = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    if (r === 'timeout') {
      stream.destroy();
      throw new Error(`command timed out after ${timeoutMs / 1000}s`);
    }
    const info = await this.docker.inspectExec(execId);
    return { exitCode: info.ExitCode ?? -1, output };
  }

  async logs(containerId: string, opts: LogOptions): Promise<NodeJS.ReadableStream> {
    const info = await this.docker.inspectContainer(containerId);
    const stream = await this.docker.containerLogs(containerId, {
      follow: opts.follow ?? false,
      timestamps: opts.timestamps ?? false,
      tail: opts.tailLines,
      since: opts.sinceSeconds ? Math.floor(Date.now() / 1000) - opts.sinceSeconds : 0,
    });
    const out = new PassThrough();
    if (info.Config.Tty) stream.pipe(out);
    else {
      demuxStream(stream, out);
      stream.on('end', () => out.end());
    }
    stream.on('error', (err) => out.destroy(err));
    out.on('close', () => stream.destroy());
    return out;
  }

  onPodEvent(listener: (podUid: string) => void): void {
    this.listeners.push(listener);
    if (!this.events) void this.watchEvents(0);
  }

  /** Docker's event stream is the PLEG: a container of ours started or died -> its pod syncs. */
  private async watchEvents(failures: number): Promise<void> {
    if (this.closed) return;
    try {
      const stream = await this.docker.events({ type: ['container'], label: [`${LABEL_NODE}=${this.node}`], event: ['start', 'die', 'oom', 'destroy'] });
      this.events = stream;
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          try {
            const ev = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
            const uid = ev.Actor?.Attributes?.[LABEL_POD_UID];
            if (uid) for (const l of this.listeners) l(uid);
          } catch {
            // a partial or foreign line: ignore
          }
        }
      });
      await new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      failures = 0;
    } catch (err) {
      failures++;
      this.log.warn({ err: (err as Error).message }, 'docker event stream failed');
    }
    if (this.closed) return;
    setTimeout(() => void this.watchEvents(failures), Math.min(5000, 200 * 2 ** failures)).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events?.destroy();
    this.docker.close();
  }
}

function sortNewestFirst(p: PodRuntimeState): void {
  p.sandboxes.sort((a, b) => b.createdAt - a.createdAt);
  p.containers.sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
}

export function podRef(pod: Pod): PodRef {
  return { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

function hostPorts(pod: Pod): Record<string, Array<{ HostPort: string; HostIp?: string }>> | undefined {
  const out: Record<string, Array<{ HostPort: string; HostIp?: string }>> = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || !p.containerPort) continue;
      const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
      (out[key] ??= []).push({ HostPort: String(p.hostPort), HostIp: p.hostIP || undefined });
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function exposedPorts(pod: Pod): Record<string, Record<string, never>> | undefined {
  const out: Record<string, Record<string, never>> = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort && p.containerPort) out[`${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`] = {};
  }
  return Object.keys(out).length ? out : undefined;
}
