import { describe, expect, it } from 'vitest';
import type { HTTPIngressPath, Ingress, IngressRule } from '@kubesim/api';
import { buildRouteTable, findRoute, ingressOrder } from './routes.js';

const svc = (name: string, number = 80) => ({ service: { name, port: { number } } });
const p = (path: string, pathType: string | undefined, service: string): HTTPIngressPath => ({ path, ...(pathType ? { pathType } : {}), backend: svc(service) });
const rule = (host: string | undefined, ...paths: HTTPIngressPath[]): IngressRule => ({ ...(host !== undefined ? { host } : {}), http: { paths } });

let seq = 0;
function ing(name: string, spec: Ingress['spec'], opts: { created?: string; namespace?: string } = {}): Ingress {
  seq++;
  return {
    kind: 'Ingress',
    metadata: { name, namespace: opts.namespace ?? 'default', creationTimestamp: opts.created ?? `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z` },
    spec,
  };
}

/** The Service a request lands on, or "404". */
function target(ingresses: Ingress[], host: string, path: string): string {
  const m = findRoute(buildRouteTable(ingresses), host, path);
  return m ? (m.ref.backend.service?.name ?? '?') : '404';
}

describe('paths within one host', () => {
  const one = [
    ing('web', {
      rules: [
        rule(
          'foo.com',
          p('/', 'Prefix', 'root'),
          p('/aaa', 'Prefix', 'aaa'),
          p('/aaa/bbb', 'Prefix', 'aaabbb'),
          p('/aaa/bbb', 'Exact', 'exact-aaabbb'),
          p('/exact', 'Exact', 'exact'),
          p('/impl', 'ImplementationSpecific', 'impl'),
        ),
      ],
    }),
  ];
  it.each<[string, string]>([
    ['/', 'root'],
    ['/zzz', 'root'],
    ['/aaa', 'aaa'],
    ['/aaa/', 'aaa'],
    ['/aaa/ccc', 'aaa'],
    ['/aaabbb', 'root'],
    ['/aaa/bbb', 'exact-aaabbb'],
    ['/aaa/bbb/', 'aaabbb'],
    ['/aaa/bbb/ccc', 'aaabbb'],
    ['/exact', 'exact'],
    ['/exact/', 'root'],
    ['/exact/x', 'root'],
    ['/impl', 'impl'],
    ['/impl/x', 'impl'],
    ['/implx', 'root'],
  ])('%s -> %s', (path, want) => expect(target(one, 'foo.com', path)).toBe(want));

  it('prefers the longest prefix by elements, not by characters', () => {
    const x = [ing('x', { rules: [rule('foo.com', p('/a/b', 'Prefix', 'two'), p('/abcdefgh', 'Prefix', 'long'))] })];
    expect(target(x, 'foo.com', '/a/b/c')).toBe('two');
    expect(target(x, 'foo.com', '/abcdefgh/c')).toBe('long');
  });

  it('prefers Exact over a Prefix of the same path', () => {
    const x = [ing('x', { rules: [rule('foo.com', p('/foo', 'Prefix', 'prefix'), p('/foo', 'Exact', 'exact'))] })];
    expect(target(x, 'foo.com', '/foo')).toBe('exact');
    expect(target(x, 'foo.com', '/foo/bar')).toBe('prefix');
  });

  it('has no route when no path matches and no default backend exists', () => {
    const x = [ing('x', { rules: [rule('foo.com', p('/api', 'Prefix', 'api'))] })];
    expect(target(x, 'foo.com', '/')).toBe('404');
    expect(target(x, 'foo.com', '/apix')).toBe('404');
  });

  it('treats an ImplementationSpecific path without path, or a missing pathType, as Prefix /', () => {
    const x = [ing('x', { rules: [{ host: 'a.com', http: { paths: [{ pathType: 'ImplementationSpecific', backend: svc('all') }] } }, rule('b.com', p('/b', undefined, 'b'))] })];
    expect(target(x, 'a.com', '/whatever')).toBe('all');
    expect(target(x, 'b.com', '/b/c')).toBe('b');
  });
});

describe('hosts', () => {
  const x = [
    ing('x', {
      rules: [
        rule('foo.bar.com', p('/', 'Prefix', 'exact-host')),
        rule('*.bar.com', p('/', 'Prefix', 'wildcard')),
        rule(undefined, p('/', 'Prefix', 'any-host')),
        rule('only-api.bar.com', p('/api', 'Prefix', 'api')),
      ],
    }),
  ];
  it.each<[string, string, string]>([
    ['foo.bar.com', '/', 'exact-host'],
    ['baz.bar.com', '/', 'wildcard'],
    ['bar.com', '/', 'any-host'],
    ['a.baz.bar.com', '/', 'any-host'],
    ['other.com', '/', 'any-host'],
    ['', '/', 'any-host'],
    ['10.0.0.1', '/', 'any-host'],
    ['only-api.bar.com', '/api', 'api'],
    // The exact host entry is chosen; its paths do not fall through to the wildcard or host-less rules.
    ['only-api.bar.com', '/', '404'],
  ])('%s%s -> %s', (host, path, want) => expect(target(x, host, path)).toBe(want));

  it('gives 404 for an unknown host when every rule names a host', () => {
    const y = [ing('y', { rules: [rule('foo.com', p('/', 'Prefix', 'foo'))] })];
    expect(target(y, 'bar.com', '/')).toBe('404');
  });

  it('lets a rule without http send its host to the default backend', () => {
    const y = [ing('y', { defaultBackend: svc('fallback'), rules: [{ host: 'bare.com' }, rule('foo.com', p('/', 'Prefix', 'foo'))] })];
    expect(target(y, 'bare.com', '/x')).toBe('fallback');
  });
});

