// `kubesim chaos run FILE`: runs an experiment on a local cluster. Setup steps first,
// then the probes start and the steps run; whatever happens, the faults are healed and
// what was applied is deleted (cleanup); the recording becomes the timeline.
import { readFile } from 'node:fs/promises';
import { isNotFound, type KubeObject } from '@kubesim/api';
import { Client, newLogger } from '@kubesim/client';
import { computeApplyPatch, withLastApplied } from '../../apply.js';
import { resourceName } from '../../commands/resources.js';
import { decodeManifest, parseDocuments, placeInNamespace, type Manifest } from '../../manifests.js';
import { apiserverEndpoints } from '../../cluster/state.js';
import { componentNameOfPid, pidOfIdentity } from '../names.js';
import { loadState } from '../restart.js';
import { heal, healEverything, inject, type Injected } from './actions.js';
import { deploymentAvailable, lastSucceeded, nodeOfSelector, nodeReadyStatus, readyPodCount } from './conditions.js';
import type { TimelineFile } from './output.js';
import { Prober } from './probes.js';
import type { Marker, ProbeSample } from './record.js';
import { Recorder } from './recorder.js';
import { deriveTimeline } from './timeline.js';
import type { ApplyStep, Experiment, FaultStep, Step, WaitFor } from './types.js';

export interface RunOptions {
  cluster: string;
  say: (line: string) => void;
}

export interface RunResult {
  file: TimelineFile;
  error?: Error;
}

const seconds = (ms: number) => `${+(ms / 1000).toFixed(3)}s`;

/** Reads and checks every manifest of every apply step before anything is done. */
async function loadApplies(exp: Experiment): Promise<Map<ApplyStep, Manifest[]>> {
  const out = new Map<ApplyStep, Manifest[]>();
  for (const step of [...exp.spec.setup, ...exp.spec.steps]) {
    if (step.type !== 'apply') continue;
    let raws: unknown[];
    let source: string;
    if (step.file) {
      source = step.file;
      let text: string;
      try {
        text = await readFile(step.file, 'utf8');
      } catch {
        throw new Error(`${exp.source}: the manifest "${step.file}" does not exist`);
      }
      raws = parseDocuments({ source, text });
    } else {
      source = `${exp.source} (inline objects)`;
      raws = step.objects ?? [];
    }
    out.set(
      step,
      raws.map((r) => placeInNamespace(decodeManifest(source, r), exp.spec.observe.namespace, false)),
    );
  }
  return out;
}

/** The namespaces whose pods, endpoints and events are recorded. */
function involvedNamespaces(exp: Experiment, manifests: Map<ApplyStep, Manifest[]>): Set<string> {
  const ns = new Set([exp.spec.observe.namespace]);
  for (const ms of manifests.values()) for (const m of ms) if (m.info.namespaced && m.obj.metadata?.namespace) ns.add(m.obj.metadata.namespace);
  for (const s of [...exp.spec.setup, ...exp.spec.steps]) {
    if (s.type === 'wait' && (s.for.kind === 'podsReady' || s.for.kind === 'deploymentAvailable')) ns.add(s.for.namespace);
    if (s.type === 'fault' && 'target' in s && 'nodeOf' in s.target) ns.add(s.target.nodeOf.namespace);
  }
  for (const p of exp.spec.probes) if ('service' in p.http) ns.add(p.http.namespace);
  return ns;
}

