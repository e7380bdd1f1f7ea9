// The container runtime as the node agent sees it (a small CRI): sandboxes that own a
// pod's network, app containers joined to them, images, exec and logs. DockerRuntime
// runs real containers; FakeRuntime only pretends, for hollow nodes.
import type { Pod } from '@kubesim/api';

/** What the runtime needs to know of a pod to label and name what it makes. */
export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export type ContainerRunState = 'created' | 'running' | 'exited' | 'unknown';

export interface SandboxInfo {
  id: string;
  podUid: string;
  running: boolean;
  /** The pod's IP (empty when the sandbox is not running). */
  ip: string;
  createdAt: number;
}

export interface ContainerInfo {
  id: string;
  podUid: string;
  /** The container's name in the pod spec. */
  name: string;
  /** Attempt number of this container name in this pod (0 first, then 1, 2, ...). */
  restartCount: number;
  state: ContainerRunState;
  image: string;
  imageID: string;
  /** Epoch ms; 0 when unknown. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** Set when the runtime knows why it ended, e.g. "OOMKilled". */
  reason?: string;
  message?: string;
}

/** What runs for one pod uid on this node. */
export interface PodRuntimeState {
  ref: PodRef;
  /** Newest sandbox first. */
  sandboxes: SandboxInfo[];
  /** Every instance of every container, newest first. */
  containers: ContainerInfo[];
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Why an image could not be had: ErrImagePull or ErrImageNeverPull, as kubelet says. */
export class ImageError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'ErrImageInspect',
    message: string,
  ) {
    super(message);
  }
}

export interface EnsureImageResult {
  /** True when a pull happened, false when the local image was used. */
  pulled: boolean;
  /** How long the pull took, ms. */
  durationMs: number;
}

/** The resolved configuration of one app container. */
export interface ContainerConfig {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Bytes; 0 = no limit. */
  memoryLimit: number;
  /** Limit in milli-CPU; 0 = no limit. */
  cpuLimitMilli: number;
  /** Request in milli-CPU (CPU shares); 0 = default. */
  cpuRequestMilli: number;
  ports: Array<{ containerPort: number; hostPort?: number; protocol: string }>;
  tty: boolean;
  stdin: boolean;
  restartCount: number;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface LogOptions {
  follow?: boolean;
  /** The previous (dead) instance instead of the current one. */
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

export interface RuntimeVersion {
  /** "docker://20.10.24", "fake://0.1.0" */
  containerRuntimeVersion: string;
}

export interface Runtime {
  readonly kind: 'docker' | 'fake';
  /** Throws when the runtime cannot be reached (the node is then NotReady). */
  version(): Promise<RuntimeVersion>;
  /** Everything this node's agent made, grouped by pod uid. */
  listPods(): Promise<Map<string, PodRuntimeState>>;
  /** What runs for one pod (empty lists when nothing). */
  podState(ref: PodRef): Promise<PodRuntimeState>;
  /** Makes the image present as the policy says; `onPull` runs just before a pull starts (none when the image is used as it is). */
  ensureImage(image: string, policy: PullPolicy, onPull?: () => void): Promise<EnsureImageResult>;
  /** Creates and starts a sandbox; the pod's IP is in the result. */
  runSandbox(pod: Pod, attempt: number): Promise<SandboxInfo>;
  /** Creates and starts an app container in the sandbox. */
  startContainer(ref: PodRef, sandbox: SandboxInfo, config: ContainerConfig): Promise<ContainerInfo>;
  /** SIGTERM, then SIGKILL after graceSeconds. Idempotent. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  stopSandbox(id: string): Promise<void>;
  removeSandbox(id: string): Promise<void>;
  exec(containerId: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** A container's log stream (stdout and stderr interleaved as text). */
  logs(containerId: string, opts: LogOptions): Promise<NodeJS.ReadableStream>;
  /** Called with a pod uid whenever something of that pod changed in the runtime (a PLEG). */
  onPodEvent(listener: (podUid: string) => void): void;
  close(): Promise<void>;
}
