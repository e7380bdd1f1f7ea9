// The building blocks of kubectl-style descriptions: indented "Key:\tvalue" lines aligned
// by the tabwriter, multi-line label maps, timestamps, and the Events table.
import type { Event } from '@kubesim/api';
import { age } from '../printers/age.js';
import { eventCount, eventSource, eventTimes } from '../printers/kinds.js';
import { DESCRIBE, tabulate } from '../printers/tabwriter.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export class DescribeWriter {
  private readonly lines: string[] = [];

  /** One line at an indentation level (2 spaces each); cells separated by tabs. */
  line(level: number, ...cells: string[]): this {
    this.lines.push('  '.repeat(level) + cells.join('\t'));
    return this;
  }

  blank(): this {
    this.lines.push('');
    return this;
  }

  /** "Labels:  a=b" then one line per further entry, aligned under the first value. */
  map(level: number, title: string, m: Record<string, string> | undefined, opts: { skip?: string[]; sep?: string } = {}): this {
    const keys = Object.keys(m ?? {})
      .filter((k) => !opts.skip?.includes(k))
      .sort();
    if (!keys.length) return this.line(level, `${title}:`, '<none>');
    keys.forEach((k, i) => this.line(level, i === 0 ? `${title}:` : '', `${k}${opts.sep ?? '='}${m![k]}`));
    return this;
  }

  toString(): string {
    return tabulate(this.lines, DESCRIBE);
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 1123 with numeric zone, in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
export function formatTime(ts: string | undefined): string {
  if (!ts) return '<unset>';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** The Events section, oldest first, or "Events:  <none>". */
export function writeEvents(w: DescribeWriter, events: Event[] | undefined, now: Date): void {
  if (!events) return;
  if (!events.length) {
    w.line(0, 'Events:', '<none>');
    return;
  }
  const t = (e: Event) => Date.parse(eventTimes(e).last ?? '') || 0;
  const sorted = [...events].sort((a, b) => t(a) - t(b));
  w.line(0, 'Events:');
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  w.line(1, '----', '------', '----', '----', '-------');
  for (const e of sorted) {
    const { first, last } = eventTimes(e);
    const n = eventCount(e);
    const when = n > 1 ? `${age(last, now)} (x${n} over ${age(first, now)})` : age(last, now);
    w.line(1, e.type ?? '', e.reason ?? '', when, eventSource(e), (e.message ?? '').trim());
  }
}
