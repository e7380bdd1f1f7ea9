import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isIPv4,
  isQualifiedName,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  regexError,
} from './names.js';

const a = (n: number, c = 'a') => c.repeat(n);

describe('isDNS1123Subdomain', () => {
  it.each([
    'a', '0', 'nginx', 'my-app', 'example.com', 'a.b.c', '1-2.3-4', 'a'.repeat(63) + '.' + 'b'.repeat(63),
    [a(63), a(63), a(63), a(61)].join('.'), // 253
  ])('accepts %s', (v) => expect(isDNS1123Subdomain(v)).toEqual([]));

  it.each(['', 'Foo', 'Foo_1', '-a', 'a-', 'a..b', '.a', 'a.', 'a_b', 'a b', 'a.-b', 'ä'])('rejects %j', (v) => {
    const errs = isDNS1123Subdomain(v);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toBe(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  });

  it('limits length to 253', () => {
    expect(isDNS1123Subdomain(a(254))).toEqual(['must be no more than 253 characters']);
    expect(isDNS1123Subdomain(a(253))).toEqual([]);
  });
});

describe('isDNS1123Label', () => {
  it.each(['a', '0', 'abc-123', '123-abc', a(63)])('accepts %s', (v) => expect(isDNS1123Label(v)).toEqual([]));
  it.each(['', 'a.b', 'A', '-a', 'a-', 'a_b'])('rejects %j', (v) => {
    expect(isDNS1123Label(v)).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
  it('limits length to 63', () => {
    expect(isDNS1123Label(a(64))).toEqual(['must be no more than 63 characters']);
  });
});

describe('isDNS1035Label', () => {
  it.each(['a', 'my-name', 'abc-123', a(63)])('accepts %s', (v) => expect(isDNS1035Label(v)).toEqual([]));
  it.each(['', '1abc', '123-abc', 'a-', 'A', 'a.b'])('rejects %j', (v) => {
    expect(isDNS1035Label(v)).toEqual([
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
  it('limits length to 63', () => expect(isDNS1035Label(a(64))).toEqual(['must be no more than 63 characters']));
});

describe('isQualifiedName', () => {
  it.each([
    'app', 'App', 'a.b', 'a_b', 'a-b', 'a.b/c', 'example.com/MyName', 'kubernetes.io/hostname', 'node-role.kubernetes.io/control-plane',
    'x/y', a(63), `${a(253)}/${a(63)}`, '1', 'a.B_c-D',
  ])('accepts %s', (v) => expect(isQualifiedName(v)).toEqual([]));

  const nameRe =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

  it.each<[string, string[]]>([
    ['', ['name part must be non-empty', nameRe]],
    ['-a', [nameRe]],
    ['a-', [nameRe]],
    ['_a', [nameRe]],
    ['a b', [nameRe]],
    [a(64), ['name part must be no more than 63 characters']],
    ['a.b/', ['name part must be non-empty', nameRe]],
    ['/a', ['prefix part must be non-empty']],
    [
      'A.b/c',
      [
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [`${a(254)}/c`, ['prefix part must be no more than 253 characters']],
  ])('rejects %j', (v, want) => expect(isQualifiedName(v)).toEqual(want));

  it('rejects more than one slash with the whole-name message', () => {
    const errs = isQualifiedName('a/b/c');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });
});

describe('isValidLabelValue', () => {
  it.each(['', 'a', 'MyValue', 'my_value', '12345', 'a.b-c_d', a(63)])('accepts %j', (v) => expect(isValidLabelValue(v)).toEqual([]));
  it.each(['-a', 'a-', '_', 'a b', 'a/b', 'ä'])('rejects %j', (v) => {
    expect(isValidLabelValue(v)).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });
  it('limits length to 63', () => {
    expect(isValidLabelValue(a(64))).toEqual(['must be no more than 63 characters']);
    expect(isValidLabelValue(a(63))).toEqual([]);
  });
});

describe('isValidPortName', () => {
  it.each(['http', 'http-alt', 'h2', 'a1b2', a(15)])('accepts %s', (v) => expect(isValidPortName(v)).toEqual([]));
  it.each<[string, string[]]>([
    [a(16), ['must be no more than 15 characters']],
    ['HTTP', ['must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['123', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-ab', ['must not begin or end with a hyphen']],
    ['ab-', ['must not begin or end with a hyphen']],
    ['a_b', ['must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)']],
  ])('rejects %j', (v, want) => expect(isValidPortName(v)).toEqual(want));
});

describe('small checks', () => {
  it('port numbers', () => {
    for (const p of [1, 80, 65535]) expect(isValidPortNum(p)).toEqual([]);
    for (const p of [0, -1, 65536, 1.5]) expect(isValidPortNum(p)).toEqual(['must be between 1 and 65535, inclusive']);
  });
  it('IPv4', () => {
    for (const ip of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '192.168.1.10']) expect(isIPv4(ip)).toBe(true);
    for (const ip of ['', '10.0.0', '10.0.0.256', '01.0.0.1', 'a.b.c.d', '10.0.0.1 ', '::1', '1.2.3.4.5']) expect(isIPv4(ip)).toBe(false);
  });
  it('config keys', () => {
    for (const k of ['a', 'key.name', 'KEY_NAME', 'key-name', '.hidden', 'a..b']) expect(isConfigMapKey(k)).toEqual([]);
    expect(isConfigMapKey('a/b')[0]).toMatch(/^a valid config key must consist of alphanumeric characters, '-', '_' or '\.' \(e\.g\. 'key\.name', or 'KEY_NAME', or 'key-name', regex used/);
    expect(isConfigMapKey('')).toHaveLength(1);
    expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
    expect(isConfigMapKey('..')).toEqual(["must not be '..'"]);
    expect(isConfigMapKey('..a')).toEqual(["must not start with '..'"]);
    expect(isConfigMapKey(a(254))).toEqual(['must be no more than 253 characters']);
  });
  it('env var names', () => {
    for (const k of ['A', 'MY_VAR', 'my.env-name', '_x', 'a1']) expect(isEnvVarName(k)).toEqual([]);
    for (const k of ['', '1A', 'A B', 'A=B']) expect(isEnvVarName(k)[0]).toMatch(/^a valid environment variable name must consist of/);
  });
  it('percent', () => {
    for (const p of ['0%', '25%', '100%']) expect(isValidPercent(p)).toEqual([]);
    for (const p of ['25', '%', '2.5%', '-1%', '25 %']) {
      expect(isValidPercent(p)).toEqual(["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')"]);
    }
  });
  it('regexError without examples', () => {
    expect(regexError('bad', 'x+')).toBe("bad (regex used for validation is 'x+')");
  });
});
