// The timeline as `chaos run` prints it: one row per entry, times relative to the fault,
// then one line per probe. Pure.
import { ENTRY_LABELS, formatRel, type Timeline } from './timeline.js';

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd());
}

/**
 * The table of entries from `fromRel` ms relative to the fault (what happened during the
 * setup is in timeline.json, not on screen); a line says how many rows were left out.
 */
export function timelineTable(tl: Timeline, fromRel = 0): string[] {
  const shown = tl.entries.filter((e) => e.rel >= fromRel);
  const rows = [['TIME', 'EVENT', 'OBJECT', 'DETAIL'], ...shown.map((e) => [formatRel(e.rel), ENTRY_LABELS[e.kind], e.object, e.detail])];
  const out = pad(rows);
  const hidden = tl.entries.length - shown.length;
  if (hidden) out.push(`(${hidden} earlier entr${hidden === 1 ? 'y' : 'ies'}, from the setup, in timeline.json)`);
  return out;
}

/** One line per probe: requests, failures, the outage, latency. */
export function probeLines(tl: Timeline): string[] {
  return tl.probes.map((p) => {
    const parts = [`probe ${p.probe}: ${p.sent} requests, ${p.failed} failed`];
    if (p.firstFailure !== undefined && p.lastFailure !== undefined) {
      parts.push(`failures from ${formatRel(p.firstFailure - tl.t0)} to ${formatRel(p.lastFailure - tl.t0)}`);
      parts.push(p.recovered !== undefined ? `ok again at ${formatRel(p.recovered - tl.t0)}` : 'not ok again before the end');
    }
    if (p.p50 !== undefined) parts.push(`latency p50 ${p.p50.toFixed(1)}ms p99 ${p.p99!.toFixed(1)}ms`);
    return parts.join('; ');
  });
}
