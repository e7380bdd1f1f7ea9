import { describe, expect, it } from 'vitest';
import { isStatusError } from './errors.js';
import { fieldSelectorToString, fieldValue, matchesFieldSelector, parseFieldSelector, requiredFieldValue, supportedFields } from './fields.js';
import type { Event, KubeObject, Node, Pod, ReplicaSet, Secret } from './gen/types.js';

const pod: Pod = {
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running', podIP: '10.0.0.5' },
};
const pendingPod: Pod = { kind: 'Pod', metadata: { name: 'p', namespace: 'kube-system' }, spec: { containers: [] } };
const node: Node = { kind: 'Node', metadata: { name: 'node-1' }, spec: {} };
const cordoned: Node = { kind: 'Node', metadata: { name: 'node-2' }, spec: { unschedulable: true } };
const event: Event = {
  kind: 'Event',
  metadata: { name: 'e', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', apiVersion: 'v1' },
  reason: 'Scheduled',
  source: { component: 'default-scheduler' },
  type: 'Normal',
};
const secret: Secret = { kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque' };
const rs: ReplicaSet = { kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default' }, status: {} };

function err(text: string, kind: string): string {
  try {
    parseFieldSelector(text, kind);
  } catch (e) {
    expect(isStatusError(e, 'BadRequest')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseFieldSelector', () => {
  it.each<[string, string, ReturnType<typeof parseFieldSelector>]>([
    ['', 'Pod', []],
    ['metadata.name=a', 'ConfigMap', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
    ['metadata.name==a', 'Lease', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
    ['metadata.namespace!=kube-system', 'Deployment', [{ field: 'metadata.namespace', operator: '!=', value: 'kube-system' }]],
    [
      'spec.nodeName=node-1,status.phase!=Running',
      'Pod',
      [
        { field: 'spec.nodeName', operator: '=', value: 'node-1' },
        { field: 'status.phase', operator: '!=', value: 'Running' },
      ],
    ],
    ['spec.nodeName=', 'Pod', [{ field: 'spec.nodeName', operator: '=', value: '' }]],
    [' spec.nodeName = n ,', 'Pod', [{ field: 'spec.nodeName', operator: '=', value: 'n' }]],
    ['spec.unschedulable=false', 'Node', [{ field: 'spec.unschedulable', operator: '=', value: 'false' }]],
    ['involvedObject.name=web-1,source=kubelet,type=Warning', 'Event', [
      { field: 'involvedObject.name', operator: '=', value: 'web-1' },
      { field: 'source', operator: '=', value: 'kubelet' },
      { field: 'type', operator: '=', value: 'Warning' },
    ]],
    ['type=kubernetes.io/tls', 'Secret', [{ field: 'type', operator: '=', value: 'kubernetes.io/tls' }]],
    ['status.phase=Active', 'Namespace', [{ field: 'status.phase', operator: '=', value: 'Active' }]],
    ['status.replicas=0', 'ReplicaSet', [{ field: 'status.replicas', operator: '=', value: '0' }]],
    ['metadata.name=a\\,b\\=c\\\\', 'Pod', [{ field: 'metadata.name', operator: '=', value: 'a,b=c\\' }]],
  ])('parses %j for %s', (text, kind, want) => expect(parseFieldSelector(text, kind)).toEqual(want));

  it.each<[string, string, string]>([
    ['spec.nodeName=x', 'Node', 'field label not supported: spec.nodeName'],
    ['status.phase=Running', 'Node', 'field label not supported: status.phase'],
    ['spec.foo=x', 'Pod', 'field label not supported: spec.foo'],
    ['type=Opaque', 'ConfigMap', 'field label not supported: type'],
    ['metadata.name', 'Pod', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['metadata.name=a,b', 'Pod', "invalid selector: 'metadata.name=a,b'; can't understand 'b'"],
    ['metadata.name=a=b', 'Pod', 'invalid field selector: unescaped "=" in value "a=b"'],
    ['metadata.name=a\\x', 'Pod', 'invalid field selector: invalid escape sequence: "\\\\x"'],
  ])('rejects %j for %s', (text, kind, want) => expect(err(text, kind)).toBe(want));

  it('lists fields per kind', () => {
    expect(supportedFields('ConfigMap')).toEqual(['metadata.name', 'metadata.namespace']);
    expect(supportedFields('Pod')).toContain('spec.nodeName');
    expect(supportedFields('Event')).toContain('involvedObject.uid');
  });
});

describe('matchesFieldSelector', () => {
  it.each<[string, string, KubeObject, boolean]>([
    ['', 'Pod', pod, true],
    ['metadata.name=web-1', 'Pod', pod, true],
    ['metadata.name=web-2', 'Pod', pod, false],
    ['metadata.namespace=default', 'Pod', pod, true],
    ['spec.nodeName=node-1', 'Pod', pod, true],
    ['spec.nodeName!=node-1', 'Pod', pod, false],
    ['spec.nodeName=', 'Pod', pendingPod, true], // unscheduled pods: a missing field is ""
    ['spec.nodeName!=', 'Pod', pendingPod, false],
    ['spec.nodeName!=', 'Pod', pod, true],
    ['status.phase=Running,spec.nodeName=node-1', 'Pod', pod, true],
    ['status.phase=Running,spec.nodeName=node-2', 'Pod', pod, false],
    ['status.phase!=Succeeded,status.phase!=Failed', 'Pod', pod, true],
    ['status.podIP=10.0.0.5', 'Pod', pod, true],
    ['spec.unschedulable=false', 'Node', node, true], // unset bool reads "false"
    ['spec.unschedulable=true', 'Node', node, false],
    ['spec.unschedulable=true', 'Node', cordoned, true],
    ['spec.unschedulable!=true', 'Node', cordoned, false],
    ['involvedObject.name=web-1,involvedObject.kind=Pod', 'Event', event, true],
    ['involvedObject.uid=u2', 'Event', event, false],
    ['involvedObject.fieldPath=', 'Event', event, true],
    ['source=default-scheduler', 'Event', event, true],
    ['reason=Scheduled,type=Normal', 'Event', event, true],
    ['type=Opaque', 'Secret', secret, true],
    ['status.replicas=0', 'ReplicaSet', rs, true], // unset count reads "0"
  ])('%j on %s', (text, kind, obj, want) => expect(matchesFieldSelector(parseFieldSelector(text, kind), obj)).toBe(want));

  it('reads numbers by their string form', () => {
    expect(fieldValue({ ...rs, status: { replicas: 3 } }, 'status.replicas')).toBe('3');
  });
});

describe('helpers', () => {
  it('prints and escapes', () => {
    const sel = parseFieldSelector('metadata.name==a\\,b,spec.nodeName!=n', 'Pod');
    expect(fieldSelectorToString(sel)).toBe('metadata.name=a\\,b,spec.nodeName!=n');
    expect(parseFieldSelector(fieldSelectorToString(sel), 'Pod')).toEqual(sel);
  });
  it('finds the exact value a selector requires', () => {
    const sel = parseFieldSelector('status.phase!=Failed,spec.nodeName=node-1', 'Pod');
    expect(requiredFieldValue(sel, 'spec.nodeName')).toBe('node-1');
    expect(requiredFieldValue(sel, 'status.phase')).toBeUndefined();
  });
});
