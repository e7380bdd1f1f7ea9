import { describe, expect, it } from 'vitest';
import type { Pod, Service, ServicePort } from '@kubesim/api';
import { EnvError, envReferences, envVarName, expandVars, isServiceIPSet, linkedServices, resolveEnv, serviceEnv, serviceLinkVars, type EnvContext } from './env.js';

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

const svc = (namespace: string, name: string, clusterIP: string, ports: ServicePort[] = [{ port: 80 }], type?: string): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports, ...(type ? { type } : {}) },
});

const names = (vars: { name?: string }[]) => vars.map((v) => v.name);

describe('service link variables', () => {
  it('names variables as Kubernetes: upper case, - to _', () => {
    expect(envVarName('my-svc')).toBe('MY_SVC');
    expect(envVarName('web.v1-x')).toBe('WEB.V1_X');
  });

  it('skips Services without a ClusterIP (headless, ExternalName)', () => {
    expect(isServiceIPSet(svc('a', 'x', '10.96.0.5'))).toBe(true);
    expect(isServiceIPSet(svc('a', 'x', 'None'))).toBe(false);
    expect(isServiceIPSet({ metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'my.database.com' } })).toBe(false);
  });

  it('emits host, ports, named ports and Docker-link variables in Kubernetes order', () => {
    const s = svc('prod', 'my-svc', '10.96.0.10', [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'dns-udp', port: 53, protocol: 'UDP' },
      { port: 9000 },
    ]);
    expect(serviceLinkVars([s])).toEqual([
      { name: 'MY_SVC_SERVICE_HOST', value: '10.96.0.10' },
      { name: 'MY_SVC_SERVICE_PORT', value: '80' },
      { name: 'MY_SVC_SERVICE_PORT_HTTP', value: '80' },
      { name: 'MY_SVC_SERVICE_PORT_DNS_UDP', value: '53' },
      { name: 'MY_SVC_PORT', value: 'tcp://10.96.0.10:80' },
      { name: 'MY_SVC_PORT_80_TCP', value: 'tcp://10.96.0.10:80' },
      { name: 'MY_SVC_PORT_80_TCP_PROTO', value: 'tcp' },
      { name: 'MY_SVC_PORT_80_TCP_PORT', value: '80' },
      { name: 'MY_SVC_PORT_80_TCP_ADDR', value: '10.96.0.10' },
      { name: 'MY_SVC_PORT_53_UDP', value: 'udp://10.96.0.10:53' },
      { name: 'MY_SVC_PORT_53_UDP_PROTO', value: 'udp' },
      { name: 'MY_SVC_PORT_53_UDP_PORT', value: '53' },
      { name: 'MY_SVC_PORT_53_UDP_ADDR', value: '10.96.0.10' },
      { name: 'MY_SVC_PORT_9000_TCP', value: 'tcp://10.96.0.10:9000' },
      { name: 'MY_SVC_PORT_9000_TCP_PROTO', value: 'tcp' },
      { name: 'MY_SVC_PORT_9000_TCP_PORT', value: '9000' },
      { name: 'MY_SVC_PORT_9000_TCP_ADDR', value: '10.96.0.10' },
    ]);
  });

  it('uses the first port for _SERVICE_PORT and _PORT even when it is not TCP', () => {
    const vars = serviceLinkVars([svc('a', 'dns', '10.96.0.3', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }])]);
    expect(vars.find((v) => v.name === 'DNS_SERVICE_PORT')?.value).toBe('53');
    expect(vars.find((v) => v.name === 'DNS_PORT')?.value).toBe('udp://10.96.0.3:53');
    expect(names(vars)).toContain('DNS_PORT_53_TCP_ADDR');
    expect(names(vars)).toContain('DNS_SERVICE_PORT_DNS_TCP');
  });

  it('brackets IPv6 ClusterIPs in URLs only', () => {
    const vars = serviceLinkVars([svc('a', 'v6', 'fd00::10', [{ port: 443 }])]);
    expect(vars.find((v) => v.name === 'V6_PORT')?.value).toBe('tcp://[fd00::10]:443');
    expect(vars.find((v) => v.name === 'V6_SERVICE_HOST')?.value).toBe('fd00::10');
    expect(vars.find((v) => v.name === 'V6_PORT_443_TCP_ADDR')?.value).toBe('fd00::10');
  });

  it('gives a port-less Service only its host', () => {
    expect(serviceLinkVars([svc('a', 'bare', '10.96.0.4', [])])).toEqual([{ name: 'BARE_SERVICE_HOST', value: '10.96.0.4' }]);
  });

  const cache = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]),
    svc('default', 'other', '10.96.0.2'),
    svc('prod', 'web', '10.96.0.20'),
    svc('prod', 'api', '10.96.0.21'),
    svc('prod', 'headless', 'None'),
    { metadata: { namespace: 'prod', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'my.database.com' } },
    svc('staging', 'web', '10.96.0.30'),
  ];
  const podIn = (namespace: string, enableServiceLinks?: boolean): Pod => ({
    metadata: { name: 'p', namespace },
    spec: { containers: [{ name: 'c' }], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
  });
  const svcNames = (list: Service[]) => list.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`);

  it("links the pod's namespace's Services with a ClusterIP plus default/kubernetes, sorted by name", () => {
    expect(svcNames(linkedServices(cache, podIn('prod')))).toEqual(['prod/api', 'default/kubernetes', 'prod/web']);
    expect(svcNames(linkedServices(cache, podIn('prod', true)))).toEqual(['prod/api', 'default/kubernetes', 'prod/web']);
    expect(svcNames(linkedServices(cache, podIn('default')))).toEqual(['default/kubernetes', 'default/other']);
  });

  it('with enableServiceLinks false links only the master services', () => {
    expect(svcNames(linkedServices(cache, podIn('prod', false)))).toEqual(['default/kubernetes']);
    expect(names(serviceEnv(cache, podIn('prod', false)))).toEqual([
      'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'KUBERNETES_SERVICE_PORT_HTTPS', 'KUBERNETES_PORT',
      'KUBERNETES_PORT_443_TCP', 'KUBERNETES_PORT_443_TCP_PROTO', 'KUBERNETES_PORT_443_TCP_PORT', 'KUBERNETES_PORT_443_TCP_ADDR',
    ]);
  });

  it('skips an absent or headless kubernetes Service', () => {
    expect(serviceEnv(cache.slice(1), podIn('prod', false))).toEqual([]);
    expect(serviceEnv([svc('default', 'kubernetes', 'None')], podIn('prod'))).toEqual([]);
  });

  it("prefers a Service named kubernetes in the pod's namespace over default's, in either cache order", () => {
    const own = svc('prod', 'kubernetes', '10.96.0.99');
    for (const list of [[...cache, own], [own, ...cache]]) {
      expect(serviceEnv(list, podIn('prod')).find((v) => v.name === 'KUBERNETES_SERVICE_HOST')?.value).toBe('10.96.0.99');
      // Without service links the namespace's own Service is not linked, default's is.
      expect(serviceEnv(list, podIn('prod', false)).find((v) => v.name === 'KUBERNETES_SERVICE_HOST')?.value).toBe('10.96.0.1');
    }
  });

  it('treats a pod without a namespace as in default', () => {
    expect(svcNames(linkedServices(cache, { spec: {} }))).toEqual(['default/kubernetes', 'default/other']);
  });
});

describe('resolveEnv with service links', () => {
  const links = serviceEnv([svc('prod', 'web', '10.96.0.20', [{ port: 8080 }])], pod);

  it('puts service links first, and explicit env and envFrom win over them', () => {
    const c = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cm' } }],
      env: [{ name: 'WEB_SERVICE_PORT', value: '1' }, { name: 'MINE', value: 'x' }],
    };
    const env = resolveEnv(pod, c, ctx({ serviceEnv: links, configMaps: new Map([['cm', { WEB_SERVICE_HOST: 'override' }]]) }));
    expect(env.WEB_SERVICE_HOST).toBe('override');
    expect(env.WEB_SERVICE_PORT).toBe('1');
    expect(env.WEB_PORT).toBe('tcp://10.96.0.20:8080');
    const keys = Object.keys(env);
    expect(keys.slice(0, 3)).toEqual(['WEB_PORT', 'WEB_PORT_8080_TCP', 'WEB_PORT_8080_TCP_PROTO']);
    expect(keys.slice(-3)).toEqual(['WEB_SERVICE_HOST', 'WEB_SERVICE_PORT', 'MINE']);
  });

  it('expands $(VAR) from explicit variables first, then service links', () => {
    const c = {
      name: 'c',
      env: [
        { name: 'URL', value: 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)' },
        { name: 'WEB_SERVICE_HOST', value: 'mine' },
        { name: 'URL2', value: '$(WEB_SERVICE_HOST)' },
      ],
    };
    const env = resolveEnv(pod, c, ctx({ serviceEnv: links }));
    expect(env.URL).toBe('http://10.96.0.20:8080');
    expect(env.URL2).toBe('mine');
  });

  it('adds nothing without service links', () => {
    expect(resolveEnv(pod, { name: 'c', env: [{ name: 'A', value: '$(WEB_SERVICE_HOST)' }] }, ctx())).toEqual({ A: '$(WEB_SERVICE_HOST)' });
  });
});
