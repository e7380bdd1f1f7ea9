// A small client of the Docker Engine API (HTTP on the engine's unix socket), for the
// dozen calls the node agent makes. It replaces dockerode, which at require time loads
// ssh2, tar streams and its own copy of grpc-js with BuildKit's protos: 9 MiB of memory
// in every node agent for code the agent never runs. Types cover only the fields read.
import http from 'node:http';
import type { Readable, Writable } from 'node:stream';

/** An engine answer with an error status; `statusCode` is what callers branch on (304, 404, 409). */
export class DockerEngineError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerEngineError';
  }
}

export interface ContainerSummary {
  Id: string;
  Image: string;
  ImageID: string;
  Created: number;
  State?: string;
  Status?: string;
  Labels?: Record<string, string>;
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> };
}

export interface ContainerInspect {
  Id: string;
  Created: string;
  Image: string;
  Config: { Image: string; Labels?: Record<string, string>; Tty?: boolean };
  State: { Status: string; Running: boolean; StartedAt?: string; FinishedAt?: string; ExitCode?: number; OOMKilled?: boolean; Error?: string };
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> };
}

export interface HostConfig {
  NetworkMode?: string;
  PortBindings?: Record<string, Array<{ HostPort: string; HostIp?: string }>>;
  Init?: boolean;
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  ExtraHosts?: string[];
  Memory?: number;
  NanoCpus?: number;
  CpuShares?: number;
}

export interface ContainerCreateOptions {
  name?: string;
  Image: string;
  Hostname?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig: Record<string, { IPAMConfig?: { IPv4Address?: string } }> };
}

export interface NetworkInspect {
  Id: string;
  Driver: string;
  Options?: Record<string, string>;
  IPAM?: { Config?: Array<{ Subnet?: string }> };
}