export async function runExperiment(exp: Experiment, opts: RunOptions): Promise<RunResult> {
  const { cluster, say } = opts;
  // The recorder's reconnects (an apiserver killed on purpose) are part of the experiment,
  // not news for the terminal: warnings only when KUBESIM_LOG_LEVEL asks for them.
  const base = newLogger('experiment', { experiment: exp.name });
  const log = process.env.KUBESIM_LOG_LEVEL ? base : base.child({}, { level: 'error' });
  const manifests = await loadApplies(exp);
  const state = await loadState(cluster);
  const client = new Client({ endpoints: apiserverEndpoints(state), timeoutMs: 10_000, userAgent: 'kubesim-chaos-run' });
  const processOf = (identity: string) => {
    const pid = pidOfIdentity(identity);
    return pid === undefined ? undefined : componentNameOfPid(state.processes, pid);
  };
  const recorder = new Recorder(client, involvedNamespaces(exp, manifests), log, Date.now, processOf);
  const markers: Marker[] = [];
  const samples: ProbeSample[] = [];
  const sampleListeners = new Set<() => void>();
  const injected: Injected[] = [];
  const faulted = new Set<string>();
  const applied: Manifest[] = [];
  const startedAt = new Date().toISOString();
  let prober: Prober | undefined;
  let error: Error | undefined;
  // Ctrl-C ends the step in progress, and the cleanup still runs: a killed node is not
  // left dead because the user stopped watching.
  const abort = new AbortController();
  const interrupt = (sig: string) => () => abort.abort(new Error(`interrupted (${sig})`));
  const onInt = interrupt('SIGINT');
  const onTerm = interrupt('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);

  /** Resolves once `check` holds, re-checking on every recorded change and probe result. */
  const waitUntil = (what: string, check: () => boolean, timeoutMs: number, status: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      let off = () => undefined as unknown;
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${seconds(timeoutMs)} waiting for ${what} (${status()})`));
      }, timeoutMs);
      const test = () => {
        let ok = false;
        try {
          ok = check();
        } catch (e) {
          clearTimeout(timer);
          off();
          reject(e);
          return;
        }
        if (ok) {
          clearTimeout(timer);
          off();
          resolve();
        }
      };
      const onAbort = () => {
        clearTimeout(timer);
        off();
        reject(abort.signal.reason as Error);
      };
      const offChange = recorder.onChange(test);
      sampleListeners.add(test);
      abort.signal.addEventListener('abort', onAbort, { once: true });
      off = () => {
        offChange();
        sampleListeners.delete(test);
        abort.signal.removeEventListener('abort', onAbort);
      };
      if (abort.signal.aborted) onAbort();
      else test();
    });

  const lastNodeFault = () => [...injected].reverse().find((f) => f.node)?.node;

  const waitFor = async (w: WaitFor, timeoutMs: number): Promise<string> => {
    if (w.kind === 'duration') {
      await waitUntil(`${seconds(w.ms)} to pass`, () => false, w.ms, () => '').catch((e: Error) => {
        if (abort.signal.aborted) throw e;
      });
      return `waited ${seconds(w.ms)}`;
    }
    if (w.kind === 'podsReady') {
      const n = () => readyPodCount(recorder.pods(), w.namespace, w.selector, w.onReadyNodes ? recorder.nodeList() : undefined);
      await waitUntil(`${w.count} Ready pods ${w.selector} in ${w.namespace}`, () => n() >= w.count, timeoutMs, () => `${n()} Ready`);
      return `${n()} pods ${w.selector} Ready`;
    }
    if (w.kind === 'nodeReady') {
      const node = w.node ?? lastNodeFault();
      if (!node) throw new Error('wait nodeReady: no node given and no node fault before it');
      const s = () => nodeReadyStatus(recorder.node(node)) ?? 'none';
      await waitUntil(`node ${node} Ready=${w.status.join('|')}`, () => (w.status as string[]).includes(s()), timeoutMs, () => `Ready=${s()}`);
      return `node ${node} Ready=${s()}`;
    }
    if (w.kind === 'deploymentAvailable') {
      await waitUntil(`deployment ${w.namespace}/${w.name} Available`, () => deploymentAvailable(recorder.deployment(w.namespace, w.name)), timeoutMs, () => (recorder.deployment(w.namespace, w.name) ? 'not Available' : 'not found'));
      return `deployment ${w.name} Available`;
    }
    const results = () =>
      samples
        .filter((s) => s.probe === w.probe)
        .sort((a, b) => a.t - b.t)
        .map((s) => s.ok);
    await waitUntil(`probe ${w.probe} to succeed ${w.consecutive} times in a row`, () => lastSucceeded(results(), w.consecutive), timeoutMs, () => `${results().filter((x) => !x).length} failed of ${results().length}`);
    return `probe ${w.probe} succeeded ${w.consecutive} times in a row`;
  };

  const apply = async (step: ApplyStep) => {
    for (const m of manifests.get(step) ?? []) {
      const res = resourceName(m.info);
      const ns = m.info.namespaced ? (m.obj.metadata?.namespace ?? '') : '';
      const name = m.obj.metadata?.name ?? '';
      const live = await client.get(res, ns, name).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      if (!live) {
        await client.create(withLastApplied(m.obj));
        say(`  ${m.info.singular}/${name} created`);
      } else {
        const patch = computeApplyPatch(m.obj, live as KubeObject);
        if (patch) await client.patch(res, ns, name, patch);
        say(`  ${m.info.singular}/${name} ${patch ? 'configured' : 'unchanged'}`);
      }
      applied.push(m);
    }
  };

  const fault = async (step: FaultStep) => {
    let node: string | undefined;
    if ('target' in step) node = 'node' in step.target ? step.target.node : nodeOfSelector(recorder.pods(), step.target.nodeOf.namespace, step.target.nodeOf.selector);
    if (node) faulted.add(node);
    // The fault starts when the verb starts (a kill is its first act); its detail comes after.
    const t = Date.now();
    const f = await inject(cluster, step, node);
    injected.push(f);
    markers.push({ t, kind: 'fault', name: step.name, detail: f.detail, ...(node ? { node } : {}) });
    return f.detail;
  };

  const healStep = async (all: boolean, name?: string) => {
    if (all) {
      const t = Date.now();
      const lines = await healEverything(cluster);
      for (const f of injected) f.healed = true;
      markers.push({ t, kind: 'heal', name: 'all', detail: lines.join('; ') || 'no faults in force' });
      return lines.join('; ') || 'no faults in force';
    }
    const f = [...injected].reverse().find((x) => x.step.name === name);
    if (!f) throw new Error(`heal ${name}: that fault was not injected`);
    const t = Date.now();
    const detail = await heal(cluster, f);
    f.healed = true;
    markers.push({ t, kind: 'heal', name: f.step.name, detail, ...(f.node ? { node: f.node } : {}) });
    return detail;
  };

  const run = async (step: Step, where: string) => {
    abort.signal.throwIfAborted();
    const head = `${where}: ${describeStep(step)}`;
    say(head);
    let said: string | undefined;
    if (step.type === 'apply') await apply(step);
    else if (step.type === 'wait') said = await waitFor(step.for, step.timeoutMs);
    else if (step.type === 'fault') said = await fault(step);
    else said = await healStep(step.all, step.fault);
    if (said) say(`  ${said}`);
  };

  try {
    await recorder.start(AbortSignal.timeout(30_000));
    for (const [i, s] of exp.spec.setup.entries()) await run(s, `setup[${i}]`);
    prober = new Prober(exp.spec.probes, {
      service: (ns, name) => client.get('services', ns, name),
      nodes: () => recorder.nodeList(),
      faulted: () => faulted,
    }, (s) => {
      samples.push(s);
      for (const l of sampleListeners) l();
    });
    await prober.start();
    markers.push({ t: Date.now(), kind: 'start', name: exp.name, detail: 'steps started' });
    for (const [i, s] of exp.spec.steps.entries()) await run(s, `steps[${i}]`);
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
    say(`experiment failed: ${error.message}`);
  }
  markers.push({ t: Date.now(), kind: 'end', name: exp.name, detail: error ? 'failed' : 'done' });
  const end = markers[markers.length - 1].t;
  await prober?.stop();

  // Cleanup, always: undo the faults, delete what was applied (newest first).
  try {
    if (exp.spec.cleanup.heal && injected.some((f) => !f.healed)) {
      say('cleanup: heal all');
      for (const l of await healEverything(cluster)) say(`  ${l}`);
    }
    if (exp.spec.cleanup.delete && applied.length) {
      say('cleanup: delete what was applied');
      const seen = new Set<string>();
      for (const m of [...applied].reverse()) {
        const ns = m.info.namespaced ? (m.obj.metadata?.namespace ?? '') : '';
        const key = `${m.info.plural}/${ns}/${m.obj.metadata?.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await client.delete(resourceName(m.info), ns, m.obj.metadata?.name ?? '', { propagationPolicy: 'Background' }).then(
          () => say(`  ${m.info.singular}/${m.obj.metadata?.name} deleted`),
          (e: unknown) => {
            if (!isNotFound(e)) throw e;
          },
        );
      }
    }
  } catch (e) {
    const msg = `cleanup failed: ${e instanceof Error ? e.message : String(e)}`;
    say(msg);
    error ??= new Error(msg);
  } finally {
    await recorder.stop();
    client.close();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }

  const changes = recorder.changes.filter((c) => c.t <= end);
  const tl = deriveTimeline({ changes, markers, samples, observe: exp.spec.observe });
  const file: TimelineFile = {
    apiVersion: 'kubesim.io/v1alpha1',
    kind: 'ExperimentTimeline',
    experiment: exp.name,
    cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    result: error ? 'Failed' : 'Succeeded',
    ...(error ? { error: error.message } : {}),
    t0: tl.t0,
    entries: tl.entries,
    markers,
    readyPods: tl.readyPods,
    observe: exp.spec.observe,
    probes: tl.probes,
    samples: [...samples].sort((a, b) => a.t - b.t),
    changes,
  };
  return { file, ...(error ? { error } : {}) };
}

