import { describe, expect, it } from 'vitest';
import { isStatusError } from './errors.js';
import { isNothing, matchesSelector, NOTHING, parseLabelSelector, selectorFromSet, selectorFromSpec, selectorToString, type Selector } from './labels.js';

function parseError(text: string): string {
  try {
    parseLabelSelector(text);
  } catch (e) {
    expect(isStatusError(e, 'BadRequest')).toBe(true);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('parseLabelSelector', () => {
  it.each<[string, Selector]>([
    ['', []],
    ['   ', []],
    ['a=b', [{ key: 'a', operator: 'Equals', values: ['b'] }]],
    ['a==b', [{ key: 'a', operator: 'Equals', values: ['b'] }]],
    ['a!=b', [{ key: 'a', operator: 'NotEquals', values: ['b'] }]],
    ['a=', [{ key: 'a', operator: 'Equals', values: [''] }]],
    ['a', [{ key: 'a', operator: 'Exists', values: [] }]],
    ['!a', [{ key: 'a', operator: 'DoesNotExist', values: [] }]],
    [' ! a ', [{ key: 'a', operator: 'DoesNotExist', values: [] }]],
    ['x in (a,b)', [{ key: 'x', operator: 'In', values: ['a', 'b'] }]],
    ['x in (b, a, b)', [{ key: 'x', operator: 'In', values: ['a', 'b'] }]],
    ['x notin (a)', [{ key: 'x', operator: 'NotIn', values: ['a'] }]],
    ['x in ()', [{ key: 'x', operator: 'In', values: [''] }]],
    ['x in (a,)', [{ key: 'x', operator: 'In', values: ['', 'a'] }]],
    ['x in (,a)', [{ key: 'x', operator: 'In', values: ['', 'a'] }]],
    ['x in (in,notin)', [{ key: 'x', operator: 'In', values: ['in', 'notin'] }]],
    ['in=notin', [{ key: 'in', operator: 'Equals', values: ['notin'] }]],
    [
      'x in (a,b),!y',
      [
        { key: 'x', operator: 'In', values: ['a', 'b'] },
        { key: 'y', operator: 'DoesNotExist', values: [] },
      ],
    ],
    [
      ' tier = frontend , env!=prod,  a.b/c ',
      [
        { key: 'a.b/c', operator: 'Exists', values: [] },
        { key: 'env', operator: 'NotEquals', values: ['prod'] },
        { key: 'tier', operator: 'Equals', values: ['frontend'] },
      ],
    ],
    ['example.com/app=My_Value.1', [{ key: 'example.com/app', operator: 'Equals', values: ['My_Value.1'] }]],
    ['a=b\t,\nc=d', [
      { key: 'a', operator: 'Equals', values: ['b'] },
      { key: 'c', operator: 'Equals', values: ['d'] },
    ]],
  ])('parses %j', (text, want) => expect(parseLabelSelector(text)).toEqual(want));

  it.each<[string, string]>([
    ['a=b,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !="],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a in a', "unable to parse requirement: found 'a' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['a>1', "unable to parse requirement: operator '>' is not supported"],
  ])('rejects %j', (text, want) => expect(parseError(text)).toBe(want));

  it('validates keys and values with the name rules', () => {
    expect(parseError('a/b/c=d')).toMatch(/^unable to parse requirement: key: Invalid value: "a\/b\/c": a qualified name must consist of/);
    expect(parseError('-a=b')).toMatch(/^unable to parse requirement: key: Invalid value: "-a": name part must consist of/);
    expect(parseError(`${'k'.repeat(64)}=v`)).toMatch(/name part must be no more than 63 characters/);
    expect(parseError('a=-b')).toMatch(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be an empty string or consist of/);
    expect(parseError(`a=${'v'.repeat(64)}`)).toMatch(/must be no more than 63 characters/);
    expect(parseError('a in (x,y-)')).toMatch(/values\[1\]\[a\]: Invalid value: "y-"/);
    expect(parseLabelSelector(`${'k'.repeat(63)}=${'v'.repeat(63)}`)).toHaveLength(1);
  });
});

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'frontend', 'a.b/c': 'x' };
  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['', labels, true],
    ['', undefined, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['app!=db', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true], // != matches objects without the key
    ['missing!=x', undefined, true],
    ['missing=x', labels, false],
    ['missing=', labels, false], // "=" with empty value still needs the key
    ['app', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['app in (web,db)', labels, true],
    ['app in (db)', labels, false],
    ['missing in (a)', labels, false],
    ['app notin (db)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (a)', labels, true], // notin matches objects without the key
    ['a.b/c=x', labels, true],
    ['app=web,tier=frontend', labels, true],
    ['app=web,tier=backend', labels, false],
    ['app in (web,db),!missing', labels, true],
    ['app in (web,db),!tier', labels, false],
  ])('%j on %j -> %s', (text, l, want) => expect(matchesSelector(parseLabelSelector(text), l)).toBe(want));

  it('matches an empty-valued label with "="', () => {
    expect(matchesSelector(parseLabelSelector('a='), { a: '' })).toBe(true);
    expect(matchesSelector(parseLabelSelector('a in ()'), { a: '' })).toBe(true);
  });

  it('does not look at inherited properties', () => {
    expect(matchesSelector(parseLabelSelector('toString'), {})).toBe(false);
    expect(matchesSelector(parseLabelSelector('constructor!=x'), {})).toBe(true);
  });
});

