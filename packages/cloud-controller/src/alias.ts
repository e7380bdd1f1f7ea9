// Load-balancer addresses on a local interface (--lb-interface): under `kubesim up` the
// cloud's addresses are /32 aliases on the cluster bridge, so the host (and pods) reach
// them. Without an interface the addresses must already be local (127.x.y.z in tests).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface AddressAliases {
  /** Adds ip/32 (idempotent). */
  add(ip: string): Promise<void>;
  /** Removes ip/32 (idempotent). */
  remove(ip: string): Promise<void>;
  /** The /32 addresses on the interface now. */
  list(): Promise<string[]>;
}

export const NO_ALIASES: AddressAliases = {
  add: async () => undefined,
  remove: async () => undefined,
  list: async () => [],
};

export type Run = (cmd: string, args: string[]) => Promise<{ stdout: string }>;

const execFileP = promisify(execFile);
const run: Run = (cmd, args) => execFileP(cmd, args);

function stderrOf(err: unknown): string {
  return String((err as { stderr?: string }).stderr || (err as Error).message || err);
}

/** `ip addr` on one interface (needs root / CAP_NET_ADMIN). */
export class IpAddrAliases implements AddressAliases {
  constructor(
    readonly iface: string,
    private readonly exec: Run = run,
  ) {}

  async add(ip: string): Promise<void> {
    try {
      await this.exec('ip', ['addr', 'add', `${ip}/32`, 'dev', this.iface]);
    } catch (err) {
      // Older iproute2 says "File exists", newer "Address already assigned".
      if (!/File exists|already assigned/i.test(stderrOf(err))) throw new Error(`cannot add ${ip}/32 to ${this.iface}: ${stderrOf(err).trim()}`);
    }
  }

  async remove(ip: string): Promise<void> {
    try {
      await this.exec('ip', ['addr', 'del', `${ip}/32`, 'dev', this.iface]);
    } catch (err) {
      if (!/Cannot assign requested address|Address not found/i.test(stderrOf(err))) throw new Error(`cannot remove ${ip}/32 from ${this.iface}: ${stderrOf(err).trim()}`);
    }
  }

  async list(): Promise<string[]> {
    const { stdout } = await this.exec('ip', ['-o', '-4', 'addr', 'show', 'dev', this.iface]);
    return [...stdout.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/32\b/g)].map((m) => m[1]);
  }
}
