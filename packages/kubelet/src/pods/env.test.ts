import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { EnvError, envReferences, expandVars, resolveEnv, type EnvContext } from './env.js';

const ctx = (over: Partial<EnvContext> = {}): EnvContext => ({
  podIP: '172.17.0.5',
  hostIP: '172.17.0.1',
  nodeAllocatable: { cpu: '2', memory: '4Gi' },
  configMaps: new Map(),
  secrets: new Map(),
  ...over,
});

const pod: Pod = {
  metadata: { name: 'web', namespace: 'prod', uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } } }] },
};

describe('expandVars', () => {
  it('expands known references, keeps unknown ones and unescapes $$', () => {
    expect(expandVars('$(A)-$(B)-$$(A)', { A: 'x' })).toBe('x-$(B)-$(A)');
  });
});

describe('resolveEnv', () => {
  it('resolves values, field refs and resource refs in order', () => {
    const c = {
      name: 'c',
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPULIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'URL', value: 'http://$(IP):80/$(POD)' },
      ],
    };
    expect(resolveEnv(pod, c, ctx())).toEqual({
      POD: 'web', NS: 'prod', UID: 'u-1', APP: 'web', NODE: 'node-1', IP: '172.17.0.5', HOST: '172.17.0.1',
      MEM: '128', CPU: '250', CPULIM: '2', URL: 'http://172.17.0.5:80/web',
    });
  });

  it('reads ConfigMaps and Secrets, with envFrom prefixes and optional refs', () => {
    const c = {
      name: 'c',
      envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm' } }, { secretRef: { name: 'missing', optional: true } }],
      env: [
        { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
        { name: 'S', valueFrom: { secretKeyRef: { name: 'sec', key: 'pw' } } },
        { name: 'O', valueFrom: { secretKeyRef: { name: 'sec', key: 'nope', optional: true } } },
      ],
    };
    expect(envReferences(c)).toEqual({ configMaps: ['cm'], secrets: ['missing', 'sec'] });
    const env = resolveEnv(pod, c, ctx({ configMaps: new Map([['cm', { k: 'v' }]]), secrets: new Map([['sec', { pw: 'p' }], ['missing', undefined]]) }));
    expect(env).toEqual({ CM_k: 'v', K: 'v', S: 'p' });
  });

  it('fails with the kubelet messages for missing sources', () => {
    const missingCm = { name: 'c', env: [{ name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] };
    expect(() => resolveEnv(pod, missingCm, ctx())).toThrow(new EnvError('configmap "cm" not found'));
    expect(() => resolveEnv(pod, missingCm, ctx({ configMaps: new Map([['cm', {}]]) }))).toThrow("couldn't find key k in ConfigMap prod/cm");
  });
});
