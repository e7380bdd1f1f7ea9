import { describe, expect, it } from 'vitest';
import { parseFieldSelector, parseLabelSelector, type ConfigMap, type Pod } from '@kubesim/api';
import { makePredicate, transition } from './filter.js';

const cm = (labels: Record<string, string>, ns = 'a'): ConfigMap => ({ kind: 'ConfigMap', metadata: { name: 'c', namespace: ns, labels } });

describe('transition', () => {
  const web = makePredicate({ namespace: '', labels: parseLabelSelector('app=web'), fields: [] });
  it('maps changes through the selector as Kubernetes does', () => {
    expect(transition(web, cm({ app: 'web' }), undefined)).toBe('ADDED');
    expect(transition(web, cm({ app: 'web' }), cm({ app: 'web' }))).toBe('MODIFIED');
    expect(transition(web, cm({ app: 'web' }), cm({ app: 'db' }))).toBe('ADDED');
    expect(transition(web, cm({ app: 'db' }), cm({ app: 'web' }))).toBe('DELETED');
    expect(transition(web, undefined, cm({ app: 'web' }))).toBe('DELETED');
    expect(transition(web, undefined, cm({ app: 'db' }))).toBeUndefined();
    expect(transition(web, cm({ app: 'db' }), cm({ app: 'db' }))).toBeUndefined();
  });
});

describe('makePredicate', () => {
  it('checks namespace, labels and fields', () => {
    const p = makePredicate({ namespace: 'a', labels: parseLabelSelector('x'), fields: [] });
    expect(p(cm({ x: '1' }))).toBe(true);
    expect(p(cm({ x: '1' }, 'b'))).toBe(false);
    expect(p(cm({}))).toBe(false);
    const onNode = makePredicate({ namespace: '', labels: [], fields: parseFieldSelector('spec.nodeName=n1', 'Pod') });
    const pod = (nodeName?: string): Pod => ({ kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { nodeName } });
    expect(onNode(pod('n1'))).toBe(true);
    expect(onNode(pod('n2'))).toBe(false);
    expect(onNode(pod())).toBe(false);
  });
});