describe('selectorFromSpec', () => {
  it('nil selects nothing, empty selects everything', () => {
    expect(matchesSelector(selectorFromSpec(undefined), {})).toBe(false);
    expect(matchesSelector(selectorFromSpec(undefined), { a: 'b' })).toBe(false);
    expect(isNothing(selectorFromSpec(undefined))).toBe(true);
    expect(selectorFromSpec({})).toEqual([]);
    expect(selectorFromSpec({ matchLabels: {}, matchExpressions: [] })).toEqual([]);
    expect(matchesSelector(selectorFromSpec({}), { any: 'thing' })).toBe(true);
    expect(isNothing(NOTHING)).toBe(true);
  });

  it('combines matchLabels and matchExpressions', () => {
    const sel = selectorFromSpec({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'cache'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'track', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(selectorToString(sel)).toBe('app=web,env notin (prod),!legacy,tier in (cache,frontend),track');
    expect(matchesSelector(sel, { app: 'web', tier: 'cache', track: 'x' })).toBe(true);
    expect(matchesSelector(sel, { app: 'web', tier: 'cache', track: 'x', env: 'prod' })).toBe(false);
    expect(matchesSelector(sel, { app: 'web', tier: 'cache', track: 'x', legacy: '1' })).toBe(false);
    expect(matchesSelector(sel, { app: 'web', tier: 'cache' })).toBe(false);
    expect(matchesSelector(sel, { app: 'db', tier: 'cache', track: 'x' })).toBe(false);
  });

  it.each<[Parameters<typeof selectorFromSpec>[0], RegExp]>([
    [{ matchExpressions: [{ key: 'a', operator: 'Foo', values: ['x'] }] }, /^"Foo" is not a valid label selector operator$/],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, /values set can't be empty/],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, /values set must be empty for exists and does not exist/],
    [{ matchLabels: { 'a/b/c': 'x' } }, /^key: Invalid value: "a\/b\/c"/],
    [{ matchLabels: { a: 'x y' } }, /^values\[0\]\[a\]: Invalid value: "x y"/],
  ])('rejects %j', (spec, want) => {
    expect(() => selectorFromSpec(spec)).toThrow(want);
  });
});

describe('selectorToString', () => {
  it.each<[string, string]>([
    ['', ''],
    ['b=2,a=1', 'a=1,b=2'],
    ['a==1', 'a=1'],
    ['x in (b,a),!y', 'x in (a,b),!y'],
    ['x notin (c, a)', 'x notin (a,c)'],
    ['k,!j', '!j,k'],
    ['a!=', 'a!='],
  ])('%j -> %j', (text, want) => {
    const s = selectorToString(parseLabelSelector(text));
    expect(s).toBe(want);
    // The canonical form parses back to the same selector.
    expect(parseLabelSelector(s)).toEqual(parseLabelSelector(text));
  });

  it('prints nothing as empty, like Kubernetes', () => expect(selectorToString(NOTHING)).toBe(''));
});

describe('selectorFromSet', () => {
  it('is an equality selector, sorted', () => {
    expect(selectorToString(selectorFromSet({ b: '2', a: '1' }))).toBe('a=1,b=2');
    expect(selectorFromSet(undefined)).toEqual([]);
    expect(matchesSelector(selectorFromSet({ app: 'web' }), { app: 'web', x: 'y' })).toBe(true);
  });
});
