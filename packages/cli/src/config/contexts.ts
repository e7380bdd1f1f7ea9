// The pure side of `kubesim config`: parsing a server list and printing contexts as
// `kubectl config get-contexts` does (CURRENT marked with *).
import type { KubesimConfig, KubesimContext } from '../config.js';

/** "a:1, grpc://b:2" -> ["a:1", "b:2"]; each must be host:port. */
export function parseServers(text: string): string[] {
  const servers = text
    .split(',')
    .map((s) => s.trim().replace(/^(grpc|https?):\/\//, ''))
    .filter(Boolean);
  if (!servers.length) throw new Error('--server: Required value: one or more apiserver addresses (host:port[,host:port])');
  for (const s of servers) {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    if (s.lastIndexOf(':') <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`--server: Invalid value: "${s}": must be host:port with a port from 1 to 65535`);
    }
  }
  return servers;
}

/** The table of `kubesim config get-contexts`. */
export function contextsTable(cfg: KubesimConfig | undefined): string {
  const rows = Object.entries(cfg?.contexts ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]: [string, KubesimContext]) => [name === cfg?.currentContext ? '*' : '', name, c.servers.join(',')]);
  const all = [['CURRENT', 'NAME', 'SERVERS'], ...rows];
  const widths = [0, 1].map((i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => [r[0].padEnd(widths[0]), r[1].padEnd(widths[1]), r[2]].join('   ').trimEnd()).join('\n') + '\n';
}
