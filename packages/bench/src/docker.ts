// The Docker engine for the benchmarks: the CLI for one-off verbs (swarm, service) and
// the Engine API on its unix socket for polling, which costs far less CPU than a `docker`
// process every few hundred milliseconds on a shared 2-core machine.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

/** Runs `docker ARGS` with a deadline; resolves with its stdout, trimmed. */
export async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: timeoutMs, maxBuffer: 16 << 20 });
  return stdout.trim();
}

/** GET on the Engine API; the parsed JSON body. */
export function engineGet<T>(path: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: DOCKER_SOCKET, path, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 300) return reject(new Error(`docker GET ${path}: ${res.statusCode} ${body.trim()}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`docker GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const filters = (f: Record<string, string[]>) => encodeURIComponent(JSON.stringify(f));

/** Ids of containers (running or not) carrying `label` ("key" or "key=value"). */
export async function containersWithLabel(label: string): Promise<string[]> {
  const list = await engineGet<{ Id: string }[]>(`/containers/json?all=1&filters=${filters({ label: [label] })}`);
  return list.map((c) => c.Id);
}

/** `docker rm -f` every container carrying `label`; how many there were. */
export async function removeContainersWithLabel(label: string): Promise<number> {
  const ids = await containersWithLabel(label);
  for (let i = 0; i < ids.length; i += 50) await docker(['rm', '-f', '-v', ...ids.slice(i, i + 50)], 120_000).catch(() => undefined);
  return ids.length;
}

export interface SwarmTask {
  ID: string;
  DesiredState: string;
  Status: { State: string; Err?: string };
}

/** The tasks of a Swarm service (GET /tasks filtered by service name). */
export function serviceTasks(service: string): Promise<SwarmTask[]> {
  return engineGet<SwarmTask[]>(`/tasks?filters=${filters({ service: [service] })}`);
}

/** The engine's swarm state: "inactive", "active", "pending", "error", "locked". */
export async function swarmState(): Promise<string> {
  const info = await engineGet<{ Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }>('/info');
  return info.Swarm?.LocalNodeState ?? 'inactive';
}
