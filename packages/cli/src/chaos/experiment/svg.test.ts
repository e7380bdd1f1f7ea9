import { describe, expect, it } from 'vitest';
import type { TimelineFile } from './output.js';
import { escapeXml, keyMoments, niceStep, renderSvg } from './svg.js';
import type { TimelineEntry } from './timeline.js';

/** Checks that `xml` is one well-formed element tree; returns the element names in order. */
function wellFormed(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const body = xml.trim();
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body))) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) throw new Error(`bare & in text: ${m[5]}`);
      if (!stack.length && m[5].trim()) throw new Error(`text outside the root: ${m[5]}`);
      continue;
    }
    const [, close, name, , selfClose] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes nothing open`);
    } else {
      if (!stack.length && names.length) throw new Error('a second root element');
      names.push(name);
      if (!selfClose) stack.push(name);
    }
  }
  if (pos !== body.length) throw new Error(`not markup at ${pos}: ${body.slice(pos, pos + 40)}`);
  if (stack.length) throw new Error(`unclosed: ${stack.join(', ')}`);
  return names;
}

const T = 1_000_000;
const entry = (rel: number, kind: TimelineEntry['kind'], object = 'node/n1', detail = ''): TimelineEntry => ({ t: T + rel, rel, kind, object, detail });

function file(): TimelineFile {
  const samples = [];
  for (let i = -20; i < 100; i++) samples.push({ t: T + i * 100, probe: 'web', ok: i < 0 || i >= 45, latencyMs: i % 7 === 0 ? 120 : 3, ...(i >= 0 && i < 45 ? { error: 'ECONNREFUSED' } : {}) });
  return {
    apiVersion: 'kubesim.io/v1alpha1',
    kind: 'ExperimentTimeline',
    experiment: 'node-kill',
    cluster: 'c',
    startedAt: '',
    finishedAt: '',
    result: 'Succeeded',
    t0: T,
    entries: [
      entry(0, 'FaultInjected', 'fault/power-cut', 'node "n1" <killed> & gone'),
      entry(0, 'ProbeFirstFailure', 'probe/web'),
      entry(4000, 'NodeNotReady'),
      entry(4000, 'TaintAdded'),
      entry(6000, 'PodMarkedForDeletion', 'pod/a'),
      entry(6100, 'PodCreated', 'pod/c', 'after the fault'),
      entry(7500, 'PodReady', 'pod/c'),
      entry(7600, 'EndpointsUpdated', 'endpoints/web'),
      entry(4400, 'ProbeRecovered', 'probe/web'),
      entry(8000, 'Healed', 'fault/power-cut'),
      entry(9000, 'NodeReady'),
    ].sort((a, b) => a.t - b.t),
    markers: [
      { t: T - 2000, kind: 'start', name: 'node-kill', detail: '' },
      { t: T, kind: 'fault', name: 'power-cut', detail: '' },
      { t: T + 8000, kind: 'heal', name: 'power-cut', detail: '' },
      { t: T + 10_000, kind: 'end', name: 'node-kill', detail: '' },
    ],
    readyPods: [
      { t: T - 9000, rel: -9000, ready: 3 },
      { t: T + 4100, rel: 4100, ready: 2 },
      { t: T + 7500, rel: 7500, ready: 3 },
    ],
    observe: { namespace: 'default', selector: 'app=web' },
    probes: [{ probe: 'web', sent: 120, failed: 45 }],
    samples,
    changes: [],
  };
}

describe('renderSvg', () => {
  const svg = renderSvg(file());

  it('is well-formed SVG', () => {
    const names = wellFormed(svg);
    expect(names[0]).toBe('svg');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="960" height="520"/);
  });

  it('draws the ready pods as a step line over the plotted range', () => {
    const pts = /<polyline id="ready-pods"[^>]* points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => p.split(',').map(Number));
    // Starts at the left edge with the count before the range (3), steps down to 2 then up to 3.
    const ys = [...new Set(pts.map((p) => p[1]))];
    expect(ys).toHaveLength(2);
    const [y3, y2] = [pts[0][1], Math.max(...pts.map((p) => p[1]))];
    expect(y2).toBeGreaterThan(y3);
    expect(pts.map((p) => (p[1] === y3 ? 3 : 2))).toEqual([3, 3, 2, 2, 3, 3]);
    // x never goes back: a step line.
    for (let i = 1; i < pts.length; i++) expect(pts[i][0]).toBeGreaterThanOrEqual(pts[i - 1][0]);
    expect(pts[0][0]).toBe(64);
    expect(pts.at(-1)![0]).toBe(936);
  });

  it('marks every probe request: green ok, red failed', () => {
    const ok = /<g id="probe-ok"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1];
    const failed = /<g id="probe-failed"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1];
    expect(ok.match(/<circle /g)).toHaveLength(75);
    expect(failed.match(/<rect /g)).toHaveLength(45);
    expect(failed).toContain('web failed: ECONNREFUSED');
  });

  it('draws the fault and the heal, and annotates the key moments', () => {
    expect(svg.match(/<line class="fault"/g)).toHaveLength(1);
    expect(svg.match(/<line class="heal"/g)).toHaveLength(1);
    const notes = /<g id="annotations">([\s\S]*?)<\/g>/.exec(svg)![1];
    for (const label of ['node NotReady +4.0s', 'taint added +4.0s', 'pod marked for deletion +6.0s', 'pod created +6.1s', 'pod Ready +7.5s', 'endpoints updated +7.6s', 'first failed probe +0.0s', 'probe succeeds again +4.4s', 'node Ready again +9.0s']) {
      expect(notes).toContain(`>${label}</text>`);
    }
  });

  it('puts the fault line where time zero is on the axis', () => {
    const fx = Number(/<line class="fault" x1="([\d.]+)"/.exec(svg)![1]);
    const zero = /<line x1="([\d.]+)"[^>]*\/>\n<text[^>]*>0s<\/text>/.exec(svg);
    expect(zero).not.toBeNull();
    expect(Math.abs(Number(zero![1]) - fx)).toBeLessThan(0.2);
  });

  it('escapes text and survives an empty recording', () => {
    expect(escapeXml('a <b> & "c"')).toBe('a &lt;b&gt; &amp; &quot;c&quot;');
    const empty = renderSvg({ ...file(), entries: [], markers: [], readyPods: [], samples: [], probes: [], experiment: 'e<&>' });
    expect(wellFormed(empty)[0]).toBe('svg');
    expect(empty).toContain('experiment e&lt;&amp;&gt;');
    expect(empty).not.toContain('NaN');
    expect(svg).not.toContain('NaN');
  });
});

describe('svg helpers', () => {
  it('niceStep gives 1-2-5 steps for at most ~10 ticks', () => {
    expect(niceStep(10)).toBe(1);
    expect(niceStep(12)).toBe(2);
    expect(niceStep(45)).toBe(5);
    expect(niceStep(300)).toBe(50);
    expect(niceStep(0.5)).toBeCloseTo(0.05);
    expect(niceStep(0)).toBe(1);
  });
  it('keyMoments: the first of each kind after the fault, and every probe failure and recovery', () => {
    const es = [entry(-100, 'NodeNotReady'), entry(100, 'NodeNotReady'), entry(200, 'NodeNotReady'), entry(300, 'ProbeFirstFailure', 'probe/a'), entry(300, 'ProbeFirstFailure', 'probe/b'), entry(50, 'PodCreated', 'pod/x', '')];
    expect(keyMoments(es).map((e) => [e.rel, e.kind, e.object])).toEqual([
      [100, 'NodeNotReady', 'node/n1'],
      [300, 'ProbeFirstFailure', 'probe/a'],
      [300, 'ProbeFirstFailure', 'probe/b'],
    ]);
  });
});
