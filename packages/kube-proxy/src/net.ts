// Small IPv4 helpers. Everything that ends up in iptables-restore input is checked here
// first: one malformed line makes the whole (atomic) restore fail, so a single odd object
// would otherwise freeze every other service's rules.

export function isIPv4(s: string | undefined): s is string {
  if (!s) return false;
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** "10.244.3.7/24" -> "10.244.3.0/24" (as iptables prints it); throws if not an IPv4 CIDR. */
export function normalizeCIDR(cidr: string): string {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!isIPv4(ip) || !/^\d{1,2}$/.test(bitsText ?? '') || bits > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  const size = 2 ** (32 - bits);
  return `${fromInt(Math.floor(toInt(ip) / size) * size)}/${bits}`;
}

export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}
