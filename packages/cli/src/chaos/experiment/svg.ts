// plot.svg, drawn from timeline.json alone: ready pods over time as a step line, each
// probe request as a green (latency as height) or red mark, vertical lines at the faults
// and heals, and the key moments annotated. Pure: JSON in, SVG text out.
import type { TimelineFile } from './output.js';
import { ENTRY_LABELS, type EntryKind, type TimelineEntry } from './timeline.js';

const W = 960;
const H = 520;
const LEFT = 64;
const RIGHT = 24;
const NOTES_TOP = 28;
const NOTE_ROWS = 6;
const NOTE_ROW_H = 14;
const READY_TOP = NOTES_TOP + NOTE_ROWS * NOTE_ROW_H + 16;
const READY_BOTTOM = READY_TOP + 190;
const PROBE_TOP = READY_BOTTOM + 40;
const PROBE_BOTTOM = PROBE_TOP + 110;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A tick step of 1, 2 or 5 times a power of ten giving at most ~10 ticks over `span`. */
export function niceStep(span: number, maxTicks = 10): number {
  if (!(span > 0)) return 1;
  const raw = span / maxTicks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** The key moments worth a label: the first of each kind (after the fault where it matters). */
export function keyMoments(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const first = (kind: EntryKind, pred: (e: TimelineEntry) => boolean = () => true) => {
    const e = entries.find((x) => x.kind === kind && pred(x));
    if (e) out.push(e);
  };
  const afterFault = (e: TimelineEntry) => e.rel >= 0;
  first('NodeNotReady', afterFault);
  first('TaintAdded', afterFault);
  first('PodMarkedForDeletion', afterFault);
  first('PodCreated', (e) => afterFault(e) && e.detail === 'after the fault');
  first('PodReady', afterFault);
  first('EndpointsUpdated', afterFault);
  first('LeaderChanged', afterFault);
  for (const e of entries) if (e.kind === 'ProbeFirstFailure' || e.kind === 'ProbeRecovered') out.push(e);
  first('NodeReady', afterFault);
  return out.sort((a, b) => a.t - b.t);
}

export function renderSvg(tl: TimelineFile): string {
  const start = tl.markers.find((m) => m.kind === 'start')?.t;
  const end = tl.markers.find((m) => m.kind === 'end')?.t;
  const times = [...tl.samples.map((s) => s.t), ...tl.markers.map((m) => m.t), ...tl.entries.map((e) => e.t)];
  const t0 = tl.t0;
  const xMin = ((start ?? Math.min(t0, ...times)) - t0) / 1000;
  const xMaxRaw = ((end ?? Math.max(t0, ...times)) - t0) / 1000;
  const xMax = xMaxRaw > xMin ? xMaxRaw : xMin + 1;
  const x = (sec: number) => LEFT + ((sec - xMin) / (xMax - xMin)) * (W - LEFT - RIGHT);
  const xt = (t: number) => x((t - t0) / 1000);
  const inRange = (t: number) => (t - t0) / 1000 >= xMin && (t - t0) / 1000 <= xMax;
  const out: string[] = [];
  const add = (s: string) => out.push(s);

  add(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  add(`<title>${escapeXml(`experiment ${tl.experiment}: ${tl.result}`)}</title>`);
  add(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  add(`<text x="${LEFT}" y="16" font-size="13" font-weight="bold">${escapeXml(`experiment ${tl.experiment} (${tl.result}), times relative to the fault`)}</text>`);

  // Axes and grid.
  const step = niceStep(xMax - xMin);
  add('<g id="x-axis" stroke="#ddd">');
  for (let s = Math.ceil(xMin / step) * step; s <= xMax + 1e-9; s += step) {
    add(`<line x1="${f(x(s))}" y1="${READY_TOP}" x2="${f(x(s))}" y2="${PROBE_BOTTOM}"/>`);
    add(`<text x="${f(x(s))}" y="${PROBE_BOTTOM + 14}" text-anchor="middle" stroke="none" fill="#333">${escapeXml(`${s > 0 ? '+' : ''}${f(s)}s`)}</text>`);
  }
  add('</g>');

  // Ready pods: a step line.
  const maxReady = Math.max(1, ...tl.readyPods.map((p) => p.ready));
  const y = (n: number) => READY_BOTTOM - (n / maxReady) * (READY_BOTTOM - READY_TOP - 10);
  add(`<g id="ready-axis"><line x1="${LEFT}" y1="${READY_TOP}" x2="${LEFT}" y2="${READY_BOTTOM}" stroke="#333"/><line x1="${LEFT}" y1="${READY_BOTTOM}" x2="${W - RIGHT}" y2="${READY_BOTTOM}" stroke="#333"/>`);
  const yStep = Math.max(1, Math.ceil(maxReady / 5));
  for (let n = 0; n <= maxReady; n += yStep) add(`<text x="${LEFT - 6}" y="${f(y(n) + 4)}" text-anchor="end">${n}</text>`);
  add(`<text x="14" y="${(READY_TOP + READY_BOTTOM) / 2}" transform="rotate(-90 14 ${(READY_TOP + READY_BOTTOM) / 2})" text-anchor="middle">ready pods${escapeXml(tl.observe.selector ? ` (${tl.observe.selector})` : '')}</text></g>`);
  if (tl.readyPods.length) {
    const pts: string[] = [];
    let last = tl.readyPods[0].ready;
    for (const p of tl.readyPods) if (p.rel / 1000 <= xMin) last = p.ready;
    pts.push(`${f(x(xMin))},${f(y(last))}`);
    for (const p of tl.readyPods) {
      const sec = p.rel / 1000;
      if (sec <= xMin || sec > xMax) continue;
      pts.push(`${f(x(sec))},${f(y(last))}`, `${f(x(sec))},${f(y(p.ready))}`);
      last = p.ready;
    }
    pts.push(`${f(x(xMax))},${f(y(last))}`);
    add(`<polyline id="ready-pods" fill="none" stroke="#1f6feb" stroke-width="2" points="${pts.join(' ')}"/>`);
  }

  // Probes: green dots at their latency (log scale: a few slow requests must not flatten
  // the rest), red marks along the top of the band for failures.
  const samples = tl.samples.filter((s) => inRange(s.t));
  const lats = samples.filter((s) => s.ok).map((s) => Math.max(s.latencyMs, 0.1));
  const lo = Math.floor(Math.log10(Math.min(1, ...lats)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(1, ...lats))));
  const yl = (ms: number) => PROBE_BOTTOM - ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * (PROBE_BOTTOM - PROBE_TOP - 16);
  add(`<g id="probe-axis"><line x1="${LEFT}" y1="${PROBE_TOP}" x2="${LEFT}" y2="${PROBE_BOTTOM}" stroke="#333"/><line x1="${LEFT}" y1="${PROBE_BOTTOM}" x2="${W - RIGHT}" y2="${PROBE_BOTTOM}" stroke="#333"/>`);
  for (let e = lo; e <= hi; e++) add(`<text x="${LEFT - 6}" y="${f(yl(10 ** e) + 4)}" text-anchor="end">${escapeXml(`${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}ms`)}</text>`);
  add(`<text x="${LEFT + 4}" y="${PROBE_TOP - 4}">${escapeXml(`probes: green = ok (height = latency), red = failed (${tl.probes.map((p) => `${p.probe} ${p.failed}/${p.sent} failed`).join(', ') || 'none'})`)}</text></g>`);
  add('<g id="probe-ok" fill="#2da44e">');
  for (const s of samples.filter((s) => s.ok)) add(`<circle cx="${f(xt(s.t))}" cy="${f(yl(s.latencyMs))}" r="1.8"><title>${escapeXml(`${s.probe} ${(s.latencyMs).toFixed(1)}ms`)}</title></circle>`);
  add('</g><g id="probe-failed" fill="#cf222e">');
  for (const s of samples.filter((s) => !s.ok)) add(`<rect x="${f(xt(s.t) - 1)}" y="${PROBE_TOP + 2}" width="2" height="10"><title>${escapeXml(`${s.probe} failed: ${s.error ?? s.code ?? ''}`)}</title></rect>`);
  add('</g>');

  // Faults and heals: full-height lines.
  add('<g id="markers">');
  for (const m of tl.markers.filter((m) => (m.kind === 'fault' || m.kind === 'heal') && inRange(m.t))) {
    const color = m.kind === 'fault' ? '#cf222e' : '#2da44e';
    add(`<line class="${m.kind}" x1="${f(xt(m.t))}" y1="${NOTES_TOP}" x2="${f(xt(m.t))}" y2="${PROBE_BOTTOM}" stroke="${color}" stroke-width="2"/>`);
    add(`<text x="${f(xt(m.t) + 3)}" y="${READY_TOP - 4}" fill="${color}" font-weight="bold">${escapeXml(`${m.kind === 'fault' ? 'fault' : 'heal'} ${m.name}`)}</text>`);
  }
  add('</g>');

  // Key moments: dashed lines, labels in staggered rows so they do not overlap.
  add('<g id="annotations">');
  const rowEnds: number[] = Array(NOTE_ROWS).fill(-Infinity);
  for (const e of keyMoments(tl.entries).filter((e) => inRange(e.t))) {
    const px = xt(e.t);
    const label = `${ENTRY_LABELS[e.kind]} ${(e.rel >= 0 ? '+' : '') + (e.rel / 1000).toFixed(1)}s`;
    const width = label.length * 6.2 + 6;
    // Near the right edge the label goes to the left of its line.
    const leftward = px + width > W - RIGHT;
    const from = leftward ? px - width : px;
    let row = rowEnds.findIndex((end) => end < from);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = Math.max(rowEnds[row], leftward ? px : px + width);
    const ty = NOTES_TOP + (row + 1) * NOTE_ROW_H;
    add(`<line x1="${f(px)}" y1="${ty + 2}" x2="${f(px)}" y2="${PROBE_BOTTOM}" stroke="#888" stroke-dasharray="3,3"/>`);
    add(`<text x="${f(leftward ? px - 2 : px + 2)}" y="${ty}" fill="#444"${leftward ? ' text-anchor="end"' : ''}><title>${escapeXml(`${e.object}: ${e.detail}`)}</title>${escapeXml(label)}</text>`);
  }
  add('</g>');
  add('</svg>');
  return out.join('\n') + '\n';
}
