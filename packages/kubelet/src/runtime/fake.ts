// FakeRuntime: a hollow node's runtime (kubemark's "hollow kubelet"). Nothing runs:
// containers are records that turn "running" fakeStartDelayMs after they are started and
// stay so until stopped. Pod IPs are deterministic strings from 10.244.<node>.<n>; no
// traffic ever goes there. Hundreds of these live in one process, so it holds no global
// state and a few small objects per pod.
import { Readable } from 'node:stream';
import type { Pod } from '@kubesim/api';
import { realClock, type Clock, type TimerHandle } from '@kubesim/client';
import {
  ImageError,
  type ContainerConfig,
  type ContainerInfo,
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

export interface FakeRuntimeOptions {
  nodeName: string;
  /** How long a started container takes to run (default 0). */
  startDelayMs?: number;
  clock?: Clock;
  /** Images a Never policy finds (default: every image). */
  imagePresent?: (image: string) => boolean;
}

/** The third octet of a hollow node's pod range: its trailing number, else a hash of its name. */
export function fakeNodeIndex(nodeName: string): number {
  const m = /(\d+)$/.exec(nodeName);
  if (m) return Number(m[1]) % 256;
  let h = 2166136261;
  for (let i = 0; i < nodeName.length; i++) h = Math.imul(h ^ nodeName.charCodeAt(i), 16777619) >>> 0;
  return h % 256;
}

interface FakePod {
  ref: PodRef;
  sandboxes: SandboxInfo[];
  containers: ContainerInfo[];
  timers: Set<TimerHandle>;
}

export class FakeRuntime implements Runtime {
  readonly kind = 'fake' as const;
  private readonly pods = new Map<string, FakePod>();
  /** host numbers (2..254 within 10.244.<node>.0/24, then beyond) in use */
  private readonly usedHosts = new Set<number>();
  private readonly ipOf = new Map<string, number>();
  private readonly listeners: Array<(uid: string) => void> = [];
  private readonly delay: number;
  private readonly clock: Clock;
  private readonly index: number;
  private readonly present: (image: string) => boolean;
  private seq = 0;

  constructor(opts: FakeRuntimeOptions) {
    this.delay = opts.startDelayMs ?? 0;
    this.clock = opts.clock ?? realClock;
    this.index = fakeNodeIndex(opts.nodeName);
    this.present = opts.imagePresent ?? (() => true);
  }

  async version(): Promise<RuntimeVersion> {
    return { containerRuntimeVersion: 'fake://0.1.0' };
  }

  async listPods(): Promise<Map<string, PodRuntimeState>> {
    const out = new Map<string, PodRuntimeState>();
    for (const [uid, p] of this.pods) out.set(uid, this.snapshot(p));
    return out;
  }

  async podState(ref: PodRef): Promise<PodRuntimeState> {
    const p = this.pods.get(ref.uid);
    return p ? this.snapshot(p) : { ref, sandboxes: [], containers: [] };
  }

  private snapshot(p: FakePod): PodRuntimeState {
    return { ref: p.ref, sandboxes: p.sandboxes.map((s) => ({ ...s })), containers: p.containers.map((c) => ({ ...c })) };
  }

  async ensureImage(image: string, policy: PullPolicy): Promise<EnsureImageResult> {
    if (policy === 'Never' && !this.present(image)) throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
    return { pulled: false, durationMs: 0 };
  }

  private allocateIP(uid: string): string {
    let host = this.ipOf.get(uid);
    if (host === undefined) {
      host = 2;
      while (this.usedHosts.has(host)) host++;
      this.usedHosts.add(host);
      this.ipOf.set(uid, host);
    }
    // Past 254 pods spill into the next /24s of 10.244-10.251.
    const third = (this.index + Math.floor(host / 255)) % 256;
    const second = 244 + (Math.floor((this.index + Math.floor(host / 255)) / 256) % 8);
    return `10.${second}.${third}.${host % 255}`;
  }

  private pod(ref: PodRef): FakePod {
    let p = this.pods.get(ref.uid);
    if (!p) this.pods.set(ref.uid, (p = { ref, sandboxes: [], containers: [], timers: new Set() }));
    return p;
  }

  async runSandbox(pod: Pod): Promise<SandboxInfo> {
    const ref = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
    const p = this.pod(ref);
    const sb: SandboxInfo = { id: this.newId(), podUid: ref.uid, running: true, ip: this.allocateIP(ref.uid), createdAt: this.clock.wallNow().getTime() + this.seq };
    p.sandboxes.unshift(sb);
    return { ...sb };
  }

  async startContainer(ref: PodRef, _sandbox: SandboxInfo, config: ContainerConfig): Promise<ContainerInfo> {
    const p = this.pod(ref);
    const now = this.clock.wallNow().getTime();
    const c: ContainerInfo = {
      id: this.newId(),
      podUid: ref.uid,
      name: config.name,
      restartCount: config.restartCount,
      state: this.delay > 0 ? 'created' : 'running',
      image: config.image,
      imageID: `fake://${config.image}`,
      createdAt: now + this.seq,
      startedAt: this.delay > 0 ? 0 : now,
      finishedAt: 0,
      exitCode: 0,
    };
    p.containers.unshift(c);
    if (this.delay > 0) {
      const t = this.clock.setTimer(() => {
        p.timers.delete(t);
        if (c.state !== 'created') return;
        c.state = 'running';
        c.startedAt = this.clock.wallNow().getTime();
        this.notify(ref.uid);
      }, this.delay);
      p.timers.add(t);
    }
    return { ...c };
  }

  private find(id: string): { pod: FakePod; container?: ContainerInfo; sandbox?: SandboxInfo } | undefined {
    for (const pod of this.pods.values()) {
      const container = pod.containers.find((c) => c.id === id);
      if (container) return { pod, container };
      const sandbox = pod.sandboxes.find((s) => s.id === id);
      if (sandbox) return { pod, sandbox };
    }
    return undefined;
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.find(id)?.container;
    if (!c || c.state === 'exited') return;
    c.state = 'exited';
    c.finishedAt = this.clock.wallNow().getTime();
    // A fake container stopped by the agent ends as SIGTERM would end it: cleanly.
    c.exitCode = 0;
  }

  async removeContainer(id: string): Promise<void> {
    const f = this.find(id);
    if (!f?.container) return;
    f.pod.containers = f.pod.containers.filter((c) => c.id !== id);
    this.gc(f.pod);
  }

  async stopSandbox(id: string): Promise<void> {
    const s = this.find(id)?.sandbox;
    if (s) {
      s.running = false;
      s.ip = '';
    }
  }

  async removeSandbox(id: string): Promise<void> {
    const f = this.find(id);
    if (!f?.sandbox) return;
    f.pod.sandboxes = f.pod.sandboxes.filter((s) => s.id !== id);
    this.gc(f.pod);
  }

  /** A pod with nothing left is forgotten, with its IP. */
  private gc(p: FakePod): void {
    if (p.containers.length || p.sandboxes.length) return;
    for (const t of p.timers) t.cancel();
    this.pods.delete(p.ref.uid);
    const host = this.ipOf.get(p.ref.uid);
    if (host !== undefined) this.usedHosts.delete(host);
    this.ipOf.delete(p.ref.uid);
  }

  async exec(): Promise<ExecResult> {
    return { exitCode: 0, output: '' };
  }

  async logs(_containerId: string, _opts: LogOptions): Promise<NodeJS.ReadableStream> {
    return Readable.from([]);
  }

  onPodEvent(listener: (podUid: string) => void): void {
    this.listeners.push(listener);
  }

  private notify(uid: string): void {
    for (const l of this.listeners) l(uid);
  }

  private newId(): string {
    return `${this.index.toString(16).padStart(2, '0')}${(++this.seq).toString(16).padStart(14, '0')}`;
  }

  async close(): Promise<void> {
    for (const p of this.pods.values()) for (const t of p.timers) t.cancel();
  }
}
