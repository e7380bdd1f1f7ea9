import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExperimentError, parseDuration, parseExperiment } from './parse.js';

const EXAMPLES = fileURLToPath(new URL('../../../../../deploy/examples/experiments/', import.meta.url));

const head = `apiVersion: kubesim.io/v1alpha1
kind: Experiment
metadata: {name: x}
`;
const parse = (spec: string) => parseExperiment(head + spec, 'x.yaml', '/exp');
/** The problems of an invalid experiment. */
const problems = (spec: string, text = head + spec): string[] => {
  try {
    parseExperiment(text, 'x.yaml', '/exp');
  } catch (e) {
    expect(e).toBeInstanceOf(ExperimentError);
    return (e as ExperimentError).problems;
  }
  throw new Error('expected it to be invalid');
};

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    [' 5s ', 5000],
  ])('%s -> %d ms', (s, ms) => expect(parseDuration(s)).toBe(ms));
  it.each(['', 'abc', '5', '5 s', '-1s', 's', '1d'])('refuses %j', (s) => expect(parseDuration(s)).toBeUndefined());
});

describe('parseExperiment', () => {
  it('parses every shipped example', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml') && f !== 'web.yaml');
    expect(files.sort()).toEqual(['apiserver-kill.yaml', 'etcd-member-kill.yaml', 'leader-kill.yaml', 'node-kill.yaml', 'node-partition.yaml']);
    for (const f of files) {
      const exp = parseExperiment(readFileSync(EXAMPLES + f, 'utf8'), f, EXAMPLES);
      expect(exp.name).toBe(f.replace(/\.yaml$/, ''));
      expect(exp.spec.steps.some((s) => s.type === 'fault')).toBe(true);
      expect(exp.spec.setup[0]).toEqual({ type: 'apply', file: EXAMPLES + 'web.yaml' });
    }
  });

  it('reads the node-kill example in full', () => {
    const exp = parseExperiment(readFileSync(EXAMPLES + 'node-kill.yaml', 'utf8'), 'node-kill.yaml', EXAMPLES);
    expect(exp.spec.observe).toEqual({ namespace: 'default', selector: 'app=web' });
    expect(exp.spec.probes).toEqual([{ name: 'web', http: { service: 'web', namespace: 'default', port: 80, path: '/', via: 'nodePort' }, intervalMs: 100, timeoutMs: 500 }]);
    expect(exp.spec.steps).toEqual([
      { type: 'wait', for: { kind: 'probe', probe: 'web', consecutive: 10 }, timeoutMs: 30_000 },
      { type: 'fault', name: 'power-cut', action: 'node-kill', target: { nodeOf: { selector: 'app=web', namespace: 'default' } }, withPods: true },
      { type: 'wait', for: { kind: 'nodeReady', status: ['Unknown'] }, timeoutMs: 120_000 },
      { type: 'wait', for: { kind: 'podsReady', selector: 'app=web', namespace: 'default', count: 3, onReadyNodes: true }, timeoutMs: 420_000 },
      { type: 'wait', for: { kind: 'probe', probe: 'web', consecutive: 20 }, timeoutMs: 60_000 },
      { type: 'heal', all: false, fault: 'power-cut' },
      { type: 'wait', for: { kind: 'nodeReady', status: ['True'] }, timeoutMs: 60_000 },
    ]);
    expect(exp.spec.cleanup).toEqual({ delete: true, heal: true });
  });

  it('fills in defaults', () => {
    const exp = parse(`spec:
  probes: [{name: p, http: {url: "http://127.0.0.1:8080/x"}}]
  steps:
  - wait: {podsReady: {selector: app=a, count: 1}}
  - fault: {action: node-pause, node: n1}
  - fault: {action: kill, component: apiserver-1}
  - heal: fault-1
  - heal: all
`);
    expect(exp.spec.observe).toEqual({ namespace: 'default', selector: '' });
    expect(exp.spec.probes[0]).toEqual({ name: 'p', http: { url: 'http://127.0.0.1:8080/x' }, intervalMs: 200, timeoutMs: 1000 });
    expect(exp.spec.setup).toEqual([]);
    expect(exp.spec.steps).toEqual([
      { type: 'wait', for: { kind: 'podsReady', selector: 'app=a', namespace: 'default', count: 1, onReadyNodes: true }, timeoutMs: 60_000 },
      { type: 'fault', name: 'fault-1', action: 'node-pause', target: { node: 'n1' }, withPods: false },
      { type: 'fault', name: 'fault-2', action: 'kill', component: 'apiserver-1' },
      { type: 'heal', all: false, fault: 'fault-1' },
      { type: 'heal', all: true },
    ]);
  });

  it('takes every wait, fault and apply form', () => {
    const exp = parse(`spec:
  observe: {namespace: demo}
  probes: [{name: web, http: {service: web, port: http, path: /healthz, via: clusterIP, namespace: other}, intervalMs: 50, timeoutMs: 300}]
  setup:
  - apply: {file: m/web.yaml}
  - apply: /abs/x.yaml
  - apply: {objects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}]}
  steps:
  - wait: {nodeReady: {node: n1, status: [False, Unknown]}, timeout: 1m}
  - wait: {nodeReady: {status: True}}
  - wait: {deploymentAvailable: web, timeout: 90s}
  - wait: {deploymentAvailable: {name: web, namespace: x}}
  - wait: {probeSucceeds: web}
  - wait: {duration: 250ms}
  - wait: {podsReady: {selector: "app in (a,b)", count: 0, namespace: n2, onReadyNodes: false}}
  - fault: {name: d, action: node-delay, nodeOf: app=web, delay: 200ms}
  - fault: {name: l, action: node-loss, node: n2, loss: 10%}
  - fault: {name: p, action: node-partition, nodeOf: {selector: app=web, namespace: n3}}
  - fault: {name: k, action: node-kill, node: n1}
  - fault: {name: leader, action: kill-leader, component: scheduler}
  - fault: {name: cm, action: pause, component: controller-manager-2}
  - heal: {fault: d}
  - heal: {all: true}
  cleanup: {delete: false}
`);
    expect(exp.spec.probes[0].http).toEqual({ service: 'web', namespace: 'other', port: 'http', path: '/healthz', via: 'clusterIP' });
    expect(exp.spec.setup).toEqual([
      { type: 'apply', file: '/exp/m/web.yaml' },
      { type: 'apply', file: '/abs/x.yaml' },
      { type: 'apply', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }] },
    ]);
    const waits = exp.spec.steps.filter((s) => s.type === 'wait');
    expect(waits).toEqual([
      { type: 'wait', for: { kind: 'nodeReady', node: 'n1', status: ['False', 'Unknown'] }, timeoutMs: 60_000 },
      { type: 'wait', for: { kind: 'nodeReady', status: ['True'] }, timeoutMs: 60_000 },
      { type: 'wait', for: { kind: 'deploymentAvailable', name: 'web', namespace: 'demo' }, timeoutMs: 90_000 },
      { type: 'wait', for: { kind: 'deploymentAvailable', name: 'web', namespace: 'x' }, timeoutMs: 60_000 },
      { type: 'wait', for: { kind: 'probe', probe: 'web', consecutive: 5 }, timeoutMs: 60_000 },
      { type: 'wait', for: { kind: 'duration', ms: 250 }, timeoutMs: 250 },
      { type: 'wait', for: { kind: 'podsReady', selector: 'app in (a,b)', namespace: 'n2', count: 0, onReadyNodes: false }, timeoutMs: 60_000 },
    ]);
    const faults = exp.spec.steps.filter((s) => s.type === 'fault');
    expect(faults).toEqual([
      { type: 'fault', name: 'd', action: 'node-delay', target: { nodeOf: { selector: 'app=web', namespace: 'demo' } }, withPods: false, amount: 200 },
      { type: 'fault', name: 'l', action: 'node-loss', target: { node: 'n2' }, withPods: false, amount: 0.1 },
      { type: 'fault', name: 'p', action: 'node-partition', target: { nodeOf: { selector: 'app=web', namespace: 'n3' } }, withPods: false },
      { type: 'fault', name: 'k', action: 'node-kill', target: { node: 'n1' }, withPods: false },
      { type: 'fault', name: 'leader', action: 'kill-leader', component: 'scheduler' },
      { type: 'fault', name: 'cm', action: 'pause', component: 'controller-manager-2' },
    ]);
    expect(exp.spec.steps.filter((s) => s.type === 'heal')).toEqual([
      { type: 'heal', all: false, fault: 'd' },
      { type: 'heal', all: true },
    ]);
    expect(exp.spec.cleanup).toEqual({ delete: false, heal: true });
  });

  it('names the field of each problem, Kubernetes style', () => {
    expect(
      problems(`spec:
  steps:
  - wait: {nodeReady: {status: "True"}}
  - wait: {duration: 1s}
  - wait: {podsReady: {selector: app=a, count: 1}, timeout: abc}
`),
    ).toEqual(['spec.steps[2].wait.timeout: Invalid value: "abc": must be a duration such as 500ms, 30s or 2m']);
  });

  it.each([
    ['steps missing', 'spec: {}', 'spec.steps: Required value'],
    ['unknown spec field', 'spec: {steps: [], foo: 1}', 'unknown field "spec.foo"'],
    ['step with no verb', 'spec: {steps: [{}]}', 'spec.steps[0]: Required value: must have one of "apply", "wait", "fault", "heal"'],
    ['step with two verbs', 'spec: {steps: [{wait: {duration: 1s}, heal: all}]}', 'spec.steps[0]: Forbidden: may have only one of "wait", "heal"'],
    ['unknown step verb', 'spec: {steps: [{sleep: 1s}]}', 'unknown field "spec.steps[0].sleep"'],
    ['steps not a list', 'spec: {steps: {a: 1}}', 'spec.steps: Invalid type: expected a list, got object'],
    ['bad selector', 'spec: {steps: [{wait: {podsReady: {selector: "a=(", count: 1}}}]}', 'spec.steps[0].wait.podsReady.selector: Invalid value: "a=("'],
    ['negative count', 'spec: {steps: [{wait: {podsReady: {selector: a=b, count: -1}}}]}', 'spec.steps[0].wait.podsReady.count: Invalid value: "-1": must be an integer of at least 0'],
    ['missing count', 'spec: {steps: [{wait: {podsReady: {selector: a=b}}}]}', 'spec.steps[0].wait.podsReady.count: Required value'],
    ['bad status', 'spec: {steps: [{wait: {nodeReady: {status: Maybe}}}]}', 'spec.steps[0].wait.nodeReady.status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"'],
    ['no status', 'spec: {steps: [{wait: {nodeReady: {node: n}}}]}', 'spec.steps[0].wait.nodeReady.status: Required value'],
    ['duration with timeout', 'spec: {steps: [{wait: {duration: 1s, timeout: 2s}}]}', 'spec.steps[0].wait.timeout: Forbidden: a duration wait has no timeout'],
    ['bad duration', 'spec: {steps: [{wait: {duration: 10}}]}', 'spec.steps[0].wait.duration: Invalid value: "10": must be a duration'],
    ['unknown probe', 'spec: {steps: [{wait: {probeSucceeds: nope}}]}', 'spec.steps[0].wait.probeSucceeds.probe: Invalid value: "nope": no probe of this name in spec.probes'],
    ['unknown action', 'spec: {steps: [{fault: {action: explode, node: n}}]}', 'spec.steps[0].fault.action: Unsupported value: "explode": supported values: "node-kill"'],
    ['no action', 'spec: {steps: [{fault: {node: n}}]}', 'spec.steps[0].fault.action: Required value'],
    ['node fault without target', 'spec: {steps: [{fault: {action: node-kill}}]}', 'spec.steps[0].fault: Required value: must have one of "node", "nodeOf"'],
    ['node fault with two targets', 'spec: {steps: [{fault: {action: node-kill, node: a, nodeOf: app=b}}]}', 'spec.steps[0].fault: Forbidden: may have only one of "node", "nodeOf"'],
    ['template node', 'spec: {steps: [{fault: {action: node-kill, node: "{{nodeOf app=web}}"}}]}', 'templates are not supported; to pick the node of a pod at run time use nodeOf'],
    ['withPods on pause', 'spec: {steps: [{fault: {action: node-pause, node: a, withPods: true}}]}', 'spec.steps[0].fault.withPods: Forbidden: only with action node-kill'],
    ['delay missing', 'spec: {steps: [{fault: {action: node-delay, node: a}}]}', 'spec.steps[0].fault.delay: Required value'],
    ['bad delay', 'spec: {steps: [{fault: {action: node-delay, node: a, delay: fast}}]}', 'spec.steps[0].fault.delay: Invalid value: "fast": use a duration such as 200ms or 1s'],
    ['bad loss', 'spec: {steps: [{fault: {action: node-loss, node: a, loss: 200%}}]}', 'spec.steps[0].fault.loss: Invalid value: "200%": must be more than 0% and at most 100%'],
    ['loss on kill', 'spec: {steps: [{fault: {action: node-kill, node: a, loss: 1%}}]}', 'spec.steps[0].fault.loss: Forbidden: only with action node-loss'],
    ['component fault with a node', 'spec: {steps: [{fault: {action: kill, component: etcd-1, node: a}}]}', 'spec.steps[0].fault.node: Forbidden: not with action kill'],
    ['component without number', 'spec: {steps: [{fault: {action: kill, component: apiserver}}]}', 'spec.steps[0].fault.component: Invalid value: "apiserver": must name one process: COMPONENT-N'],
    ['kill-leader of a non-elected component', 'spec: {steps: [{fault: {action: kill-leader, component: etcd}}]}', 'spec.steps[0].fault.component: Unsupported value: "etcd": supported values: "scheduler", "controller-manager"'],
    ['duplicate fault name', 'spec: {steps: [{fault: {name: a, action: node-kill, node: n}}, {fault: {name: a, action: node-pause, node: n}}]}', 'spec.steps[1].fault.name: Duplicate value: "a"'],
    ['heal of an unknown fault', 'spec: {steps: [{heal: nope}]}', 'spec.steps[0].heal.fault: Invalid value: "nope": no earlier fault step of this name'],
    ['heal of a later fault', 'spec: {steps: [{heal: a}, {fault: {name: a, action: node-kill, node: n}}]}', 'spec.steps[0].heal.fault: Invalid value: "a": no earlier fault step'],
    ['heal of nothing', 'spec: {steps: [{heal: {}}]}', 'spec.steps[0].heal: Required value'],
    ['apply of nothing', 'spec: {steps: [{apply: {}}]}', 'spec.steps[0].apply: Required value: must have one of "file", "objects"'],
    ['apply of empty objects', 'spec: {steps: [{apply: {objects: []}}]}', 'spec.steps[0].apply.objects: Invalid value'],
    ['apply of a non-object', 'spec: {steps: [{apply: {objects: [1]}}]}', 'spec.steps[0].apply.objects[0]: Invalid type: expected an object'],
    ['probe without name', 'spec: {steps: [], probes: [{http: {url: "http://a/"}}]}', 'spec.probes[0].name: Required value'],
    ['probe with bad url', 'spec: {steps: [], probes: [{name: p, http: {url: "ftp://a/"}}]}', 'spec.probes[0].http.url: Invalid value: "ftp://a/": must be an http:// URL'],
    ['probe with url and service', 'spec: {steps: [], probes: [{name: p, http: {url: "http://a/", service: s}}]}', 'spec.probes[0].http: Forbidden: may have only one of "url", "service"'],
    ['probe service without port', 'spec: {steps: [], probes: [{name: p, http: {service: s}}]}', 'spec.probes[0].http.port: Required value'],
    ['probe via', 'spec: {steps: [], probes: [{name: p, http: {service: s, port: 80, via: lb}}]}', 'spec.probes[0].http.via: Unsupported value: "lb": supported values: "nodePort", "clusterIP"'],
    ['probe path', 'spec: {steps: [], probes: [{name: p, http: {service: s, port: 80, path: x}}]}', 'spec.probes[0].http.path: Invalid value: "x": must start with "/"'],
    ['probe interval', 'spec: {steps: [], probes: [{name: p, http: {url: "http://a/"}, intervalMs: 0}]}', 'spec.probes[0].intervalMs: Invalid value: "0": must be an integer of at least 10'],
    ['duplicate probe', 'spec: {steps: [], probes: [{name: p, http: {url: "http://a/"}}, {name: p, http: {url: "http://b/"}}]}', 'spec.probes[1].name: Duplicate value: "p"'],
    ['bad observe namespace', 'spec: {steps: [], observe: {namespace: Bad_NS}}', 'spec.observe.namespace: Invalid value: "Bad_NS": a lowercase RFC 1123 label'],
    ['cleanup flag', 'spec: {steps: [], cleanup: {delete: maybe}}', 'spec.cleanup.delete: Invalid value: "maybe": must be true or false'],
  ])('%s', (_what, spec, problem) => {
    const ps = problems(spec);
    expect(ps.some((p) => p.startsWith(problem) || p.includes(problem)), `${ps.join('\n')}\nshould contain: ${problem}`).toBe(true);
  });

  it('checks the type meta and the name', () => {
    expect(problems('', 'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec: {steps: []}\n')).toEqual([
      'apiVersion: Unsupported value: "v1": supported values: "kubesim.io/v1alpha1"',
      'kind: Unsupported value: "Pod": supported values: "Experiment"',
      expect.stringMatching(/^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/),
    ]);
    expect(problems('', 'apiVersion: kubesim.io/v1alpha1\nkind: Experiment\n')).toEqual(['metadata: Required value', 'spec: Required value']);
  });

  it('reports every problem in one message, and YAML errors as such', () => {
    let msg = '';
    try {
      parse('spec: {steps: [{wait: {duration: x}}, {heal: nope}]}');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(
      'error validating "x.yaml": The Experiment "x" is invalid:\n* spec.steps[0].wait.duration: Invalid value: "x": must be a duration such as 500ms, 30s or 2m\n* spec.steps[1].heal.fault: Invalid value: "nope": no earlier fault step of this name',
    );
    expect(() => parseExperiment('a: [', 'y.yaml', '/')).toThrow(/^error parsing y\.yaml: /);
    expect(() => parseExperiment('- 1', 'y.yaml', '/')).toThrow('error validating "y.yaml": expected an Experiment object, got an array');
  });
});

describe('parseExperiment error heading', () => {
  it('names the experiment as written, even when the name itself is invalid', () => {
    const text = 'apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: Bad_Name}\nspec:\n  steps:\n  - wait: {duration: 1s}\n';
    expect(() => parseExperiment(text, 'x.yaml', '/exp')).toThrow('error validating "x.yaml": The Experiment "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
  });
});
