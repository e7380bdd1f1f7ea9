// Fixtures for the validation tests: valid, defaulted objects of each kind to break one
// field at a time. Not exported from the package.
import { applyDefaults } from '../defaults.js';
import { formatFieldError } from '../errors.js';
import type { ConfigMap, Deployment, KubeObject, Pod, PodSpec, ReplicaSet, Secret, Service } from '../gen/types.js';
import { validateObject } from './index.js';

/** The formatted errors of validating `obj` (as an update of `old` when given). */
export function problems(obj: KubeObject, old?: KubeObject): string[] {
  return validateObject(obj, old).map(formatFieldError);
}

export function podSpec(): PodSpec {
  return { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'http' }] }] };
}

export function pod(mutate: (p: Pod) => void = () => {}): Pod {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } }, spec: podSpec() };
  mutate(p);
  return applyDefaults(p);
}

const template = () => ({ metadata: { labels: { app: 'web' } }, spec: podSpec() });

export function replicaSet(mutate: (r: ReplicaSet) => void = () => {}): ReplicaSet {
  const r: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template() },
  };
  mutate(r);
  return applyDefaults(r);
}

export function deployment(mutate: (d: Deployment) => void = () => {}): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    },
  };
  mutate(d);
  return applyDefaults(d);
}

export function service(mutate: (s: Service) => void = () => {}): Service {
  const s: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  };
  mutate(s);
  return applyDefaults(s);
}

export function configMap(mutate: (c: ConfigMap) => void = () => {}): ConfigMap {
  const c: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'x=1' } };
  mutate(c);
  return applyDefaults(c);
}

export function secret(mutate: (s: Secret) => void = () => {}): Secret {
  const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, data: { password: 'aHVudGVyMg==' } };
  mutate(s);
  return applyDefaults(s);
}
