// Reading an experiment file: YAML -> a validated Experiment with every default filled
// in. Errors name the field as Kubernetes' validation does
// (`spec.steps[2].wait.timeout: Invalid value: "abc": ...`) and all are reported at once.
// Pure: the caller reads the file.
import { isAbsolute, resolve } from 'node:path';
import { parseLabelSelector } from '@kubesim/api';
import { parseDocument } from 'yaml';
import { parseDelay, parseLoss } from '../names.js';
import {
  EXPERIMENT_API_VERSION,
  EXPERIMENT_KIND,
  isComponentAction,
  isNodeAction,
  COMPONENT_ACTIONS,
  NODE_ACTIONS,
  type Experiment,
  type FaultStep,
  type HttpTarget,
  type NodeTarget,
  type ProbeSpec,
  type ReadyStatus,
  type Step,
  type WaitFor,
} from './types.js';

export class ExperimentError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ExperimentError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (v: unknown) => JSON.stringify(typeof v === 'string' ? v : v === undefined ? '' : String(JSON.stringify(v)));

/** A duration such as 500ms, 30s, 2m or 1m30s -> milliseconds; undefined if it is not one. */
export function parseDuration(s: string): number | undefined {
  const text = s.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    const n = Number(m[1]);
    ms += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return ms;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const READY_STATUSES: readonly ReadyStatus[] = ['True', 'False', 'Unknown'];
const WAIT_KINDS = ['podsReady', 'nodeReady', 'deploymentAvailable', 'probeSucceeds', 'duration'] as const;
const STEP_KINDS = ['apply', 'wait', 'fault', 'heal'] as const;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Collects problems with the path of the field each is about. */
class Checker {
  readonly problems: string[] = [];
  invalid(path: string, value: unknown, why: string): void {
    this.problems.push(`${path}: Invalid value: ${quote(value)}: ${why}`);
  }
  required(path: string, why = ''): void {
    this.problems.push(`${path}: Required value${why ? `: ${why}` : ''}`);
  }
  unsupported(path: string, value: unknown, supported: readonly string[]): void {
    this.problems.push(`${path}: Unsupported value: ${quote(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`);
  }
  /** Reports keys of `o` outside `known` (strict decoding, as kubectl does). */
  known(path: string, o: Obj, known: readonly string[]): void {
    for (const k of Object.keys(o)) if (!known.includes(k)) this.problems.push(`unknown field "${path ? `${path}.` : ''}${k}"`);
  }
  object(path: string, v: unknown): Obj | undefined {
    if (isObj(v)) return v;
    this.problems.push(`${path}: Invalid type: expected an object, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    return undefined;
  }
  string(path: string, v: unknown, opts: { required?: boolean } = {}): string | undefined {
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.required(path);
      return undefined;
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    this.invalid(path, v, 'must be a string');
    return undefined;
  }
  int(path: string, v: unknown, min: number, dflt?: number): number | undefined {
    if (v === undefined || v === null) {
      if (dflt === undefined) this.required(path);
      return dflt;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.invalid(path, v, `must be an integer of at least ${min}`);
      return dflt;
    }
    return v;
  }
  bool(path: string, v: unknown, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    this.invalid(path, v, 'must be true or false');
    return dflt;
  }
  duration(path: string, v: unknown, dflt?: number): number | undefined {
    if (v === undefined || v === null) {
      if (dflt === undefined) this.required(path);
      return dflt;
    }
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined) {
      this.invalid(path, v, 'must be a duration such as 500ms, 30s or 2m');
      return dflt;
    }
    return ms;
  }
  selector(path: string, v: unknown): string | undefined {
    const s = this.string(path, v, { required: true });
    if (s === undefined) return undefined;
    try {
      parseLabelSelector(s);
      return s;
    } catch (e) {
      this.invalid(path, s, e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }
  name(path: string, v: unknown, opts: { required?: boolean } = {}): string | undefined {
    const s = this.string(path, v, opts);
    if (s !== undefined && (!DNS_LABEL.test(s) || s.length > 63)) {
      this.invalid(path, s, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
      return undefined;
    }
    return s;
  }
  /** Exactly one of `keys` is set in `o`; returns it. */
  oneOf<K extends string>(path: string, o: Obj, keys: readonly K[]): K | undefined {
    const set = keys.filter((k) => o[k] !== undefined && o[k] !== null);
    if (set.length === 1) return set[0];
    if (!set.length) this.required(path, `must have one of ${keys.map((k) => `"${k}"`).join(', ')}`);
    else this.problems.push(`${path}: Forbidden: may have only one of ${set.map((k) => `"${k}"`).join(', ')}`);
    return undefined;
  }
}

interface Ctx {
  c: Checker;
  /** The experiment file's folder: manifest paths are relative to it. */
  dir: string;
  namespace: string;
  probes: Set<string>;
  faults: Map<string, FaultStep>;
}

/**
 * Parses and validates an experiment. `source` names the file in messages, `dir` is the
 * folder relative file paths resolve against. Throws ExperimentError listing every problem.
 */
export function parseExperiment(text: string, source: string, dir: string): Experiment {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new ExperimentError(`error parsing ${source}: ${doc.errors[0].message.split('\n')[0]}`);
  const raw = doc.toJS() as unknown;
  const c = new Checker();
  if (!isObj(raw)) throw new ExperimentError(`error validating "${source}": expected an Experiment object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  c.known('', raw, ['apiVersion', 'kind', 'metadata', 'spec']);
  if (raw.apiVersion !== EXPERIMENT_API_VERSION) c.unsupported('apiVersion', raw.apiVersion, [EXPERIMENT_API_VERSION]);
  if (raw.kind !== EXPERIMENT_KIND) c.unsupported('kind', raw.kind, [EXPERIMENT_KIND]);
  const meta = raw.metadata === undefined ? (c.required('metadata'), undefined) : c.object('metadata', raw.metadata);
  let name: string | undefined;
  if (meta) {
    c.known('metadata', meta, ['name', 'labels', 'annotations']);
    name = c.name('metadata.name', meta.name, { required: true });
  }
  const spec = raw.spec === undefined ? (c.required('spec'), undefined) : c.object('spec', raw.spec);
  let experiment: Experiment | undefined;
  if (spec) {
    c.known('spec', spec, ['observe', 'probes', 'setup', 'steps', 'cleanup']);
    const observe = spec.observe === undefined ? {} : (c.object('spec.observe', spec.observe) ?? {});
    c.known('spec.observe', observe, ['namespace', 'selector']);
    const namespace = c.name('spec.observe.namespace', observe.namespace) ?? 'default';
    const selector = observe.selector === undefined ? '' : (c.selector('spec.observe.selector', observe.selector) ?? '');
    const ctx: Ctx = { c, dir, namespace, probes: new Set(), faults: new Map() };
    const probes = list(c, 'spec.probes', spec.probes).map(([p, v]) => parseProbe(ctx, p, v)).filter((p): p is ProbeSpec => !!p);
    const setup = list(c, 'spec.setup', spec.setup).map(([p, v]) => parseStep(ctx, p, v)).filter((s): s is Step => !!s);
    if (spec.steps === undefined) c.required('spec.steps');
    const steps = list(c, 'spec.steps', spec.steps).map(([p, v]) => parseStep(ctx, p, v)).filter((s): s is Step => !!s);
    const cleanupRaw = spec.cleanup === undefined ? {} : (c.object('spec.cleanup', spec.cleanup) ?? {});
    c.known('spec.cleanup', cleanupRaw, ['delete', 'heal']);
    const cleanup = { delete: c.bool('spec.cleanup.delete', cleanupRaw.delete, true), heal: c.bool('spec.cleanup.heal', cleanupRaw.heal, true) };
    experiment = { name: name ?? '', source, spec: { observe: { namespace, selector }, probes, setup, steps, cleanup } };
  }
  if (c.problems.length || !experiment) {
    // The name as written, even when it is itself invalid, as kubectl shows it.
    const shown = name ?? (meta && typeof meta.name === 'string' ? meta.name : '');
    const head = `error validating "${source}": The Experiment "${shown}" is invalid`;
    throw new ExperimentError(c.problems.length === 1 ? `${head}: ${c.problems[0]}` : `${head}:\n${c.problems.map((p) => `* ${p}`).join('\n')}`, c.problems);
  }
  return experiment;
}

function list(c: Checker, path: string, v: unknown): [string, unknown][] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    c.problems.push(`${path}: Invalid type: expected a list, got ${typeof v}`);
    return [];
  }
  return v.map((x, i) => [`${path}[${i}]`, x]);
}

function parseProbe(ctx: Ctx, path: string, v: unknown): ProbeSpec | undefined {
  const { c } = ctx;
  const o = c.object(path, v);
  if (!o) return undefined;
  c.known(path, o, ['name', 'http', 'intervalMs', 'timeoutMs']);
  const name = c.name(`${path}.name`, o.name, { required: true });
  if (name && ctx.probes.has(name)) c.problems.push(`${path}.name: Duplicate value: "${name}"`);
  if (name) ctx.probes.add(name);
  const intervalMs = c.int(`${path}.intervalMs`, o.intervalMs, 10, 200);
  const timeoutMs = c.int(`${path}.timeoutMs`, o.timeoutMs, 10, 1000);
  const h = o.http === undefined ? (c.required(`${path}.http`), undefined) : c.object(`${path}.http`, o.http);
  if (!h || !name || intervalMs === undefined || timeoutMs === undefined) return undefined;
  const hp = `${path}.http`;
  c.known(hp, h, ['url', 'service', 'namespace', 'port', 'path', 'via', 'node']);
  const which = c.oneOf(hp, h, ['url', 'service'] as const);
  let http: HttpTarget | undefined;
  if (which === 'url') {
    const url = c.string(`${hp}.url`, h.url, { required: true });
    if (url && !/^http:\/\/[^/\s]+/.test(url)) c.invalid(`${hp}.url`, url, 'must be an http:// URL');
    else if (url) http = { url };
    for (const k of ['namespace', 'port', 'path', 'via', 'node']) if (h[k] !== undefined) c.problems.push(`${hp}.${k}: Forbidden: only with "service"`);
  } else if (which === 'service') {
    const service = c.name(`${hp}.service`, h.service, { required: true });
    const namespace = c.name(`${hp}.namespace`, h.namespace) ?? ctx.namespace;
    let port: number | string | undefined;
    if (h.port === undefined) c.required(`${hp}.port`, 'the Service port (number or name)');
    else if (typeof h.port === 'number') port = c.int(`${hp}.port`, h.port, 1);
    else port = c.name(`${hp}.port`, h.port);
    const p = c.string(`${hp}.path`, h.path) ?? '/';
    if (!p.startsWith('/')) c.invalid(`${hp}.path`, p, 'must start with "/"');
    const via = h.via === undefined ? 'nodePort' : h.via;
    if (via !== 'nodePort' && via !== 'clusterIP') c.unsupported(`${hp}.via`, via, ['nodePort', 'clusterIP']);
    const node = c.string(`${hp}.node`, h.node);
    if (service && port !== undefined && (via === 'nodePort' || via === 'clusterIP')) http = { service, namespace, port, path: p, via, ...(node ? { node } : {}) };
  }
  return http ? { name, http, intervalMs, timeoutMs } : undefined;
}

function parseStep(ctx: Ctx, path: string, v: unknown): Step | undefined {
  const { c } = ctx;
  const o = c.object(path, v);
  if (!o) return undefined;
  c.known(path, o, STEP_KINDS);
  const kind = c.oneOf(path, o, STEP_KINDS);
  if (kind === 'apply') return parseApply(ctx, `${path}.apply`, o.apply);
  if (kind === 'wait') return parseWait(ctx, `${path}.wait`, o.wait);
  if (kind === 'fault') return parseFault(ctx, `${path}.fault`, o.fault);
  if (kind === 'heal') return parseHeal(ctx, `${path}.heal`, o.heal);
  return undefined;
}

function parseApply(ctx: Ctx, path: string, v: unknown): Step | undefined {
  const { c } = ctx;
  const o: Obj | undefined = typeof v === 'string' ? { file: v } : c.object(path, v);
  if (!o) return undefined;
  c.known(path, o, ['file', 'objects']);
  const which = c.oneOf(path, o, ['file', 'objects'] as const);
  if (which === 'file') {
    const file = c.string(`${path}.file`, o.file, { required: true });
    return file ? { type: 'apply', file: isAbsolute(file) ? file : resolve(ctx.dir, file) } : undefined;
  }
  if (which === 'objects') {
    if (!Array.isArray(o.objects) || !o.objects.length) {
      c.invalid(`${path}.objects`, o.objects, 'must be a non-empty list of objects');
      return undefined;
    }
    const bad = o.objects.findIndex((x) => !isObj(x));
    if (bad >= 0) {
      c.problems.push(`${path}.objects[${bad}]: Invalid type: expected an object`);
      return undefined;
    }
    return { type: 'apply', objects: o.objects };
  }
  return undefined;
}

function readyStatuses(c: Checker, path: string, v: unknown): ReadyStatus[] | undefined {
  const items = Array.isArray(v) ? v : [v];
  if (v === undefined || !items.length) {
    c.required(path, 'one or more of "True", "False", "Unknown"');
    return undefined;
  }
  const out: ReadyStatus[] = [];
  for (const x of items) {
    // `status: True` unquoted is a YAML boolean: take it as the condition status it reads as.
    const s = typeof x === 'boolean' ? (x ? 'True' : 'False') : x;
    if (typeof s === 'string' && (READY_STATUSES as readonly string[]).includes(s)) out.push(s as ReadyStatus);
    else {
      c.unsupported(path, x, READY_STATUSES);
      return undefined;
    }
  }
  return out;
}

function parseWait(ctx: Ctx, path: string, v: unknown): Step | undefined {
  const { c } = ctx;
  const o = c.object(path, v);
  if (!o) return undefined;
  c.known(path, o, [...WAIT_KINDS, 'timeout']);
  const kind = c.oneOf(path, o, WAIT_KINDS);
  if (kind === 'duration') {
    if (o.timeout !== undefined) c.problems.push(`${path}.timeout: Forbidden: a duration wait has no timeout`);
    const ms = c.duration(`${path}.duration`, o.duration);
    return ms === undefined ? undefined : { type: 'wait', for: { kind: 'duration', ms }, timeoutMs: ms };
  }
  const timeoutMs = c.duration(`${path}.timeout`, o.timeout, DEFAULT_TIMEOUT_MS);
  let f: WaitFor | undefined;
  const p = `${path}.${kind ?? ''}`;
  if (kind === 'podsReady') {
    const w = c.object(p, o.podsReady);
    if (w) {
      c.known(p, w, ['selector', 'namespace', 'count', 'onReadyNodes']);
      const selector = c.selector(`${p}.selector`, w.selector);
      const namespace = c.name(`${p}.namespace`, w.namespace) ?? ctx.namespace;
      const count = c.int(`${p}.count`, w.count, 0);
      const onReadyNodes = c.bool(`${p}.onReadyNodes`, w.onReadyNodes, true);
      if (selector !== undefined && count !== undefined) f = { kind: 'podsReady', selector, namespace, count, onReadyNodes };
    }
  } else if (kind === 'nodeReady') {
    const w = c.object(p, o.nodeReady);
    if (w) {
      c.known(p, w, ['node', 'status']);
      const node = c.string(`${p}.node`, w.node);
      const status = readyStatuses(c, `${p}.status`, w.status);
      if (status) f = { kind: 'nodeReady', status, ...(node ? { node } : {}) };
    }
  } else if (kind === 'deploymentAvailable') {
    const w: Obj | undefined = typeof o.deploymentAvailable === 'string' ? { name: o.deploymentAvailable } : c.object(p, o.deploymentAvailable);
    if (w) {
      c.known(p, w, ['name', 'namespace']);
      const name = c.name(`${p}.name`, w.name, { required: true });
      const namespace = c.name(`${p}.namespace`, w.namespace) ?? ctx.namespace;
      if (name) f = { kind: 'deploymentAvailable', name, namespace };
    }
  } else if (kind === 'probeSucceeds') {
    const w: Obj | undefined = typeof o.probeSucceeds === 'string' ? { probe: o.probeSucceeds } : c.object(p, o.probeSucceeds);
    if (w) {
      c.known(p, w, ['probe', 'consecutive']);
      const probe = c.string(`${p}.probe`, w.probe, { required: true });
      if (probe && !ctx.probes.has(probe)) c.invalid(`${p}.probe`, probe, `no probe of this name in spec.probes${ctx.probes.size ? ` (${[...ctx.probes].join(', ')})` : ''}`);
      const consecutive = c.int(`${p}.consecutive`, w.consecutive, 1, 5);
      if (probe && consecutive !== undefined) f = { kind: 'probe', probe, consecutive };
    }
  }
  return f && timeoutMs !== undefined ? { type: 'wait', for: f, timeoutMs } : undefined;
}

function parseNodeTarget(ctx: Ctx, path: string, o: Obj): NodeTarget | undefined {
  const { c } = ctx;
  const which = c.oneOf(path, o, ['node', 'nodeOf'] as const);
  if (which === 'node') {
    const node = c.string(`${path}.node`, o.node, { required: true });
    if (node?.includes('{{')) c.invalid(`${path}.node`, node, 'templates are not supported; to pick the node of a pod at run time use nodeOf: {selector: app=web}');
    else if (node) return { node };
  } else if (which === 'nodeOf') {
    const w: Obj | undefined = typeof o.nodeOf === 'string' ? { selector: o.nodeOf } : c.object(`${path}.nodeOf`, o.nodeOf);
    if (w) {
      c.known(`${path}.nodeOf`, w, ['selector', 'namespace']);
      const selector = c.selector(`${path}.nodeOf.selector`, w.selector);
      const namespace = c.name(`${path}.nodeOf.namespace`, w.namespace) ?? ctx.namespace;
      if (selector) return { nodeOf: { selector, namespace } };
    }
  }
  return undefined;
}

function parseFault(ctx: Ctx, path: string, v: unknown): Step | undefined {
  const { c } = ctx;
  const o = c.object(path, v);
  if (!o) return undefined;
  c.known(path, o, ['name', 'action', 'node', 'nodeOf', 'component', 'withPods', 'delay', 'loss']);
  const name = c.name(`${path}.name`, o.name) ?? `fault-${ctx.faults.size + 1}`;
  if (ctx.faults.has(name)) c.problems.push(`${path}.name: Duplicate value: "${name}"`);
  const action = c.string(`${path}.action`, o.action, { required: true });
  let step: FaultStep | undefined;
  const forbid = (k: string, why: string) => {
    if (o[k] !== undefined) c.problems.push(`${path}.${k}: Forbidden: ${why}`);
  };
  if (action !== undefined && isNodeAction(action)) {
    forbid('component', 'a node fault targets node or nodeOf');
    if (action !== 'node-kill') forbid('withPods', 'only with action node-kill');
    if (action !== 'node-delay') forbid('delay', 'only with action node-delay');
    if (action !== 'node-loss') forbid('loss', 'only with action node-loss');
    const target = parseNodeTarget(ctx, path, o);
    const withPods = c.bool(`${path}.withPods`, o.withPods, false);
    let amount: number | undefined;
    let ok = true;
    for (const [k, parse] of [['delay', parseDelay], ['loss', parseLoss]] as const) {
      if (action !== `node-${k}`) continue;
      const s = c.string(`${path}.${k}`, o[k], { required: true });
      if (s === undefined) ok = false;
      else {
        try {
          amount = parse(s);
        } catch (e) {
          c.invalid(`${path}.${k}`, s, (e as Error).message.replace(/^invalid \w+ "[^"]*": /, ''));
          ok = false;
        }
      }
    }
    if (target && ok) step = { type: 'fault', name, action, target, withPods, ...(amount !== undefined ? { amount } : {}) };
  } else if (action !== undefined && isComponentAction(action)) {
    for (const k of ['node', 'nodeOf', 'withPods', 'delay', 'loss']) forbid(k, `not with action ${action}`);
    const component = c.string(`${path}.component`, o.component, { required: true });
    if (component && action === 'kill-leader' && component !== 'scheduler' && component !== 'controller-manager') c.unsupported(`${path}.component`, component, ['scheduler', 'controller-manager']);
    else if (component && action !== 'kill-leader' && !/^[a-z-]+-[1-9][0-9]*$/.test(component)) c.invalid(`${path}.component`, component, 'must name one process: COMPONENT-N, such as apiserver-1, etcd-2, scheduler-1');
    else if (component) step = { type: 'fault', name, action, component };
  } else if (action !== undefined) c.unsupported(`${path}.action`, action, [...NODE_ACTIONS, ...COMPONENT_ACTIONS]);
  if (step) ctx.faults.set(name, step);
  return step;
}

function parseHeal(ctx: Ctx, path: string, v: unknown): Step | undefined {
  const { c } = ctx;
  const o: Obj | undefined = v === 'all' ? { all: true } : typeof v === 'string' ? { fault: v } : c.object(path, v);
  if (!o) return undefined;
  c.known(path, o, ['all', 'fault']);
  const all = c.bool(`${path}.all`, o.all, false);
  const fault = c.string(`${path}.fault`, o.fault);
  if (all && fault) c.problems.push(`${path}: Forbidden: may have only one of "all", "fault"`);
  else if (!all && !fault) c.required(path, 'all: true, or the fault (a fault step\'s name) to undo');
  else if (fault && !ctx.faults.has(fault)) c.invalid(`${path}.fault`, fault, `no earlier fault step of this name${ctx.faults.size ? ` (${[...ctx.faults.keys()].join(', ')})` : ''}`);
  else return { type: 'heal', all, ...(fault ? { fault } : {}) };
  return undefined;
}
