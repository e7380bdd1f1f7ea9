// `kubesim chaos run` end to end: the shipped node-kill experiment on a real
// `kubesim up --nodes 2 --profile fast` Docker cluster (root: the pod network and
// kube-proxy). The experiment applies the demo Deployment and its NodePort Service,
// probes it, kills the node of a web pod with its containers, waits for the
// replacements and for traffic to come back, starts the node again and cleans up.
// Checked here: it exits 0, the timeline tells the story in Kubernetes' order, the
// probes failed and then succeeded, and timeline.json and plot.svg are written.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineFile } from '../../packages/cli/src/chaos/experiment/output.js';
import { runCli } from '../cli/harness.js';
import { freePort } from '../support/ports.js';

const exec = promisify(execFile);
const NAME = 'xpnk';
const EXAMPLE = fileURLToPath(new URL('../../deploy/examples/experiments/node-kill.yaml', import.meta.url));
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('kubesim chaos run: node kill on a 2-node Docker cluster', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-xp-'));
  const out = join(home, 'out');
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const kubesim = (args: string[], timeoutMs = 60_000) => runCli(args, { env, timeoutMs });

  beforeAll(async () => {
    const r = await kubesim(['up', '--name', NAME, '--nodes', '2', '--profile', 'fast', '--port', String(await freePort())], 90_000);
    if (r.code !== 0) throw new Error(`kubesim up failed: ${r.stderr}\n${r.stdout}`);
  }, 120_000);

  afterAll(async () => {
    if (existsSync(join(home, 'clusters', NAME))) {
      await kubesim(['chaos', 'heal', '--all', '--name', NAME]);
      await kubesim(['down', '--name', NAME]);
    }
    for (const n of [`${NAME}-node-1`, `${NAME}-node-2`]) {
      const ids = (await exec('docker', ['ps', '-aq', '--filter', `label=kubesim.node=${n}`])).stdout.split('\n').filter(Boolean);
      if (ids.length) await exec('docker', ['rm', '-f', ...ids]);
    }
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('runs the node-kill example and records NotReady -> taint -> eviction -> replacement Ready, with the outage', async () => {
    const r = await kubesim(['chaos', 'run', EXAMPLE, '--name', NAME, '--out', out], 150_000);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toMatch(/^TIME\s+EVENT\s+OBJECT\s+DETAIL$/m);
    expect(r.stdout).toMatch(/^\+0\.0s\s+fault injected\s+fault\/power-cut\s+node "xpnk-node-\d" killed/m);
    expect(r.stdout).toContain('experiment node-kill succeeded');

    const tl = JSON.parse(readFileSync(join(out, 'timeline.json'), 'utf8')) as TimelineFile;
    expect(tl).toMatchObject({ kind: 'ExperimentTimeline', experiment: 'node-kill', cluster: NAME, result: 'Succeeded' });
    const fault = tl.markers.find((m) => m.kind === 'fault')!;
    const node = fault.node!;
    expect(node).toMatch(/^xpnk-node-\d$/);
    const at = (kind: string, pred: (e: TimelineFile['entries'][number]) => boolean = () => true) => {
      const e = tl.entries.find((x) => x.kind === kind && x.rel >= 0 && pred(x));
      if (!e) throw new Error(`no ${kind} after the fault in:\n${tl.entries.map((x) => `${x.rel} ${x.kind} ${x.object} ${x.detail}`).join('\n')}`);
      return e.t;
    };
    const replacements = new Set(tl.entries.filter((e) => e.kind === 'PodCreated' && e.detail === 'after the fault').map((e) => e.object));
    expect(replacements.size).toBeGreaterThan(0);
    const times = {
      fault: at('FaultInjected'),
      notReady: at('NodeNotReady', (e) => e.object === `node/${node}` && e.detail.startsWith('Ready=Unknown')),
      taint: at('TaintAdded', (e) => e.object === `node/${node}` && e.detail === 'node.kubernetes.io/unreachable:NoExecute'),
      marked: at('PodMarkedForDeletion', (e) => e.detail === `on ${node}`),
      replacementReady: at('PodReady', (e) => replacements.has(e.object)),
      healed: at('Healed'),
      readyAgain: at('NodeReady', (e) => e.object === `node/${node}`),
    };
    expect(times.fault).toBeLessThan(times.notReady);
    expect(times.notReady).toBeLessThanOrEqual(times.taint);
    expect(times.taint).toBeLessThan(times.marked);
    expect(times.marked).toBeLessThan(times.replacementReady);
    expect(times.healed).toBeLessThan(times.readyAgain);
    // Replacements were bound to the other node.
    expect(tl.entries.filter((e) => e.kind === 'PodBound' && replacements.has(e.object)).every((e) => e.detail !== `to ${node}`)).toBe(true);

    // The probes failed after the fault, then succeeded again (the experiment waited for 20 in a row).
    const probe = tl.probes.find((p) => p.probe === 'web')!;
    expect(probe.failed).toBeGreaterThan(0);
    // The outage: failed requests that were in flight at the kill or started after it (a
    // stray timeout before the fault, on a loaded machine, is recorded too, and honestly
    // shows as an earlier first failure).
    const outage = tl.samples.filter((s) => s.probe === 'web' && !s.ok && s.t + s.latencyMs >= times.fault);
    expect(outage.length).toBeGreaterThan(0);
    expect(probe.lastFailure!).toBeGreaterThanOrEqual(times.fault);
    expect(probe.recovered!).toBeGreaterThan(probe.lastFailure!);
    const after = tl.samples.filter((s) => s.t > probe.lastFailure!);
    expect(after.length).toBeGreaterThanOrEqual(20);
    expect(after.every((s) => s.ok)).toBe(true);
    // The ready series went down and came back to 3.
    expect(Math.min(...tl.readyPods.filter((p) => p.rel >= 0).map((p) => p.ready))).toBeLessThan(3);
    expect(tl.readyPods.at(-1)!.ready).toBe(3);

    const svg = readFileSync(join(out, 'plot.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<polyline id="ready-pods"');
    expect(svg).toContain('<line class="fault"');

    // Cleanup deleted what the experiment applied.
    const svc = await kubesim(['get', 'service', 'web']);
    expect(svc.stderr).toContain('NotFound');
  }, 170_000);
});