/** One line saying what a step does. */
export function describeStep(s: Step): string {
  if (s.type === 'apply') return `apply ${s.file ?? `${s.objects?.length ?? 0} inline object(s)`}`;
  if (s.type === 'heal') return s.all ? 'heal all' : `heal ${s.fault}`;
  if (s.type === 'fault') {
    if ('component' in s) return `fault ${s.name}: ${s.action} ${s.component}`;
    const where = 'node' in s.target ? s.target.node : `the node of ${s.target.nodeOf.selector}`;
    return `fault ${s.name}: ${s.action} ${where}${s.action === 'node-kill' && s.withPods ? ' with its pods' : ''}`;
  }
  const w = s.for;
  const t = ` (timeout ${seconds(s.timeoutMs)})`;
  if (w.kind === 'duration') return `wait ${seconds(w.ms)}`;
  if (w.kind === 'podsReady') return `wait for ${w.count} Ready pods ${w.selector}${t}`;
  if (w.kind === 'nodeReady') return `wait for node ${w.node ?? '(of the last node fault)'} Ready=${w.status.join('|')}${t}`;
  if (w.kind === 'deploymentAvailable') return `wait for deployment ${w.name} Available${t}`;
  return `wait for probe ${w.probe} to succeed ${w.consecutive} times in a row${t}`;
}
