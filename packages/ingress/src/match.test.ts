import { describe, expect, it } from 'vitest';
import { exactMatches, hostMatches, pathElements, prefixMatches, requestHost, requestPath, wildcardFor } from './match.js';

describe('requestHost', () => {
  it.each<[string | undefined, string]>([
    [undefined, ''],
    ['', ''],
    ['foo.com', 'foo.com'],
    ['Foo.COM', 'foo.com'],
    ['foo.com:8080', 'foo.com'],
    ['foo.com.', 'foo.com'],
    ['foo.com.:80', 'foo.com'],
    ['10.0.0.1:80', '10.0.0.1'],
    ['[::1]:8080', '[::1]'],
    ['[::1]', '[::1]'],
  ])('%s -> %s', (h, want) => expect(requestHost(h)).toBe(want));
});

describe('requestPath', () => {
  it.each<[string | undefined, string]>([
    [undefined, '/'],
    ['/', '/'],
    ['/a/b?x=1', '/a/b'],
    ['/a#frag', '/a'],
    ['http://foo.com/a/b?q', '/a/b'],
    ['http://foo.com', '/'],
    ['*', '/'],
  ])('%s -> %s', (u, want) => expect(requestPath(u)).toBe(want));
});

describe('hosts', () => {
  it('builds the wildcard of a host from its first label', () => {
    expect(wildcardFor('bar.foo.com')).toBe('*.foo.com');
    expect(wildcardFor('foo.com')).toBe('*.com');
    expect(wildcardFor('localhost')).toBeUndefined();
    expect(wildcardFor('')).toBeUndefined();
    expect(wildcardFor('.foo')).toBeUndefined();
  });
  it.each<[string, string, boolean]>([
    ['', 'anything.com', true],
    ['', '', true],
    ['foo.com', 'foo.com', true],
    ['foo.com', 'bar.com', false],
    ['Foo.com', 'foo.com', true],
    ['*.foo.com', 'bar.foo.com', true],
    ['*.foo.com', 'foo.com', false],
    ['*.foo.com', 'baz.bar.foo.com', false],
    ['*.foo.com', 'barfoo.com', false],
    ['foo.com', '', false],
  ])('rule %s, request %s: %s', (rule, host, want) => expect(hostMatches(rule, host)).toBe(want));
});

describe('paths', () => {
  it('splits into non-empty elements', () => {
    expect(pathElements('/')).toEqual([]);
    expect(pathElements('/foo//bar/')).toEqual(['foo', 'bar']);
  });
  // The examples of Kubernetes' Ingress documentation (path types), Prefix ones.
  it.each<[string, string, boolean]>([
    ['/', '/anything', true],
    ['/', '/', true],
    ['/foo', '/foo', true],
    ['/foo', '/foo/', true],
    ['/foo/', '/foo', true],
    ['/foo/', '/foo/', true],
    ['/aaa/bb', '/aaa/bbb', false],
    ['/aaa/bbb', '/aaa/bbb', true],
    ['/aaa/bbb/', '/aaa/bbb', true],
    ['/aaa/bbb', '/aaa/bbb/', true],
    ['/aaa/bbb', '/aaa/bbb/ccc', true],
    ['/aaa/bbb', '/aaa/bbbxyz', false],
    ['/foo', '/FOO', false],
    ['/foo/bar', '/foo', false],
  ])('Prefix %s, request %s: %s', (p, path, want) => expect(prefixMatches(p, path)).toBe(want));
  it.each<[string, string, boolean]>([
    ['/foo', '/foo', true],
    ['/foo', '/bar', false],
    ['/foo', '/foo/', false],
    ['/foo/', '/foo', false],
    ['/foo', '/Foo', false],
  ])('Exact %s, request %s: %s', (p, path, want) => expect(exactMatches(p, path)).toBe(want));
});
