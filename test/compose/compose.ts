// Driving a docker-compose kubesim cluster from tests: the compose command (Debian's
// docker-compose 1.29, else `docker compose` v2), docker, and why a machine cannot run it.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const COMPOSE_FILE = fileURLToPath(new URL('../../deploy/compose/docker-compose.yml', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? ROOT, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? Number((err as { code?: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === -1 ? String(err) : '') });
    });
  });
}

export async function must(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().slice(-2000)}`);
  return r.stdout;
}

/** The compose command of this machine: ['docker-compose'] or ['docker', 'compose']; undefined if none. */
export async function composeCommand(): Promise<string[] | undefined> {
  if ((await run('docker-compose', ['version'])).code === 0) return ['docker-compose'];
  if ((await run('docker', ['compose', 'version'])).code === 0) return ['docker', 'compose'];
  return undefined;
}

/** Why this machine cannot run the compose tests, or undefined when it can. */
export async function composeSkipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (node containers run their own dockerd; the images need debootstrap)';
  if ((await run('docker', ['info'])).code !== 0) return 'the Docker engine does not answer';
  if (!(await composeCommand())) return 'neither docker-compose nor `docker compose` is installed (apt-get install docker-compose)';
  return undefined;
}

export interface ComposeProject {
  name: string;
  env: NodeJS.ProcessEnv;
  compose(args: string[], timeoutMs?: number): Promise<string>;
}

export async function composeProject(name: string, env: NodeJS.ProcessEnv, files: string[] = [COMPOSE_FILE]): Promise<ComposeProject> {
  const cmd = (await composeCommand()) ?? ['docker-compose'];
  const fileArgs = files.flatMap((f) => ['-f', f]);
  return {
    name,
    env,
    compose: (args, timeoutMs = 120_000) => must(cmd[0]!, [...cmd.slice(1), '-p', name, ...fileArgs, ...args], { env, timeoutMs }),
  };
}

/** Containers, networks and volumes docker-compose made for the project. */
export async function projectLeftovers(project: string): Promise<string[]> {
  const filter = `label=com.docker.compose.project=${project}`;
  const out = await Promise.all([
    must('docker', ['ps', '-a', '--filter', filter, '--format', 'container {{.Names}}']),
    must('docker', ['network', 'ls', '--filter', filter, '--format', 'network {{.Name}}']),
    must('docker', ['volume', 'ls', '--filter', filter, '--format', 'volume {{.Name}}']),
  ]);
  return out.join('\n').split('\n').filter(Boolean);
}

/** The address of a container on its (first) network. */
export async function containerAddress(container: string): Promise<string> {
  return (await must('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container])).trim().split(' ')[0] ?? '';
}

/** One HTTP GET from the host (to a node address of the project's network), bounded in time. */
export async function httpGet(url: string, timeoutMs = 2000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return (await res.text()).trim();
}

/** One HTTP GET with a Host header (an Ingress rule's host) from the host: status and body. */
export function httpGetHost(url: string, host: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} (Host ${host}): no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** What the host's network namespace holds of a compose cluster: kubesim routes (proto 77) into its pod range, addresses of its load-balancer pool, its bridge. */
export async function hostNetworkLeftovers(opts: { clusterPrefix: string; lbPrefix: string; bridge: string }): Promise<string[]> {
  const routes = (await must('ip', ['-4', '-o', 'route', 'show', 'proto', '77'])).split('\n').filter((l) => l.startsWith(opts.clusterPrefix));
  const addrs = (await must('ip', ['-4', '-o', 'addr', 'show'])).split('\n').filter((l) => l.includes(`inet ${opts.lbPrefix}`));
  const link = (await run('ip', ['link', 'show', opts.bridge])).code === 0 ? [`link ${opts.bridge}`] : [];
  return [...routes.map((r) => `route ${r.trim()}`), ...addrs.map((a) => `address ${a.trim()}`), ...link];
}
