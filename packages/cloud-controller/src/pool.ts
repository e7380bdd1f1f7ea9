// The emulated cloud's pool of load-balancer addresses (--lb-cidr), as a cloud's address
// allocator: each LoadBalancer Service (by "namespace/name" key) holds at most one
// address. Pure bookkeeping, no I/O: the controller rebuilds it at start from the
// addresses Services already show in status.loadBalancer.ingress, so a restart keeps
// every Service's address.

/** Why an address could not be given (the message ends up in a SyncLoadBalancerFailed event). */
export class PoolError extends Error {
  override readonly name = 'PoolError';
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface CidrRange {
  cidr: string;
  /** The network address (all host bits 0). */
  network: number;
  /** The broadcast address (all host bits 1). */
  broadcast: number;
  /** First and last address handed out: the network address, the first address after it
   *  (a gateway's, by convention: 10.244.255.1 in the design) and broadcast are skipped. */
  first: number;
  last: number;
}

/** Parses an IPv4 CIDR with room for at least one address (prefix /8 to /30). */
export function parseCidr(cidr: string): CidrRange {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr.trim());
  const base = m ? ipToInt(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (base === undefined || !(prefix >= 8 && prefix <= 30)) throw new PoolError(`invalid load-balancer CIDR "${cidr}": must be an IPv4 CIDR between /8 and /30`);
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  const broadcast = network + size - 1;
  return { cidr: `${intToIp(network)}/${prefix}`, network, broadcast, first: network + 2, last: broadcast - 1 };
}

/** Whether `ip` is an address the pool may hand out. */
export function inPool(range: CidrRange, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= range.first && n <= range.last;
}

/** The first free address after `after` (wrapping round), or undefined when all are taken. */
export function nextFree(range: CidrRange, taken: ReadonlySet<number>, after: number): number | undefined {
  const size = range.last - range.first + 1;
  if (taken.size >= size) return undefined;
  const start = after >= range.first && after <= range.last ? after - range.first + 1 : 0;
  for (let i = 0; i < size; i++) {
    const n = range.first + ((start + i) % size);
    if (!taken.has(n)) return n;
  }
  return undefined;
}

export class AddressPool {
  readonly range: CidrRange;
  private readonly byKey = new Map<string, number>();
  private readonly byIp = new Map<number, string>();
  // New addresses continue after the last one given, so a just-released address is not
  // at once handed to another Service (whose clients could reach the old one's).
  private lastGiven: number;

  constructor(cidr: string) {
    this.range = parseCidr(cidr);
    this.lastGiven = this.range.first - 1;
  }

  get size(): number {
    return this.range.last - this.range.first + 1;
  }

  get used(): number {
    return this.byKey.size;
  }

  contains(ip: string): boolean {
    return inPool(this.range, ip);
  }

  addressOf(key: string): string | undefined {
    const n = this.byKey.get(key);
    return n === undefined ? undefined : intToIp(n);
  }

  ownerOf(ip: string): string | undefined {
    const n = ipToInt(ip);
    return n === undefined ? undefined : this.byIp.get(n);
  }

  /** All allocations, key -> address. */
  entries(): Array<[string, string]> {
    return [...this.byKey].map(([k, n]) => [k, intToIp(n)]);
  }

  /**
   * Records that `key` holds `ip` (a restart rebuilding the pool from Service status).
   * False, and nothing recorded, when the address is outside the pool or held by another
   * key, or the key already holds another address.
   */
  restore(key: string, ip: string): boolean {
    const n = ipToInt(ip);
    if (n === undefined || !inPool(this.range, ip)) return false;
    const owner = this.byIp.get(n);
    if (owner !== undefined) return owner === key;
    if (this.byKey.has(key)) return false;
    this.byKey.set(key, n);
    this.byIp.set(n, key);
    return true;
  }

  /**
   * The address of `key`: `requested` (spec.loadBalancerIP) when given, moving the key to
   * it if it held another; otherwise the one it holds, or a new one. Throws PoolError when
   * the requested address is outside the pool or taken, or the pool is exhausted.
   */
  allocate(key: string, requested?: string): string {
    const held = this.byKey.get(key);
    if (requested) {
      const n = ipToInt(requested);
      if (n === undefined || !inPool(this.range, requested)) {
        throw new PoolError(`requested loadBalancerIP ${requested} is not in the load-balancer pool ${this.range.cidr} (usable ${intToIp(this.range.first)}-${intToIp(this.range.last)})`);
      }
      const owner = this.byIp.get(n);
      if (owner !== undefined && owner !== key) throw new PoolError(`requested loadBalancerIP ${requested} is already allocated to service ${owner}`);
      if (held !== undefined && held !== n) this.release(key);
      this.take(key, n);
      return requested;
    }
    if (held !== undefined) return intToIp(held);
    const n = nextFree(this.range, new Set(this.byIp.keys()), this.lastGiven);
    if (n === undefined) throw new PoolError(`no free address left in the load-balancer pool ${this.range.cidr} (${this.size} addresses, all allocated)`);
    this.take(key, n);
    this.lastGiven = n;
    return intToIp(n);
  }

  /** Frees the key's address; returns it (undefined when it held none). */
  release(key: string): string | undefined {
    const n = this.byKey.get(key);
    if (n === undefined) return undefined;
    this.byKey.delete(key);
    this.byIp.delete(n);
    return intToIp(n);
  }

  private take(key: string, n: number): void {
    this.byKey.set(key, n);
    this.byIp.set(n, key);
  }
}
