// Whether a pid is a live process. Components started by `kubesim up` outlive it, and
// where init does not reap orphans a killed one stays a zombie, which signal 0 still
// reaches: its state in /proc tells.
import { readFileSync } from 'node:fs';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}
