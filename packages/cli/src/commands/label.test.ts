import { describe, expect, it } from 'vitest';
import { metaPatch, splitChangeArgs } from './label.js';

describe('splitChangeArgs', () => {
  it('separates resources from changes', () => {
    expect(splitChangeArgs(['pods', 'nginx', 'app=web', 'tier-', 'note=a=b'], 'labels')).toEqual({
      resources: ['pods', 'nginx'],
      changes: { set: { app: 'web', note: 'a=b' }, remove: ['tier'] },
    });
  });
  it('requires a change and forbids setting and removing one key', () => {
    expect(() => splitChangeArgs(['pods', 'nginx'], 'labels')).toThrow('at least one label update is required');
    expect(() => splitChangeArgs(['pods', 'nginx', 'a=1', 'a-'], 'annotations')).toThrow('can not both modify and remove an annotation');
  });
});

describe('metaPatch', () => {
  it('adds, keeps and removes', () => {
    const missing: string[] = [];
    expect(metaPatch({ app: 'web', tier: 'x' }, { set: { app: 'web', env: 'prod' }, remove: ['tier', 'nope'] }, false, missing)).toEqual({ env: 'prod', tier: null });
    expect(missing).toEqual(['nope']);
  });
  it('refuses to change a value without --overwrite', () => {
    expect(() => metaPatch({ app: 'x' }, { set: { app: 'y' }, remove: [] }, false)).toThrow(`'app' already has a value (x), and --overwrite is false`);
    expect(metaPatch({ app: 'x' }, { set: { app: 'y' }, remove: [] }, true)).toEqual({ app: 'y' });
  });
  it('is undefined when nothing changes', () => {
    expect(metaPatch({ app: 'x' }, { set: { app: 'x' }, remove: [] }, false)).toBeUndefined();
  });
});
