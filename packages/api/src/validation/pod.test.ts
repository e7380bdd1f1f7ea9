import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../errors.js';
import type { Pod } from '../gen/types.js';
import { validatePodSpec } from './index.js';
import { pod, problems } from './testing.js';

const c0 = (p: Pod) => p.spec!.containers![0];

describe('pod spec', () => {
  it('accepts a full, realistic pod', () => {
    const p = pod((p) => {
      p.spec!.initContainers = [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }];
      p.spec!.volumes = [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.conf' }] } }];
      p.spec!.nodeSelector = { 'kubernetes.io/os': 'linux' };
      p.spec!.tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists' }, { key: 'k', value: 'v', effect: 'NoSchedule' }];
      p.spec!.containers!.push({
        name: 'sidecar',
        image: 'localhost:5000/sidecar:v1',
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'LVL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } }, { name: 'A', value: 'b' }],
        envFrom: [{ configMapRef: { name: 'cfg' } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
        volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
        livenessProbe: { httpGet: { port: 'http', path: '/healthz' } },
        readinessProbe: { tcpSocket: { port: 8080 }, successThreshold: 3 },
        startupProbe: { exec: { command: ['cat', '/tmp/ready'] } },
        lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
        ports: [{ containerPort: 8080, protocol: 'UDP' }],
      });
      p.spec!.affinity = {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'nginx' } } } }] },
      };
    });
    expect(problems(p)).toEqual([]);
  });

  it('accepts an undefaulted spec (defaults fill the rest)', () => {
    expect(validatePodSpec({ containers: [{ name: 'c', image: 'x' }] })).toEqual([]);
  });

  it.each<[string, (p: Pod) => void, string[]]>([
    ['no containers', (p) => (p.spec!.containers = []), ['spec.containers: Required value']],
    ['no image', (p) => (c0(p).image = ''), ['spec.containers[0].image: Required value']],
    ['padded image', (p) => (c0(p).image = ' nginx'), ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace']],
    ['no container name', (p) => (c0(p).name = ''), ['spec.containers[0].name: Required value']],
    ['bad container name', (p) => (c0(p).name = 'Web_1'), ['spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of']],
    ['duplicate container name', (p) => p.spec!.containers!.push({ name: 'nginx', image: 'x' }), ['spec.containers[1].name: Duplicate value: "nginx"']],
    ['init and app share a name', (p) => (p.spec!.initContainers = [{ name: 'nginx', image: 'x' }]), ['spec.containers[0].name: Duplicate value: "nginx"']],
    ['port 0', (p) => (c0(p).ports![0].containerPort = 0), ['spec.containers[0].ports[0].containerPort: Required value']],
    ['port 70000', (p) => (c0(p).ports![0].containerPort = 70000), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['hostPort 70000', (p) => (c0(p).ports![0].hostPort = 70000), ['spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['protocol FOO', (p) => (c0(p).ports![0].protocol = 'FOO'), ['spec.containers[0].ports[0].protocol: Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"']],
    ['bad port name', (p) => (c0(p).ports![0].name = 'HTTP'), [
      'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ]],
    ['duplicate port name', (p) => c0(p).ports!.push({ containerPort: 81, name: 'http' }), ['spec.containers[0].ports[1].name: Duplicate value: "http"']],
    ['restartPolicy', (p) => (p.spec!.restartPolicy = 'Sometimes'), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"']],
    ['imagePullPolicy', (p) => (c0(p).imagePullPolicy = 'Maybe'), ['spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"']],
    ['dnsPolicy', (p) => (p.spec!.dnsPolicy = 'Google'), ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"']],
    ['dnsPolicy None without config', (p) => (p.spec!.dnsPolicy = 'None'), ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']],
    ['negative grace period', (p) => (p.spec!.terminationGracePeriodSeconds = -1), ['spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['zero activeDeadlineSeconds', (p) => (p.spec!.activeDeadlineSeconds = 0), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['bad nodeName', (p) => (p.spec!.nodeName = 'Node_1'), ['spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain']],
    ['bad nodeSelector', (p) => (p.spec!.nodeSelector = { 'a/b/c': 'x' }), ['spec.nodeSelector: Invalid value: "a/b/c": a qualified name']],
    // Defaulting copies limits into requests, so both report.
    ['bad quantity', (p) => (c0(p).resources = { limits: { memory: '1GB' } }), [
      "spec.containers[0].resources.limits[memory]: Invalid value: \"1GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'spec.containers[0].resources.requests[memory]: Invalid value: "1GB": quantities must match',
    ]],
    ['negative quantity', (p) => (c0(p).resources = { requests: { cpu: '-1' } }), ['spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    ['requests over limits', (p) => (c0(p).resources = { requests: { cpu: '600m' }, limits: { cpu: '500m' } }), ['spec.containers[0].resources.requests: Invalid value: "600m": must be less than or equal to cpu limit of 500m']],
    ['requests equal limits in other units', (p) => (c0(p).resources = { requests: { cpu: '0.5', memory: '1024Mi' }, limits: { cpu: '500m', memory: '1Gi' } }), []],
    ['extended resources may not overcommit', (p) => (c0(p).resources = { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } }), ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2']],
    ['unknown resource', (p) => (c0(p).resources = { limits: { gpu: '1' } }), [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
    ]],
    ['env name', (p) => (c0(p).env = [{ name: '1BAD', value: 'x' }]), ['spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name must consist of']],
    ['env without name', (p) => (c0(p).env = [{ value: 'x' }]), ['spec.containers[0].env[0].name: Required value']],
    ['env value and valueFrom', (p) => (c0(p).env = [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]), ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty']],
    ['env two sources', (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } }]), ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time']],
    ['env bad fieldPath', (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.foo' } } }]), ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.foo": supported values:']],
    ['env label fieldPath', (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }]), []],
    ['mount of unknown volume', (p) => (c0(p).volumeMounts = [{ name: 'data', mountPath: '/data' }]), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ['mount without path', (p) => { p.spec!.volumes = [{ name: 'data', emptyDir: {} }]; c0(p).volumeMounts = [{ name: 'data' }]; }, ['spec.containers[0].volumeMounts[0].mountPath: Required value']],
    ['duplicate volume', (p) => (p.spec!.volumes = [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }]), ['spec.volumes[1].name: Duplicate value: "data"']],
    ['bad volume name', (p) => (p.spec!.volumes = [{ name: 'Data', emptyDir: {} }]), ['spec.volumes[0].name: Invalid value: "Data": a lowercase RFC 1123 label']],
    ['two volume sources', (p) => (p.spec!.volumes = [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }]), ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type']],
    ['probe without handler', (p) => (c0(p).livenessProbe = { periodSeconds: 5 }), ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
    ['probe with two handlers', (p) => (c0(p).readinessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 } }), ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type']],
    ['liveness successThreshold', (p) => (c0(p).livenessProbe = { exec: { command: ['true'] }, successThreshold: 2 }), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
    ['probe port', (p) => (c0(p).livenessProbe = { httpGet: { port: 0 } }), ['spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['probe scheme', (p) => (c0(p).livenessProbe = { httpGet: { port: 80, scheme: 'FTP' } }), ['spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']],
    ['probe on an init container', (p) => (p.spec!.initContainers = [{ name: 'i', image: 'x', readinessProbe: { exec: { command: ['true'] } } }]), ['spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers']],
    ['toleration operator', (p) => (p.spec!.tolerations = [{ key: 'k', operator: 'Like' }]), ['spec.tolerations[0].operator: Unsupported value: "Like": supported values: "Equal", "Exists"']],
    ['toleration effect', (p) => (p.spec!.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoRun' }]), ['spec.tolerations[0].effect: Unsupported value: "NoRun": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']],
    ['toleration Exists with value', (p) => (p.spec!.tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }]), ["spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"]],
    ['toleration without key', (p) => (p.spec!.tolerations = [{ operator: 'Equal', value: 'v' }]), ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty']],
    ['toleration seconds without NoExecute', (p) => (p.spec!.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]), ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"]],
    ['hostNetwork port mismatch', (p) => { p.spec!.hostNetwork = true; c0(p).ports![0].hostPort = 8080; }, ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true']],
    ['node affinity operator', (p) => (p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Is' }] }] } } }), ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator']],
    ['node affinity no terms', (p) => (p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } }), ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term']],
    ['pod affinity topologyKey', (p) => (p.spec!.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } }), ['spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty']],
  ])('%s', (_name, mutate, want) => {
    const got = problems(pod(mutate));
    expect(got, JSON.stringify(got)).toHaveLength(want.length);
    got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
  });

  it('validates a spec at any path', () => {
    expect(validatePodSpec({ containers: [] }, 'spec.template.spec').map(formatFieldError)).toEqual(['spec.template.spec.containers: Required value']);
    expect(validatePodSpec({ containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' }, 'spec.template.spec', { restartPolicies: ['Always'] }).map(formatFieldError)).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });
});

describe('pod updates', () => {
  const bound = () => pod((p) => { p.spec!.nodeName = 'node-1'; p.spec!.activeDeadlineSeconds = 100; p.spec!.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]; });
  const FORBIDDEN = /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/;

  it.each<[string, (p: Pod) => void]>([
    ['nothing', () => {}],
    ['an image', (p) => (c0(p).image = 'nginx:1.26')],
    ['labels', (p) => (p.metadata!.labels = { app: 'x', new: 'y' })],
    ['a lower activeDeadlineSeconds', (p) => (p.spec!.activeDeadlineSeconds = 50)],
    ['an added toleration', (p) => p.spec!.tolerations!.push({ key: 'other', operator: 'Exists' })],
    ['a toleration time', (p) => (p.spec!.tolerations![0].tolerationSeconds = 10)],
    ['the grace period', (p) => (p.spec!.terminationGracePeriodSeconds = 5)],
    ['status', (p) => (p.status = { phase: 'Running' })],
  ])('allows changing %s', (_n, mutate) => {
    const next = bound();
    mutate(next);
    expect(problems(next, bound())).toEqual([]);
  });

  it.each<[string, (p: Pod) => void]>([
    ['the nodeName', (p) => (p.spec!.nodeName = 'node-2')],
    ['ports', (p) => (c0(p).ports![0].containerPort = 81)],
    ['the command', (p) => (c0(p).command = ['sh'])],
    ['the restart policy', (p) => (p.spec!.restartPolicy = 'Never')],
    ['the containers list', (p) => p.spec!.containers!.push({ name: 'b', image: 'x' })],
    ['resources', (p) => (c0(p).resources = { limits: { cpu: '1' } })],
  ])('forbids changing %s', (_n, mutate) => {
    const next = bound();
    mutate(next);
    const got = problems(next, bound());
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(FORBIDDEN);
  });

  it('forbids setting nodeName by update (only a Binding does)', () => {
    const unbound = pod();
    expect(problems(pod((p) => (p.spec!.nodeName = 'node-1')), unbound)[0]).toMatch(FORBIDDEN);
  });

  it('checks activeDeadlineSeconds', () => {
    expect(problems(pod((p) => { Object.assign(p, bound()); p.spec!.activeDeadlineSeconds = 200; }), bound())).toEqual(['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);
    expect(problems(pod((p) => { Object.assign(p, bound()); delete p.spec!.activeDeadlineSeconds; }), bound())).toEqual(['spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value']);
  });

  it('forbids removing or changing a toleration', () => {
    const next = bound();
    next.spec!.tolerations = [];
    expect(problems(next, bound())).toEqual(['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
    const changed = bound();
    changed.spec!.tolerations![0].key = 'other';
    expect(problems(changed, bound())).toEqual(['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  });

  it('treats zero values and absent fields alike (protobuf drops zeros)', () => {
    const stored = bound();
    const sent = bound();
    sent.spec!.hostNetwork = false;
    c0(sent).stdin = false;
    c0(sent).args = [];
    expect(problems(sent, stored)).toEqual([]);
  });
});
