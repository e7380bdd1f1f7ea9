import { describe, expect, it } from 'vitest';
import { parseResourceArgs } from './resources.js';

const simple = (args: string[]) => parseResourceArgs(args).map((r) => [r.info.plural, r.names]);

describe('parseResourceArgs', () => {
  it('reads types, short names and names', () => {
    expect(simple(['po'])).toEqual([['pods', []]]);
    expect(simple(['deploy,svc', 'a'])).toEqual([['deployments', ['a']], ['services', ['a']]]);
    expect(simple(['pods', 'a', 'b'])).toEqual([['pods', ['a', 'b']]]);
    expect(simple(['deployments.apps'])).toEqual([['deployments', []]]);
  });
  it('reads type/name pairs grouped by type', () => {
    expect(simple(['pod/a', 'svc/b', 'po/c'])).toEqual([['pods', ['a', 'c']], ['services', ['b']]]);
  });
  it('expands all', () => {
    expect(simple(['all']).map((x) => x[0])).toEqual(['pods', 'services', 'deployments', 'replicasets']);
  });
  it('errors like kubectl', () => {
    expect(() => parseResourceArgs([])).toThrow('You must specify the type of resource');
    expect(() => parseResourceArgs(['foo'])).toThrow(`the server doesn't have a resource type "foo"`);
    expect(() => parseResourceArgs(['bindings'])).toThrow(`the server doesn't have a resource type "bindings"`);
    expect(() => parseResourceArgs(['pods', 'pod/a'])).toThrow('there is no need to specify a resource type as a separate argument');
  });
});
