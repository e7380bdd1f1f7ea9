// The TCP sockets a process holds, read from /proc. A process moved into a cgroup keeps
// its existing sockets in the cgroup they were made in (a socket's cgroup is fixed when it
// is created), so a partition must also name the agent's open connections and listening
// ports explicitly. Parsing is pure; only processSockets reads /proc.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface SocketAddr {
  addr: string;
  port: number;
}

export interface TcpSocket {
  local: SocketAddr;
  remote: SocketAddr;
  state: 'established' | 'listen' | 'other';
  inode: number;
}

/** "0100007F" (a little-endian 32-bit word) -> "127.0.0.1". */
function ipv4FromHexWord(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/**
 * An address from /proc/net/tcp or tcp6. IPv6 is kept only when it stands for IPv4
 * (v4-mapped, or the any address, which accepts IPv4 too); others return undefined:
 * the project's control plane listens on IPv4 loopback.
 */
export function parseProcAddr(field: string): SocketAddr | undefined {
  const [hex, portHex] = field.split(':');
  if (!hex || !portHex) return undefined;
  const port = parseInt(portHex, 16);
  if (hex.length === 8) return { addr: ipv4FromHexWord(hex), port };
  if (hex.length !== 32) return undefined;
  const words = [0, 8, 16, 24].map((i) => hex.slice(i, i + 8).toUpperCase());
  if (words.every((w) => w === '00000000')) return { addr: '0.0.0.0', port };
  if (words[0] === '00000000' && words[1] === '00000000' && words[2] === 'FFFF0000') return { addr: ipv4FromHexWord(words[3]), port };
  return undefined;
}

/** The sockets listed in a /proc/net/tcp[6] file (IPv4 or IPv4-capable ones). */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = parseProcAddr(f[1]);
    const remote = parseProcAddr(f[2]);
    if (!local || !remote) continue;
    const st = f[3].toUpperCase();
    out.push({ local, remote, state: st === '01' ? 'established' : st === '0A' ? 'listen' : 'other', inode: Number(f[9]) });
  }
  return out;
}

/** The socket inodes among a process's open file descriptors (link targets "socket:[N]"). */
export function socketInodes(links: string[]): Set<number> {
  const out = new Set<number>();
  for (const l of links) {
    const m = /^socket:\[(\d+)\]$/.exec(l);
    if (m) out.add(Number(m[1]));
  }
  return out;
}

/** The TCP sockets (established and listening) that process `pid` holds. */
export async function processSockets(pid: number): Promise<TcpSocket[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  const inodes = socketInodes(links);
  const all: TcpSocket[] = [];
  for (const f of ['tcp', 'tcp6']) all.push(...parseProcNetTcp(await readFile(`/proc/${pid}/net/${f}`, 'utf8').catch(() => '')));
  return all.filter((s) => inodes.has(s.inode) && s.state !== 'other');
}
