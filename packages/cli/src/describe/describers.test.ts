import type { Event, Ingress, Pod, ReplicaSet, Service } from '@kubesim/api';
import { describe, expect, it } from 'vitest';
import { describeGeneric, describeIngress, describeObject, describePod, describeReplicaSet, describeService, ingressBackendText, probeText, titleCase, type Related } from './describers.js';
import { formatTime } from './writer.js';

const now = new Date('2026-01-01T01:00:00Z');

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-abc',
    namespace: 'default',
    uid: 'u1',
    labels: { app: 'web', tier: 'front' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9', controller: true, apiVersion: 'apps/v1', uid: 'rs' }],
  },
  spec: {
    nodeName: 'node-1',
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { limits: { cpu: '500m' }, requests: { cpu: '100m', memory: '64Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
        env: [{ name: 'MODE', value: 'prod' }],
      },
    ],
  },
  status: {
    phase: 'Running',
    hostIP: '172.18.0.2',
    podIP: '10.244.1.5',
    startTime: '2026-01-01T00:59:00Z',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'nginx', ready: true, restartCount: 1, containerID: 'docker://abc', state: { running: { startedAt: '2026-01-01T00:59:10Z' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-01-01T00:58:00Z', finishedAt: '2026-01-01T00:59:05Z' } } }],
    qosClass: 'Burstable',
  },
};

const event = (reason: string, last: string, count = 1): Event => ({
  kind: 'Event',
  metadata: { name: reason },
  involvedObject: { kind: 'Pod', name: 'web-abc', namespace: 'default' },
  type: 'Normal',
  reason,
  message: `${reason} happened`,
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2026-01-01T00:50:00Z',
  lastTimestamp: last,
  count,
});

describe('describePod', () => {
  const text = describePod(pod, { events: [event('Started', '2026-01-01T00:59:50Z'), event('Pulled', '2026-01-01T00:59:40Z', 3)] }, now);
  it('prints the header block aligned', () => {
    expect(text).toMatch(/^Name:             web-abc\nNamespace:        default\nPriority:         0\nService Account:  default\nNode:             node-1\/172.18.0.2\n/);
    expect(text).toContain('Start Time:       Thu, 01 Jan 2026 00:59:00 +0000\n');
    expect(text).toContain('Labels:           app=web\n                  tier=front\n');
    expect(text).toContain('Annotations:      note: x\n');
    expect(text).toContain('Status:           Running\n');
    // One tab block runs from Name: down to "  IP:", as in kubectl's output.
    expect(text).toContain('IP:               10.244.1.5\nIPs:\n  IP:           10.244.1.5\nControlled By:  ReplicaSet/web-7d9\n');
  });
  it('prints containers with state, restarts and resources', () => {
    expect(text).toMatch(/\n  nginx:\n    Container ID:   docker:\/\/abc\n    Image:          nginx:1.25\n/);
    expect(text).toMatch(/\n    State:          Running\n      Started:      Thu, 01 Jan 2026 00:59:10 \+0000\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n/);
    expect(text).toMatch(/\n    Ready:          True\n    Restart Count:  1\n    Limits:\n      cpu:  500m\n    Requests:\n      cpu:      100m\n      memory:   64Mi\n/);
    expect(text).toContain('\n    Readiness:  http-get http://:80/ delay=0s timeout=1s period=5s #success=1 #failure=3\n');
    expect(text).toMatch(/\n    Environment:\n      MODE:  prod\n/);
  });
  it('prints conditions and events oldest first with counts', () => {
    expect(text).toMatch(/\nConditions:\n  Type\s+Status\n  Ready\s+True\n/);
    expect(text).toMatch(/\nEvents:\n  Type    Reason   Age\s+From\s+Message\n  ----    ------   ----\s+----\s+-------\n  Normal  Pulled   20s \(x3 over 10m\)\s+kubelet, node-1\s+Pulled happened\n  Normal  Started  10s\s+kubelet, node-1\s+Started happened\n$/);
  });
  it('shows Terminating and <none> events', () => {
    const t = describePod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:59:30Z', deletionGracePeriodSeconds: 30 } }, { events: [] }, now);
    expect(t).toMatch(/\nStatus:\s+Terminating \(lasts 30s\)\nTermination Grace Period:\s+30s\n/);
    expect(t).toMatch(/\nEvents:\s+<none>\n$/);
  });
  it('leaves Events out when they were not fetched', () => {
    expect(describePod(pod, {}, now)).not.toContain('Events:');
  });
});

describe('other kinds', () => {
  it('counts pod phases of a ReplicaSet', () => {
    const rs: ReplicaSet = { kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } }, status: { replicas: 2 } };
    const pods: Pod[] = [{ status: { phase: 'Running' } }, { status: { phase: 'Running' } }, {}];
    const text = describeReplicaSet(rs, { pods }, now);
    expect(text).toContain('Selector:     app=web\n');
    expect(text).toMatch(/\nReplicas:\s+2 current \/ 3 desired\nPods Status:\s+2 Running \/ 1 Waiting \/ 0 Succeeded \/ 0 Failed\n/);
  });
  it('shows a service with its endpoints and node port', () => {
    const svc: Service = { kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.0.5', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] } };
    const text = describeService(svc, { endpoints: { subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 8080 }] }] } }, now);
    expect(text).toMatch(/\nIP:\s+10.96.0.5\n/);
    expect(text).toMatch(/\nPort:\s+<unset>  80\/TCP\nTargetPort:\s+8080\/TCP\nNodePort:\s+<unset>  30080\/TCP\nEndpoints:\s+10.244.1.5:8080\n/);
  });
  it('describes kinds without a describer field by field', () => {
    const text = describeGeneric({ kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }, {}, now);
    expect(text).toMatch(/\nSpec:\n  Holder Identity:\s+node-1\n  Lease Duration Seconds:\s+40\n$/);
    expect(describeObject({ kind: 'Namespace', metadata: { name: 'x' }, status: { phase: 'Active' } }, {}, now)).toMatch(/^Name:\s+x\nLabels:\s+<none>\nAnnotations:\s+<none>\nStatus:\s+Active\n/);
  });
});

