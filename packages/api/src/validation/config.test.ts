import { describe, expect, it } from 'vitest';
import type { ConfigMap, Secret } from '../gen/types.js';
import { base64DecodedLength } from './config.js';
import { configMap, problems, secret } from './testing.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('base64DecodedLength', () => {
  it.each(['', 'a', 'ab', 'abc', 'abcd', 'x'.repeat(1000)])('%j', (s) => expect(base64DecodedLength(b64(s))).toBe(Buffer.byteLength(s)));
});

describe('ConfigMap', () => {
  it.each<[string, (c: ConfigMap) => void, string[]]>([
    ['the fixture', () => {}, []],
    ['keys', (c) => (c.data = { 'a.b': '', A_B: '', 'a-b': '', '.hidden': '' }), []],
    ['a slash in a key', (c) => (c.data = { 'a/b': 'x' }), [`data[a/b]: Invalid value: "a/b": ${KEY_MSG}`]],
    ['a dot-dot key', (c) => (c.data = { '..': 'x' }), ['data[..]: Invalid value: "..": must not be \'..\'']],
    ['binary keys', (c) => (c.binaryData = { 'b i n': b64('x') }), ['binaryData[b i n]: Invalid value: "b i n": a valid config key']],
    ['a key in both maps', (c) => (c.binaryData = { 'app.conf': b64('x') }), ['data[app.conf]: Invalid value: "app.conf": duplicate of key present in binaryData']],
    ['1 MiB exactly', (c) => (c.data = { a: 'x'.repeat(1024 * 1024) }), []],
    ['over 1 MiB', (c) => (c.data = { a: 'x'.repeat(1024 * 1024), b: 'y' }), ['data: Too long: must have at most 1048576 bytes']],
    ['over 1 MiB with binary data', (c) => { c.data = { a: 'x'.repeat(1024 * 1024) }; c.binaryData = { b: b64('y') }; }, ['data: Too long: must have at most 1048576 bytes']],
  ])('%s', (_n, mutate, want) => {
    const got = problems(configMap(mutate));
    expect(got, JSON.stringify(got)).toHaveLength(want.length);
    got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
  });

  it('keeps immutable data', () => {
    const old = configMap((c) => (c.immutable = true));
    expect(problems(configMap((c) => { c.immutable = true; c.metadata!.labels = { a: 'b' }; }), old)).toEqual([]);
    expect(problems(configMap((c) => { c.immutable = true; c.data = { 'app.conf': 'x=2' }; }), old)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(problems(configMap((c) => (c.immutable = false)), old)).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
    // A mutable one may change, and may become immutable.
    expect(problems(configMap((c) => { c.immutable = true; c.data = { z: '1' }; }), configMap())).toEqual([]);
  });
});

describe('Secret', () => {
  it.each<[string, (s: Secret) => void, string[]]>([
    ['the fixture', () => {}, []],
    ['stringData', (s) => (s.stringData = { token: 'abc' }), []],
    ['a bad key', (s) => (s.data = { 'a b': b64('x') }), [`data[a b]: Invalid value: "a b": ${KEY_MSG}`]],
    ['a bad stringData key', (s) => (s.stringData = { 'a:b': 'x' }), ['stringData[a:b]: Invalid value: "a:b": a valid config key']],
    ['over 1 MiB decoded', (s) => (s.data = { a: b64('x'.repeat(1024 * 1024 + 1)) }), ['data: Too long: must have at most 1048576 bytes']],
    ['1 MiB decoded', (s) => (s.data = { a: b64('x'.repeat(1024 * 1024)) }), []],
    ['tls without key', (s) => { s.type = 'kubernetes.io/tls'; s.data = { 'tls.crt': b64('c') }; }, ['data[tls.key]: Required value']],
    ['tls complete', (s) => { s.type = 'kubernetes.io/tls'; s.data = { 'tls.crt': b64('c'), 'tls.key': b64('k') }; }, []],
    ['dockerconfigjson', (s) => (s.type = 'kubernetes.io/dockerconfigjson'), ['data[.dockerconfigjson]: Required value']],
    ['basic-auth', (s) => { s.type = 'kubernetes.io/basic-auth'; s.data = {}; }, ['data[username]: Required value', 'data[password]: Required value']],
    ['basic-auth via stringData', (s) => { s.type = 'kubernetes.io/basic-auth'; s.stringData = { username: 'u' }; }, []],
  ])('%s', (_n, mutate, want) => {
    const got = problems(secret(mutate));
    expect(got, JSON.stringify(got)).toHaveLength(want.length);
    got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
  });

  it('keeps its type and immutable data', () => {
    expect(problems(secret((s) => (s.type = 'example.com/custom')), secret())).toEqual(['type: Invalid value: "example.com/custom": field is immutable']);
    const old = secret((s) => (s.immutable = true));
    expect(problems(secret((s) => (s.immutable = true)), old)).toEqual([]);
    expect(problems(secret((s) => { s.immutable = true; s.data = { password: b64('new') }; }), old)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });
});
