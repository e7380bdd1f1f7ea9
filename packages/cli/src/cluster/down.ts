// `kubesim down`: stops every process of a local cluster and removes what it made
// (state, logs, etcd data it owned) and its context.
import { rm } from 'node:fs/promises';
import { removeContext } from '../config.js';
import { clusterDir, isAlive, readState } from './state.js';

async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Returns false when there was no such cluster. */
export async function down(name: string, say: (line: string) => void): Promise<boolean> {
  const state = await readState(name);
  if (!state) return false;
  say(`Deleting cluster "${name}" ...`);
  // Reverse start order: components before the etcd they write to.
  for (const p of [...state.processes].reverse()) {
    say(`• stopping ${p.component} (pid ${p.pid})`);
    await stopPid(p.pid, 5000);
  }
  await rm(clusterDir(name), { recursive: true, force: true });
  await removeContext(name);
  say(`Deleted cluster "${name}"`);
  return true;
}
