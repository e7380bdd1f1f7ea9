import { describe, expect, it } from 'vitest';
import { selectControllers } from './selection.js';

const known = ['replicaset', 'deployment', 'garbagecollector', 'podgc'];

describe('selectControllers', () => {
  it('"*" (and nothing) runs every controller', () => {
    expect(selectControllers(known, ['*'])).toEqual(known);
    expect(selectControllers(known, [])).toEqual(known);
    expect(selectControllers(known, undefined)).toEqual(known);
  });
  it('"-name" disables one', () => expect(selectControllers(known, ['*', '-podgc'])).toEqual(['replicaset', 'deployment', 'garbagecollector']));
  it('names alone run only those', () => expect(selectControllers(known, ['deployment', 'replicaset'])).toEqual(['replicaset', 'deployment']));
  it('"-name" wins over a name', () => expect(selectControllers(known, ['replicaset', '-replicaset'])).toEqual([]));
  it('unknown names are an error', () => expect(() => selectControllers(known, ['*', '-nope'])).toThrow(/unknown controller\(s\) in --controllers: nope/));
});