export interface NetworkCreateOptions {
  Name: string;
  Driver: string;
  CheckDuplicate?: boolean;
  IPAM?: { Driver: string; Config: Array<{ Subnet: string; Gateway?: string }> };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

export interface LogsQuery {
  follow: boolean;
  timestamps: boolean;
  tail?: number;
  since?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

function queryString(q: Query | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q ?? {})) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'boolean' ? (v ? '1' : '0') : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Splits a reference into the engine's fromImage and tag; no tag means "latest" (an empty tag pulls every tag). */
export function pullReference(image: string): { fromImage: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { fromImage: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { fromImage: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { fromImage: image, tag: 'latest' };
}

/**
 * Copies the engine's multiplexed stream (frames: 1 byte stream id, 3 padding, 4 bytes
 * big-endian length, payload) to `out` as plain bytes, across chunk boundaries.
 */
export function demuxStream(src: Readable, out: Writable): void {
  let pending: Buffer = Buffer.alloc(0);
  src.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let i = 0;
    while (i + 8 <= pending.length) {
      const len = pending.readUInt32BE(i + 4);
      if (i + 8 + len > pending.length) break;
      out.write(pending.subarray(i + 8, i + 8 + len));
      i += 8 + len;
    }
    pending = pending.subarray(i);
  });
}

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function errorOf(status: number, body: Buffer): DockerEngineError {
  let message = body.toString().trim();
  try {
    const parsed = JSON.parse(message) as { message?: string };
    if (parsed.message) message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  return new DockerEngineError(status, message || `HTTP ${status}`);
}

export class DockerEngine {
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(private readonly socketPath = '/var/run/docker.sock') {}

  /** Sends a request; resolves with the response once its status is known to be a success. */
  private async send(method: string, path: string, opts: { query?: Query; body?: unknown; stream?: boolean } = {}): Promise<http.IncomingMessage> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          // Streams (logs -f, events, exec output) hold their connection: keep them off the pool.
          agent: opts.stream ? false : this.agent,
          method,
          path: `${path}${queryString(opts.query)}`,
          headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
    const status = res.statusCode ?? 0;
    if (status >= 400) throw errorOf(status, await readAll(res));
    if (status === 304) {
      res.resume();
      throw new DockerEngineError(304, 'not modified');
    }
    return res;
  }

  private async json<T>(method: string, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    const body = await readAll(await this.send(method, path, opts));
    return (body.length ? JSON.parse(body.toString()) : undefined) as T;
  }

  private async empty(method: string, path: string, query?: Query): Promise<void> {
    (await this.send(method, path, { query })).resume();
  }

  version(): Promise<{ Version: string; ApiVersion: string }> {
    return this.json('GET', '/version');
  }

  listContainers(opts: { all?: boolean; labels: string[] }): Promise<ContainerSummary[]> {
    return this.json('GET', '/containers/json', { query: { all: opts.all, filters: JSON.stringify({ label: opts.labels }) } });
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/json`);
  }

  async createContainer(opts: ContainerCreateOptions): Promise<string> {
    const { name, ...body } = opts;
    const r = await this.json<{ Id: string }>('POST', '/containers/create', { query: { name }, body });
    return r.Id;
  }

  startContainer(id: string): Promise<void> {
    return this.empty('POST', `/containers/${encodeURIComponent(id)}/start`);
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    return this.empty('POST', `/containers/${encodeURIComponent(id)}/stop`, { t: timeoutSeconds });
  }

  removeContainer(id: string, force: boolean): Promise<void> {
    return this.empty('DELETE', `/containers/${encodeURIComponent(id)}`, { force });
  }

  inspectImage(name: string): Promise<{ Id: string }> {
    return this.json('GET', `/images/${encodeURI(name)}/json`);
  }

  /** Pulls an image and waits for the engine to finish; an error line in the progress fails it. */
  async pullImage(image: string): Promise<void> {
    const res = await this.send('POST', '/images/create', { query: pullReference(image), stream: true });
    let buf = '';
    let failure: string | undefined;
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        try {
          const p = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
          if (p.error) failure ??= p.errorDetail?.message ?? p.error;
        } catch {
          // a line cut by the engine: progress only
        }
      }
    }
    if (failure) throw new Error(failure);
  }

  async createExec(containerId: string, cmd: string[]): Promise<string> {
    const r = await this.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(containerId)}/exec`, {
      body: { Cmd: cmd, AttachStdout: true, AttachStderr: true },
    });
    return r.Id;
  }

  /** Starts an exec attached: the engine takes over the connection and sends the multiplexed output until the command ends. */
  startExec(execId: string): Promise<http.IncomingMessage> {
    return this.send('POST', `/exec/${encodeURIComponent(execId)}/start`, { body: { Detach: false, Tty: false }, stream: true });
  }

  inspectExec(execId: string): Promise<{ ExitCode: number | null; Running: boolean }> {
    return this.json('GET', `/exec/${encodeURIComponent(execId)}/json`);
  }

  containerLogs(id: string, q: LogsQuery): Promise<http.IncomingMessage> {
    return this.send('GET', `/containers/${encodeURIComponent(id)}/logs`, {
      query: { stdout: true, stderr: true, follow: q.follow, timestamps: q.timestamps, tail: q.tail ?? 'all', since: q.since || undefined },
      stream: true,
    });
  }

  /** The engine's event stream (JSON lines), filtered as the engine's `filters` parameter. */
  events(filters: Record<string, string[]>): Promise<http.IncomingMessage> {
    return this.send('GET', '/events', { query: { filters: JSON.stringify(filters) }, stream: true });
  }

  inspectNetwork(name: string): Promise<NetworkInspect> {
    return this.json('GET', `/networks/${encodeURIComponent(name)}`);
  }

  removeNetwork(name: string): Promise<void> {
    return this.empty('DELETE', `/networks/${encodeURIComponent(name)}`);
  }

  async createNetwork(opts: NetworkCreateOptions): Promise<void> {
    await this.json('POST', '/networks/create', { body: opts });
  }

  close(): void {
    this.agent.destroy();
  }
}
