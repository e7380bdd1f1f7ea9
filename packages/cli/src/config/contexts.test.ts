import { describe, expect, it } from 'vitest';
import { contextsTable, parseServers } from './contexts.js';

describe('kubesim config', () => {
  it('parses server lists, naming the flag and the rule on bad input', () => {
    expect(parseServers('127.0.0.1:6443, grpc://127.0.0.1:6444')).toEqual(['127.0.0.1:6443', '127.0.0.1:6444']);
    expect(() => parseServers('')).toThrow('--server: Required value');
    expect(() => parseServers('localhost')).toThrow('--server: Invalid value: "localhost": must be host:port');
    expect(() => parseServers('a:99999')).toThrow('"a:99999"');
  });

  it('lists contexts with the current one marked', () => {
    const text = contextsTable({ currentContext: 'compose', contexts: { kubesim: { servers: ['127.0.0.1:6443'] }, compose: { servers: ['127.0.0.1:6443', '127.0.0.1:6444'] } } });
    expect(text).toBe('CURRENT   NAME      SERVERS\n*         compose   127.0.0.1:6443,127.0.0.1:6444\n          kubesim   127.0.0.1:6443\n');
    expect(contextsTable(undefined)).toBe('CURRENT   NAME   SERVERS\n');
  });
});
