// A node agent's own cgroup2 group, kubesim/<cluster>/<node>: iptables matches the
// sockets its process opens there (`-m cgroup --path`), which is how network faults
// single out one agent among many host processes sharing one network namespace.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where cgroup2 is mounted (the unified hierarchy), from /proc/mounts. */
export function cgroup2Root(mounts: string = readFileSync('/proc/mounts', 'utf8')): string | undefined {
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[2] === 'cgroup2') return f[1];
  }
  return undefined;
}

export function nodeCgroup(cluster: string, node: string): string {
  return `kubesim/${cluster}/${node}`;
}

/** The cgroup2 group of a process ("0::/path" in /proc/PID/cgroup), relative to the root. */
export function parseProcCgroup(text: string): string {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return (line?.slice(3) ?? '/').replace(/^\//, '');
}

function root(): string {
  const r = cgroup2Root();
  if (!r) throw new Error('network faults need a cgroup2 hierarchy (none is mounted here)');
  return r;
}

/** Moves `pid` into `path` (made if missing); returns the group it was in. */
export async function joinCgroup(path: string, pid: number): Promise<string> {
  const r = root();
  const origin = parseProcCgroup(await readFile(`/proc/${pid}/cgroup`, 'utf8'));
  await mkdir(join(r, path), { recursive: true });
  try {
    await writeFile(join(r, path, 'cgroup.procs'), `${pid}\n`);
  } catch (e) {
    throw new Error(`cannot move pid ${pid} into cgroup ${path}: ${(e as Error).message}${process.getuid?.() === 0 ? '' : ' (network faults need root)'}`);
  }
  return origin;
}

/**
 * Moves every process still in `path` back to `origin` and removes the group (and its
 * cluster and kubesim parents when they are empty).
 */
export async function leaveCgroup(path: string, origin: string): Promise<void> {
  const r = cgroup2Root();
  if (!r) return;
  const dir = join(r, path);
  const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const pid of procs.split('\n').filter(Boolean)) {
    await writeFile(join(r, origin, 'cgroup.procs'), `${pid}\n`).catch(() => writeFile(join(r, 'cgroup.procs'), `${pid}\n`).catch(() => undefined));
  }
  const parts = path.split('/');
  for (let i = parts.length; i > 0; i--) {
    try {
      await rmdir(join(r, ...parts.slice(0, i)));
    } catch {
      break; // not empty (another node's or cluster's group) or already gone
    }
  }
}
