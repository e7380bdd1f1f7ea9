import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults.js';
import type { Ingress, IngressClass } from '../gen/types.js';
import { isWildcardDNS1123Subdomain } from './networking.js';
import { problems } from './testing.js';

function expectProblems(got: string[], want: string[]): void {
  expect(got, JSON.stringify(got)).toHaveLength(want.length);
  got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
}

const backend = (name = 'web', number = 80) => ({ service: { name, port: { number } } });

function ingress(mutate: (i: Ingress) => void = () => {}): Ingress {
  const i: Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      ingressClassName: 'kubesim',
      rules: [{ host: 'foo.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: backend() }] } }],
    },
  };
  mutate(i);
  return applyDefaults(i);
}

const path0 = (i: Ingress) => i.spec!.rules![0].http!.paths![0];
const P = 'spec.rules[0].http.paths[0]';

describe('Ingress', () => {
  it.each<[string, (i: Ingress) => void]>([
    ['a host and a Prefix path', () => {}],
    ['an Exact path', (i) => (path0(i).pathType = 'Exact')],
    ['ImplementationSpecific without a path', (i) => { path0(i).pathType = 'ImplementationSpecific'; delete path0(i).path; }],
    ['a wildcard host', (i) => (i.spec!.rules![0].host = '*.example.com')],
    ['no host', (i) => delete i.spec!.rules![0].host],
    ['a named port', (i) => (path0(i).backend = { service: { name: 'web', port: { name: 'http' } } })],
    ['only a default backend', (i) => { i.spec = { defaultBackend: backend() }; }],
    ['a resource backend', (i) => (path0(i).backend = { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } })],
    ['a rule without http', (i) => (i.spec!.rules = [{ host: 'a.com' }])],
    ['TLS', (i) => (i.spec!.tls = [{ hosts: ['foo.example.com', '*.example.com'], secretName: 'tls-cert' }])],
    ['no class', (i) => delete i.spec!.ingressClassName],
    ['a status address', (i) => (i.status = { loadBalancer: { ingress: [{ ip: '10.244.255.1' }, { hostname: 'lb.example.com' }] } })],
  ])('accepts %s', (_n, mutate) => expect(problems(ingress(mutate))).toEqual([]));

  it.each<[string, (i: Ingress) => void, string[]]>([
    ['neither rules nor default backend', (i) => { i.spec = {}; }, ['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified']],
    ['no pathType', (i) => delete path0(i).pathType, [`${P}.pathType: Required value: pathType must be specified`]],
    ['a bad pathType', (i) => (path0(i).pathType = 'Regex'), [`${P}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`]],
    ['a relative path', (i) => (path0(i).path = 'api'), [`${P}.path: Invalid value: "api": must be an absolute path`]],
    ['an empty Prefix path', (i) => (path0(i).path = ''), [`${P}.path: Invalid value: "": must be an absolute path`]],
    ['a relative ImplementationSpecific path', (i) => { path0(i).pathType = 'ImplementationSpecific'; path0(i).path = 'x'; }, [`${P}.path: Invalid value: "x": must be an absolute path`]],
    ['a double slash', (i) => (path0(i).path = '/a//b'), [`${P}.path: Invalid value: "/a//b": must not contain '//'`]],
    ['a dot-dot segment', (i) => (path0(i).path = '/a/../b'), [`${P}.path: Invalid value: "/a/../b": must not contain '/../'`]],
    ['an encoded slash', (i) => (path0(i).path = '/a%2Fb'), [`${P}.path: Invalid value: "/a%2Fb": must not contain '%2F'`]],
    ['a trailing dot', (i) => (path0(i).path = '/a/.'), [`${P}.path: Invalid value: "/a/.": cannot end with '/.'`]],
    ['no paths', (i) => (i.spec!.rules![0].http = { paths: [] }), ['spec.rules[0].http.paths: Required value']],
    ['an upper-case host', (i) => (i.spec!.rules![0].host = 'Foo.com'), ['spec.rules[0].host: Invalid value: "Foo.com": a lowercase RFC 1123 subdomain']],
    ['an IP host', (i) => (i.spec!.rules![0].host = '10.0.0.1'), ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
    ['a wildcard in the middle', (i) => (i.spec!.rules![0].host = 'foo.*.com'), ['spec.rules[0].host: Invalid value: "foo.*.com": a wildcard DNS-1123 subdomain must start with \'*.\'']],
    ['a bare wildcard', (i) => (i.spec!.rules![0].host = '*'), ['spec.rules[0].host: Invalid value: "*": a wildcard DNS-1123 subdomain']],
    ['no backend', (i) => delete path0(i).backend, [`${P}.backend: Invalid value: "": resource or service backend is required`]],
    ['both backends', (i) => (path0(i).backend = { ...backend(), resource: { kind: 'Bucket', name: 'b' } }), [`${P}.backend: Invalid value: "": cannot set both resource and service backends`]],
    ['no service name', (i) => (path0(i).backend = { service: { port: { number: 80 } } }), [`${P}.backend.service.name: Required value`]],
    ['a service name with a digit first', (i) => (path0(i).backend = backend('1web')), [`${P}.backend.service.name: Invalid value: "1web": a DNS-1035 label`]],
    ['no port', (i) => (path0(i).backend = { service: { name: 'web' } }), [`${P}.backend: Required value: port name or number is required`]],
    ['both port name and number', (i) => (path0(i).backend = { service: { name: 'web', port: { name: 'http', number: 80 } } }), [`${P}.backend: Invalid value: "": cannot set both port name & port number`]],
    ['a bad port number', (i) => (path0(i).backend = backend('web', 70000)), [`${P}.backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive`]],
    ['a bad port name', (i) => (path0(i).backend = { service: { name: 'web', port: { name: '8080' } } }), [`${P}.backend.service.port.name: Invalid value: "8080": must contain at least one letter (a-z)`]],
    ['a resource backend without kind', (i) => (path0(i).backend = { resource: { name: 'b' } }), [`${P}.backend.resource.kind: Required value: kind is required`]],
    ['a bad default backend', (i) => (i.spec!.defaultBackend = { service: { name: 'web' } }), ['spec.defaultBackend: Required value: port name or number is required']],
    ['a bad class name', (i) => (i.spec!.ingressClassName = 'Nginx'), ['spec.ingressClassName: Invalid value: "Nginx": a lowercase RFC 1123 subdomain']],
    ['a bad TLS host', (i) => (i.spec!.tls = [{ hosts: ['*.*.com'] }]), ['spec.tls[0].hosts[0]: Invalid value: "*.*.com": a wildcard DNS-1123 subdomain']],
    ['a bad TLS secret name', (i) => (i.spec!.tls = [{ secretName: 'Cert' }]), ['spec.tls[0].secretName: Invalid value: "Cert": a lowercase RFC 1123 subdomain']],
    ['class annotation and field', (i) => (i.metadata!.annotations = { 'kubernetes.io/ingress.class': 'nginx' }), ['annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is also set']],
    ['a status IP that is not one', (i) => (i.status = { loadBalancer: { ingress: [{ ip: 'lb.local' }] } }), ['status.loadBalancer.ingress[0].ip: Invalid value: "lb.local": must be a valid IP address']],
    ['a status hostname that is an IP', (i) => (i.status = { loadBalancer: { ingress: [{ hostname: '10.0.0.1' }] } }), ['status.loadBalancer.ingress[0].hostname: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
  ])('rejects %s', (_n, mutate, want) => expectProblems(problems(ingress(mutate)), want));

  it('lets an existing Ingress keep the class annotation next to the field on update', () => {
    const old = ingress();
    const next = ingress((i) => (i.metadata!.annotations = { 'kubernetes.io/ingress.class': 'nginx' }));
    expect(problems(next, old)).toEqual([]);
  });

  it('checks names as DNS subdomains', () => {
    expectProblems(problems(ingress((i) => (i.metadata!.name = 'Web'))), ['metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain']);
  });
});

describe('isWildcardDNS1123Subdomain', () => {
  it.each(['*.example.com', '*.a', '*.a-b.c'])('accepts %s', (h) => expect(isWildcardDNS1123Subdomain(h)).toEqual([]));
  it.each(['example.com', '*', '*.', '*.*.com', 'a.*.com', '*.Example.com', '*.-a.com'])('rejects %s', (h) => expect(isWildcardDNS1123Subdomain(h)).toHaveLength(1));
});

describe('IngressClass', () => {
  const ic = (mutate: (c: IngressClass) => void = () => {}): IngressClass => {
    const c: IngressClass = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kubesim' }, spec: { controller: 'kubesim.io/ingress-controller' } };
    mutate(c);
    return applyDefaults(c);
  };

  it('accepts a controller and cluster parameters (scope defaulted)', () => {
    const c = ic((x) => (x.spec!.parameters = { kind: 'Config', name: 'cfg' }));
    expect(c.spec!.parameters!.scope).toBe('Cluster');
    expect(problems(c)).toEqual([]);
  });

  it.each<[string, (c: IngressClass) => void, string[]]>([
    ['no controller', (c) => (c.spec = {}), ['spec.controller: Required value']],
    ['a controller without a domain', (c) => (c.spec!.controller = 'ingress'), ['spec.controller: Invalid value: "ingress": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['a bad controller domain', (c) => (c.spec!.controller = 'Acme.io/x'), ['spec.controller: Invalid value: "Acme.io": a lowercase RFC 1123 subdomain']],
    ['a namespace with cluster scope', (c) => (c.spec!.parameters = { kind: 'Config', name: 'cfg', namespace: 'x' }), ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"]],
    ['namespace scope without namespace', (c) => (c.spec!.parameters = { kind: 'Config', name: 'cfg', scope: 'Namespace' }), ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]],
    ['a bad scope', (c) => (c.spec!.parameters = { kind: 'Config', name: 'cfg', scope: 'Global' }), ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"']],
    ['parameters without name', (c) => (c.spec!.parameters = { kind: 'Config' }), ['spec.parameters.name: Required value: name is required']],
    ['a namespace', (c) => (c.metadata!.namespace = 'default'), ['metadata.namespace: Forbidden: not allowed on this type']],
  ])('rejects %s', (_n, mutate, want) => expectProblems(problems(ic(mutate)), want));

  it('keeps the controller on update', () => {
    expect(problems(ic((c) => (c.spec!.controller = 'other.io/x')), ic())).toEqual(['spec.controller: Invalid value: "other.io/x": field is immutable']);
  });
});