describe('several Ingresses', () => {
  it('merges rules of the same host from different Ingresses', () => {
    const a = ing('a', { rules: [rule('foo.com', p('/a', 'Prefix', 'svc-a'))] });
    const b = ing('b', { rules: [rule('foo.com', p('/b', 'Prefix', 'svc-b'))] });
    expect(target([a, b], 'foo.com', '/a')).toBe('svc-a');
    expect(target([a, b], 'foo.com', '/b')).toBe('svc-b');
  });

  it('keeps the oldest route on a conflict, whatever the list order, and reports it', () => {
    const old = ing('old', { rules: [rule('foo.com', p('/api', 'Prefix', 'old-api'))] }, { created: '2026-01-01T00:00:00Z' });
    const young = ing('young', { rules: [rule('foo.com', p('/api/', 'Prefix', 'young-api'), p('/api', 'Exact', 'young-exact'))] }, { created: '2026-01-02T00:00:00Z' });
    for (const list of [[old, young], [young, old]]) {
      expect(target(list, 'foo.com', '/api/x')).toBe('old-api');
      // Exact /api is another match, not a conflict.
      expect(target(list, 'foo.com', '/api')).toBe('young-exact');
      const table = buildRouteTable(list);
      expect(table.conflicts).toEqual([{ host: 'foo.com', path: '/api/', pathType: 'Prefix', kept: 'default/old', dropped: 'default/young' }]);
    }
  });

  it('treats ImplementationSpecific and Prefix of the same path as one route', () => {
    const old = ing('old', { rules: [rule('foo.com', p('/x', 'ImplementationSpecific', 'old'))] }, { created: '2026-01-01T00:00:00Z' });
    const young = ing('young', { rules: [rule('foo.com', p('/x', 'Prefix', 'young'))] }, { created: '2026-01-02T00:00:00Z' });
    expect(target([young, old], 'foo.com', '/x')).toBe('old');
  });

  it('breaks creation-time ties by namespace/name', () => {
    const t = '2026-01-01T00:00:00Z';
    const b = ing('b', { rules: [rule('foo.com', p('/', 'Prefix', 'svc-b'))] }, { created: t });
    const a = ing('a', { rules: [rule('foo.com', p('/', 'Prefix', 'svc-a'))] }, { created: t });
    expect(target([b, a], 'foo.com', '/')).toBe('svc-a');
    expect(ingressOrder(a, b)).toBeLessThan(0);
    expect(ingressOrder(b, a)).toBeGreaterThan(0);
    expect(ingressOrder(a, a)).toBe(0);
  });

  it('routes to the backend in the namespace of the Ingress that has the route', () => {
    const a = ing('a', { rules: [rule('foo.com', p('/a', 'Prefix', 'svc'))] }, { namespace: 'team-a' });
    const b = ing('b', { rules: [rule('foo.com', p('/b', 'Prefix', 'svc'))] }, { namespace: 'team-b' });
    const table = buildRouteTable([a, b]);
    expect(findRoute(table, 'foo.com', '/a')?.ref).toMatchObject({ namespace: 'team-a', ingress: 'team-a/a' });
    expect(findRoute(table, 'foo.com', '/b')?.ref).toMatchObject({ namespace: 'team-b', ingress: 'team-b/b' });
  });
});

describe('default backends', () => {
  const withDefault = ing('with-default', { defaultBackend: svc('host-fallback'), rules: [rule('foo.com', p('/api', 'Prefix', 'api'))] }, { created: '2026-01-02T00:00:00Z' });
  const onlyDefault = ing('only-default', { defaultBackend: svc('global') }, { created: '2026-01-01T00:00:00Z' });
  const plain = ing('plain', { rules: [rule('bar.com', p('/api', 'Prefix', 'bar-api'))] }, { created: '2026-01-03T00:00:00Z' });
  const all = [withDefault, onlyDefault, plain];

  it.each<[string, string, string]>([
    ['foo.com', '/api', 'api'],
    // A host whose Ingress has a default backend: unmatched paths go there.
    ['foo.com', '/other', 'host-fallback'],
    // A host without one: the cluster-wide (oldest) default backend.
    ['bar.com', '/other', 'global'],
    ['unknown.com', '/', 'global'],
  ])('%s%s -> %s', (host, path, want) => expect(target(all, host, path)).toBe(want));

  it('uses the oldest default backend cluster-wide', () => {
    const table = buildRouteTable(all);
    expect(table.defaultBackend?.ingress).toBe('default/only-default');
    expect(findRoute(table, 'unknown.com', '/')).toEqual({ ref: table.defaultBackend });
  });

  it('gives 404 with no default backend anywhere', () => {
    expect(target([plain], 'unknown.com', '/')).toBe('404');
    expect(target([], 'any.com', '/')).toBe('404');
  });
});
