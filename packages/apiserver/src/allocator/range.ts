// Pure arithmetic of the two service ranges: the ClusterIP CIDR and the NodePort range,
// and how a free value is picked from them (as kube-apiserver's allocators do).
import { intToIp, ipToInt } from '@kubesim/api';

/** An IPv4 service CIDR. Offsets count from the network address. */
export interface IPRange {
  /** As given, e.g. "10.96.0.0/16": the text Kubernetes' messages print. */
  cidr: string;
  base: number;
  size: number;
}

/** A port range, inclusive at both ends. */
export interface PortRange {
  text: string;
  min: number;
  max: number;
}

export { ipToInt, intToIp };

/** Parses "10.96.0.0/16". The range needs room for the reserved address and one more (at most /29... /30). */
export function parseIPRange(cidr: string): IPRange {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const addr = m ? ipToInt(m[1]) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || addr === undefined || bits > 32) throw new Error(`invalid service cluster IP range "${cidr}": want an IPv4 CIDR such as 10.96.0.0/16`);
  if (bits < 12 || bits > 30) throw new Error(`service cluster IP range "${cidr}" must have a prefix length between /12 and /30`);
  const size = 2 ** (32 - bits);
  const base = addr - (addr % size);
  return { cidr: `${intToIp(base)}/${bits}`, base, size };
}

/** Parses "30000-32767" (or a single port). */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid service node port range "${text}": want MIN-MAX within 1-65535`);
  return { text: `${min}-${max}`, min, max };
}

/**
 * Offsets an address may take: the network and broadcast addresses are never used, as in
 * Kubernetes, so offsets run 1..size-2.
 */
export function ipOffset(range: IPRange, ip: string): number | undefined {
  const n = ipToInt(ip);
  if (n === undefined) return undefined;
  const off = n - range.base;
  return off >= 1 && off <= range.size - 2 ? off : undefined;
}

/** The address kept for the "kubernetes" Service: the first one of the range. */
export function reservedIP(range: IPRange): string {
  return intToIp(range.base + 1);
}

/**
 * Kubernetes splits a range into a small lower band meant for addresses people ask for
 * (DNS at .10 and such) and the rest; dynamic allocation takes the upper band first, so
 * a requested low address is rarely already taken. The lower band holds
 * min(max(16, size/16), 256) values.
 */
export function lowerBand(size: number): number {
  return Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

/**
 * A free value among `count` values (0..count-1), preferring [from, count) and then
 * [0, from): a random start, then the next free one going up, so a nearly full range is
 * still found in one pass. `taken` says whether a value is unavailable. -1 when full.
 */
export function pickFree(count: number, from: number, taken: (v: number) => boolean, random: () => number = Math.random): number {
  const bands: [number, number][] = from > 0 && from < count ? [[from, count], [0, from]] : [[0, count]];
  for (const [lo, hi] of bands) {
    const n = hi - lo;
    const start = Math.floor(random() * n);
    for (let i = 0; i < n; i++) {
      const v = lo + ((start + i) % n);
      if (!taken(v)) return v;
    }
  }
  return -1;
}

/** A free cluster IP (never the reserved one), or undefined when the range is full. */
export function pickIP(range: IPRange, taken: (ip: string) => boolean, random?: () => number): string | undefined {
  // Values are offsets 2..size-2: offset 1 is the reserved address.
  const count = range.size - 3;
  const from = Math.max(0, lowerBand(range.size) - 2);
  const v = pickFree(count, Math.min(from, count), (i) => taken(intToIp(range.base + 2 + i)), random);
  return v < 0 ? undefined : intToIp(range.base + 2 + v);
}

/** A free node port, or undefined when the range is full. */
export function pickPort(range: PortRange, taken: (port: number) => boolean, random?: () => number): number | undefined {
  const count = range.max - range.min + 1;
  const v = pickFree(count, Math.min(lowerBand(count), count), (i) => taken(range.min + i), random);
  return v < 0 ? undefined : range.min + v;
}

export function portInRange(range: PortRange, port: number): boolean {
  return port >= range.min && port <= range.max;
}
