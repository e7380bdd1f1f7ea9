import { describe, expect, it } from 'vitest';
import { applyDefaults, imageIsLatest } from './defaults.js';
import type { ConfigMap, Deployment, Endpoints, Namespace, Node, Pod, ReplicaSet, Secret, Service } from './gen/types.js';

const nginxPod = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx' },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
});

describe('imageIsLatest', () => {
  it.each<[string, boolean]>([
    ['nginx', true],
    ['nginx:latest', true],
    ['nginx:1.25', false],
    ['library/nginx', true],
    ['localhost:5000/nginx', true],
    ['localhost:5000/nginx:1.0', false],
    ['localhost:5000/nginx:latest', true],
    ['nginx@sha256:abcd', false],
    ['nginx:latest@sha256:abcd', true],
    ['nginx:1.0@sha256:abcd', false],
    ['', true],
  ])('%s -> %s', (image, want) => expect(imageIsLatest(image)).toBe(want));
});

describe('Pod defaults', () => {
  it('fills what kubectl get -o yaml shows', () => {
    const pod = applyDefaults(nginxPod());
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nginx' },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.25',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: true,
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    });
  });

  it('does not touch the input, nor namespace', () => {
    const input = nginxPod();
    const before = structuredClone(input);
    const out = applyDefaults(input);
    expect(input).toEqual(before);
    expect(out.metadata?.namespace).toBeUndefined();
    expect(out).not.toBe(input);
  });

  it('keeps values that are set', () => {
    const pod = nginxPod();
    pod.spec = {
      ...pod.spec,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      dnsPolicy: 'Default',
      schedulerName: 'mine',
      enableServiceLinks: false,
      securityContext: { runAsUser: 1000 },
    };
    pod.spec.containers![0].imagePullPolicy = 'Never';
    pod.spec.containers![0].ports![0].protocol = 'UDP';
    const out = applyDefaults(pod).spec!;
    expect(out.restartPolicy).toBe('Never');
    expect(out.terminationGracePeriodSeconds).toBe(0);
    expect(out.dnsPolicy).toBe('Default');
    expect(out.schedulerName).toBe('mine');
    expect(out.enableServiceLinks).toBe(false);
    expect(out.securityContext).toEqual({ runAsUser: 1000 });
    expect(out.containers![0].imagePullPolicy).toBe('Never');
    expect(out.containers![0].ports![0].protocol).toBe('UDP');
  });

  it.each<[string, string]>([
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['busybox:1.36', 'IfNotPresent'],
    ['busybox@sha256:00', 'IfNotPresent'],
  ])('image %s pulls %s', (image, want) => {
    const pod = applyDefaults<Pod>({ kind: 'Pod', spec: { containers: [{ name: 'c', image }], initContainers: [{ name: 'i', image }] } });
    expect(pod.spec!.containers![0].imagePullPolicy).toBe(want);
    expect(pod.spec!.initContainers![0].imagePullPolicy).toBe(want);
    expect(pod.spec!.initContainers![0].terminationMessagePolicy).toBe('File');
  });

  it('defaults probes, handlers and env field refs', () => {
    const pod = applyDefaults<Pod>({
      kind: 'Pod',
      spec: {
        containers: [
          {
            name: 'c',
            image: 'x:1',
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
            startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 },
            lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, { name: 'A', value: 'b' }],
          },
        ],
      },
    });
    const c = pod.spec!.containers![0];
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 'http' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    expect(c.startupProbe!.failureThreshold).toBe(30);
    expect(c.lifecycle!.preStop!.httpGet).toEqual({ port: 80, path: '/stop', scheme: 'HTTP' });
    expect(c.env![0].valueFrom!.fieldRef).toEqual({ fieldPath: 'spec.nodeName', apiVersion: 'v1' });
    expect(c.env![1]).toEqual({ name: 'A', value: 'b' });
  });

  it('defaults requests to limits, per resource', () => {
    const pod = applyDefaults<Pod>({
      kind: 'Pod',
      spec: { containers: [{ name: 'c', image: 'x:1', resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } } }] },
    });
    expect(pod.spec!.containers![0].resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  });

  it('defaults volumes', () => {
    const pod = applyDefaults<Pod>({
      kind: 'Pod',
      spec: {
        containers: [{ name: 'c', image: 'x:1' }],
        volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cm' } }, { name: 's', secret: { secretName: 's', defaultMode: 0o400 } }, { name: 'h', hostPath: { path: '/tmp' } }],
      },
    });
    expect(pod.spec!.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } },
      { name: 's', secret: { secretName: 's', defaultMode: 0o400 } },
      { name: 'h', hostPath: { path: '/tmp', type: '' } },
    ]);
  });

  it('makes container ports host ports on the host network', () => {
    const pod = applyDefaults<Pod>({ kind: 'Pod', spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 8080 }] }] } });
    expect(pod.spec!.containers![0].ports![0]).toEqual({ containerPort: 8080, hostPort: 8080, protocol: 'TCP' });
  });

  it('leaves tolerations as Kubernetes does', () => {
    const pod = applyDefaults<Pod>({ kind: 'Pod', spec: { containers: [], tolerations: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } });
    expect(pod.spec!.tolerations).toEqual([{ key: 'k', value: 'v', effect: 'NoSchedule' }]);
  });

  it('copies the deprecated serviceAccount field', () => {
    const pod = applyDefaults<Pod>({ kind: 'Pod', spec: { containers: [], serviceAccount: 'builder' } });
    expect(pod.spec!.serviceAccountName).toBe('builder');
  });

  it('creates a spec when missing', () => {
    expect(applyDefaults<Pod>({ kind: 'Pod' }).spec!.restartPolicy).toBe('Always');
  });
});

