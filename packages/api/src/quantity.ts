// Resource quantities ("100m", "1.5", "128Mi", "1e3"), as Kubernetes' resource.Quantity.
// Amounts are exact bigints in milli-units so sums over many pods never drift.

/** kubectl's message for a string that is not a quantity. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** kubectl's message for a well-formed string with an unknown suffix ("1Mm", "1e"). */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** Decimal-exponent limit: beyond it amounts are absurd and bigint powers get slow. */
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const shape = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[-+]?\d*)$/;

/** A parsed quantity: value = sign * digits / 10^scale * multiplier. */
interface Parsed { readonly negative: boolean; readonly digits: bigint; readonly scale: number; readonly base: 2 | 10; readonly exponent: number; }

// The same few strings ("100m", "64Mi", "32") are parsed for every pod by the scheduler,
// the apiserver and the node agents; parsed forms and milli-values are remembered.
const CACHE_LIMIT = 4096;
const parsedCache = new Map<string, Parsed | string>();
const milliCache = new Map<string, bigint>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function parse(text: string): Parsed | string {
  const hit = parsedCache.get(text);
  return hit !== undefined ? hit : remember(parsedCache, text, parseUncached(text));
}

function parseUncached(text: string): Parsed | string {
  const m = shape.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return QUANTITY_FORMAT_ERROR;
  const [, sign, whole, frac = '', suffix] = m;
  const digits = BigInt((whole + frac) || '0');
  const p = { negative: sign === '-', digits, scale: frac.length };
  if (suffix in DECIMAL_SUFFIX) return { ...p, base: 10, exponent: DECIMAL_SUFFIX[suffix] };
  if (suffix in BINARY_SUFFIX) return { ...p, base: 2, exponent: BINARY_SUFFIX[suffix] };
  const e = /^[eE]([-+]?\d+)$/.exec(suffix);
  if (!e) return QUANTITY_SUFFIX_ERROR;
  const exponent = Number(e[1]);
  if (exponent > MAX_EXPONENT) return 'quantity is too large';
  return { ...p, base: 10, exponent: Math.max(exponent, -MAX_EXPONENT) };
}

/** Divides rounding away from zero, as Kubernetes' MilliValue/Value do. */
function divUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : n < 0n ? q - 1n : q + 1n;
}

function toScaled(p: Parsed, unitPow10: number): bigint {
  // value / 10^unitPow10 = digits * base^exponent / 10^(scale + unitPow10)
  let num = p.base === 2 ? p.digits * 2n ** BigInt(p.exponent) : p.digits;
  let den = 1n;
  const e = (p.base === 10 ? p.exponent : 0) - p.scale - unitPow10;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den = 10n ** BigInt(-e);
  return divUp(p.negative ? -num : num, den);
}

/** Parses a quantity to milli-units (cpu "100m" -> 100n, memory "1Ki" -> 1024000n). Throws on a bad string. */
export function parseQuantity(text: string): bigint {
  const hit = milliCache.get(text);
  if (hit !== undefined) return hit;
  const p = parse(text);
  if (typeof p === 'string') throw new Error(`${p}: ${JSON.stringify(text)}`);
  return remember(milliCache, text, toScaled(p, -3));
}

/** The whole-unit value (bytes, cores), rounded up as Kubernetes' Value() does ("1500m" -> 2n). */
export function quantityValue(text: string): bigint {
  const p = parse(text);
  if (typeof p === 'string') throw new Error(`${p}: ${JSON.stringify(text)}`);
  return toScaled(p, 0);
}

/** Errors for a quantity string (empty when valid). */
export function validateQuantity(text: string): string[] {
  const p = parse(text);
  return typeof p === 'string' ? [p] : [];
}

export function isValidQuantity(text: string): boolean {
  return typeof parse(text) !== 'string';
}

/** Negative, zero or positive as a < b, a == b, a > b. */
export function compareQuantities(a: string, b: string): number {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** CPU as kubectl shows it: "250m", "2" (whole cores without a suffix). */
export function formatMilliCPU(milli: bigint): string {
  return milli % 1000n === 0n ? String(milli / 1000n) : `${milli}m`;
}

/** A milli-unit amount in decimal SI form with the largest exact suffix: 1500000n -> "1500", 2000000000n -> "2M". */
export function formatDecimal(milli: bigint): string {
  if (milli === 0n) return '0';
  if (milli % 1000n !== 0n) return `${milli}m`;
  let v = milli / 1000n;
  let i = 0;
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  while (i < suffixes.length - 1 && v % 1000n === 0n) {
    v /= 1000n;
    i++;
  }
  return `${v}${suffixes[i]}`;
}

/** Bytes in binary SI form with the largest exact suffix: 134217728n -> "128Mi"; 1000n -> "1000". */
export function formatBytes(bytes: bigint): string {
  if (bytes === 0n) return '0';
  let v = bytes;
  let i = 0;
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  while (i < suffixes.length - 1 && v % 1024n === 0n) {
    v /= 1024n;
    i++;
  }
  return `${v}${suffixes[i]}`;
}

/** Resource names whose amounts are bytes; everything else is counted in decimal. */
const BYTE_RESOURCES = new Set(['memory', 'ephemeral-storage', 'storage']);

/** An amount of `resource` as kubectl prints it: cpu "250m", memory "128Mi", pods "110". */
export function formatResource(resource: string, milli: bigint): string {
  if (resource === 'cpu') return formatMilliCPU(milli);
  if (BYTE_RESOURCES.has(resource) || resource.startsWith('hugepages-')) {
    return milli % 1000n === 0n ? formatBytes(milli / 1000n) : formatDecimal(milli);
  }
  return formatDecimal(milli);
}