describe('helpers', () => {
  it('titles camelCase keys', () => {
    expect(titleCase('holderIdentity')).toBe('Holder Identity');
    expect(titleCase('podCIDR')).toBe('Pod CIDR');
  });
  it('formats probes and times', () => {
    expect(probeText({ exec: { command: ['cat', '/tmp/ok'] }, failureThreshold: 1 })).toBe('exec [cat /tmp/ok] delay=0s timeout=1s period=10s #success=1 #failure=1');
    expect(probeText({ tcpSocket: { port: 'http' } })).toBe('tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=3');
    expect(formatTime('2026-11-23T10:00:00Z')).toBe('Mon, 23 Nov 2026 10:00:00 +0000');
    expect(formatTime(undefined)).toBe('<unset>');
  });
});

describe('ingress', () => {
  const ing: Ingress = {
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      ingressClassName: 'kubesim',
      defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
      rules: [
        { host: 'foo.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } },
        { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'gone', port: { number: 80 } } } }] } },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: '10.244.255.1' }] } },
  };
  const backends: Related['backends'] = new Map([
    ['api', {
      service: { kind: 'Service', spec: { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 81 }] } },
      endpoints: { kind: 'Endpoints', subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }], ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }] }] },
    }],
    ['fallback', { service: { kind: 'Service', spec: { ports: [{ port: 80 }] } }, endpoints: { kind: 'Endpoints', subsets: [] } }],
  ]);

  it('shows address, class, default backend and rules with their endpoints', () => {
    const text = describeObject(ing, { backends, events: [] }, now);
    expect(text).toMatch(/^Name:\s+web\nLabels:\s+<none>\nNamespace:\s+default\nAddress:\s+10.244.255.1\nIngress Class:\s+kubesim\nDefault backend:\s+fallback:80 \(<none>\)\nRules:\n/);
    expect(text).toMatch(/\n  Host\s+Path\s+Backends\n  ----\s+----\s+--------\n  foo.com\s*\n\s+\/api\s+api:http \(10.244.1.5:8080,10.244.2.6:8080\)\n  \*\s*\n\s+\/\s+gone:80 \(<error: endpoints "gone" not found>\)\n/);
    expect(text).toMatch(/\nEvents:\s+<none>\n?$/);
  });

  it('shows the default backend as the only rule when there are no rules', () => {
    const text = describeIngress({ kind: 'Ingress', metadata: { name: 'd', namespace: 'default' }, spec: { defaultBackend: { service: { name: 'fallback', port: { number: 80 } } } } }, { backends }, now);
    expect(text).toMatch(/\nIngress Class:\s+<none>\n/);
    expect(text).toMatch(/\n  \*\s+\*\s+fallback:80 \(<none>\)\n/);
    expect(ingressBackendText(undefined, {})).toBe('<default>');
  });
});
