// IPv4 address and CIDR arithmetic shared by every component that hands out or matches
// addresses (service ranges, node pod CIDRs, pod IPs, load-balancer pools). Pure.

export interface CIDR {
  /** Canonical text, e.g. "10.244.3.0/24". */
  text: string;
  /** The network address as an unsigned 32-bit number. */
  base: number;
  bits: number;
  /** Number of addresses, network and broadcast included. */
  size: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses "10.244.0.0/16" (host bits are cleared); undefined when it is not an IPv4 CIDR. */
export function parseCIDR(text: string): CIDR | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const addr = m ? ipToInt(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || addr === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const base = addr - (addr % size);
  return { text: `${intToIp(base)}/${bits}`, base, bits, size };
}

/** Like parseCIDR, but throws an error that names the flag or field. */
export function mustParseCIDR(text: string, what: string): CIDR {
  const c = parseCIDR(text);
  if (!c) throw new Error(`invalid ${what} "${text}": want an IPv4 CIDR such as 10.244.0.0/16`);
  return c;
}

export function cidrContains(cidr: CIDR, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= cidr.base && n < cidr.base + cidr.size;
}

/** The index-th subnet of `bits` length inside `cidr` (undefined past the end). */
export function subnetAt(cidr: CIDR, bits: number, index: number): CIDR | undefined {
  if (bits < cidr.bits || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  if (index < 0 || index >= cidr.size / size) return undefined;
  const base = cidr.base + index * size;
  return { text: `${intToIp(base)}/${bits}`, base, bits, size };
}

/** Which `bits`-long subnet of `cidr` holds `sub` (undefined if none exactly does). */
export function subnetIndex(cidr: CIDR, bits: number, sub: CIDR): number | undefined {
  if (sub.bits !== bits || sub.base < cidr.base || sub.base >= cidr.base + cidr.size) return undefined;
  return (sub.base - cidr.base) / 2 ** (32 - bits);
}

/** The offset-th address of the CIDR (1 = the first host address). */
export function addressAt(cidr: CIDR, offset: number): string {
  return intToIp(cidr.base + offset);
}