describe('workload defaults', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

  it('ReplicaSet: replicas 1 and template defaults', () => {
    const rs = applyDefaults<ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { selector: { matchLabels: { app: 'web' } }, template } });
    expect(rs.spec!.replicas).toBe(1);
    const t = rs.spec!.template!.spec!;
    expect(t.restartPolicy).toBe('Always');
    expect(t.containers![0].imagePullPolicy).toBe('Always');
    // Pod-only defaults wait for the pod.
    expect(t.enableServiceLinks).toBeUndefined();
    expect(applyDefaults<ReplicaSet>({ kind: 'ReplicaSet', spec: { replicas: 0 } }).spec!.replicas).toBe(0);
  });

  it('Deployment: strategy and limits', () => {
    const d = applyDefaults<Deployment>({ kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' } }, template } });
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec!.template!.spec!.terminationGracePeriodSeconds).toBe(30);
  });

  it('Deployment: keeps what is set and leaves Recreate alone', () => {
    const d = applyDefaults<Deployment>({
      kind: 'Deployment',
      spec: { replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    });
    expect(d.spec!.replicas).toBe(0);
    expect(d.spec!.revisionHistoryLimit).toBe(0);
    expect(d.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } });
    const r = applyDefaults<Deployment>({ kind: 'Deployment', spec: { strategy: { type: 'Recreate' } } });
    expect(r.spec!.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('Service defaults', () => {
  it('ClusterIP', () => {
    const svc = applyDefaults<Service>({ kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }] } });
    expect(svc.spec).toEqual({
      selector: { app: 'web' },
      ports: [
        { port: 80, targetPort: 80, protocol: 'TCP' },
        { port: 443, targetPort: 'https', protocol: 'TCP' },
      ],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    });
  });

  it.each(['NodePort', 'LoadBalancer'])('%s gets externalTrafficPolicy Cluster', (type) => {
    const svc = applyDefaults<Service>({ kind: 'Service', spec: { type, ports: [{ port: 80, targetPort: 0 }] } });
    expect(svc.spec!.externalTrafficPolicy).toBe('Cluster');
    expect(svc.spec!.ports![0].targetPort).toBe(80);
    expect(svc.spec!.allocateLoadBalancerNodePorts).toBe(type === 'LoadBalancer' ? true : undefined);
  });

  it('ExternalName has no IP families nor traffic policies', () => {
    const svc = applyDefaults<Service>({ kind: 'Service', spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(svc.spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  });

  it('ClientIP affinity gets its timeout', () => {
    const svc = applyDefaults<Service>({ kind: 'Service', spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
    expect(svc.spec!.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it('headless services', () => {
    const withSel = applyDefaults<Service>({ kind: 'Service', spec: { clusterIP: 'None', selector: { a: 'b' }, ports: [{ port: 80 }] } });
    expect(withSel.spec!.ipFamilyPolicy).toBe('SingleStack');
    const noSel = applyDefaults<Service>({ kind: 'Service', spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
    expect(noSel.spec!.ipFamilyPolicy).toBe('RequireDualStack');
  });

  it('keeps externalTrafficPolicy Local', () => {
    const svc = applyDefaults<Service>({ kind: 'Service', spec: { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] } });
    expect(svc.spec!.externalTrafficPolicy).toBe('Local');
  });
});

describe('other kinds', () => {
  it('Secret type Opaque', () => {
    expect(applyDefaults<Secret>({ kind: 'Secret', metadata: { name: 's' } }).type).toBe('Opaque');
    expect(applyDefaults<Secret>({ kind: 'Secret', type: 'kubernetes.io/tls' }).type).toBe('kubernetes.io/tls');
  });
  it('Namespace phase Active', () => {
    expect(applyDefaults<Namespace>({ kind: 'Namespace', metadata: { name: 'a' } }).status).toEqual({ phase: 'Active' });
    expect(applyDefaults<Namespace>({ kind: 'Namespace', status: { phase: 'Terminating' } }).status!.phase).toBe('Terminating');
  });
  it('Node allocatable from capacity', () => {
    const n = applyDefaults<Node>({ kind: 'Node', status: { capacity: { cpu: '2', memory: '4Gi', pods: '110' } } });
    expect(n.status!.allocatable).toEqual({ cpu: '2', memory: '4Gi', pods: '110' });
    const m = applyDefaults<Node>({ kind: 'Node', status: { capacity: { cpu: '2' }, allocatable: { cpu: '1900m' } } });
    expect(m.status!.allocatable).toEqual({ cpu: '1900m' });
    expect(applyDefaults<Node>({ kind: 'Node', metadata: { name: 'n' } })).toEqual({ kind: 'Node', metadata: { name: 'n' } });
  });
  it('Endpoints ports TCP', () => {
    const ep = applyDefaults<Endpoints>({ kind: 'Endpoints', subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] });
    expect(ep.subsets![0].ports).toEqual([{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
  });
  it('ConfigMap is copied unchanged', () => {
    const cm: ConfigMap = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    const out = applyDefaults(cm);
    expect(out).toEqual(cm);
    expect(out).not.toBe(cm);
  });
});
