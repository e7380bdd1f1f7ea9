import { describe, expect, it } from 'vitest';
import { resourceForKind } from '@kubesim/api';
import { objectKey, parseKey, prefixEnd, resourcePrefix } from './keys.js';

describe('keys', () => {
  const pods = resourceForKind('Pod');
  const nodes = resourceForKind('Node');
  it('lays keys out as kube-apiserver does', () => {
    expect(objectKey(pods, 'default', 'web')).toBe('/registry/pods/default/web');
    expect(objectKey(nodes, '', 'n1')).toBe('/registry/nodes/n1');
    expect(resourcePrefix(pods)).toBe('/registry/pods/');
    expect(resourcePrefix(pods, 'ns')).toBe('/registry/pods/ns/');
    expect(resourcePrefix(nodes, 'ignored')).toBe('/registry/nodes/');
    expect(prefixEnd('/registry/pods/').toString()).toBe('/registry/pods0');
  });
  it('parses keys back and ignores anything else', () => {
    expect(parseKey('/registry/pods/default/web')).toMatchObject({ info: pods, namespace: 'default', name: 'web' });
    expect(parseKey('/registry/nodes/n1')).toMatchObject({ info: nodes, namespace: '', name: 'n1' });
    for (const k of ['/other/pods/a/b', '/registry/pods/onlyns', '/registry/pods/a/', '/registry/nodes/a/b', '/registry/bindings/a/b', '/registry/unknown/a', '/registry/']) {
      expect(parseKey(k)).toBeUndefined();
    }
  });
});
