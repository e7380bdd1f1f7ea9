import { StatusError, alreadyExists, invalid, notFound } from '@kubesim/api';
import { describe, expect, it } from 'vitest';
import { CliError, formatError, withSource } from './errors.js';

describe('formatError', () => {
  it('prints server errors with their reason', () => {
    expect(formatError(notFound('pods', 'x'))).toBe('Error from server (NotFound): pods "x" not found\n');
    expect(formatError(withSource(alreadyExists('pods', 'nginx'), 'creating', 'x.yaml'))).toBe(
      'Error from server (AlreadyExists): error when creating "x.yaml": pods "nginx" already exists\n',
    );
  });
  it('prints Invalid from its causes, one per line when several', () => {
    const one = invalid('Pod', 'Foo_1', [{ type: 'Invalid value', field: 'metadata.name', value: 'Foo_1', detail: 'a lowercase RFC 1123 subdomain' }]);
    expect(formatError(one)).toBe('The Pod "Foo_1" is invalid: metadata.name: Invalid value: "Foo_1": a lowercase RFC 1123 subdomain\n');
    const two = invalid('Pod', 'x', [
      { type: 'Required value', field: 'spec.containers' },
      { type: 'Invalid value', field: 'spec.replicas', value: -1, detail: 'must be >= 0' },
    ]);
    expect(formatError(withSource(two, 'creating', 'f.yaml'))).toBe('The Pod "x" is invalid: \n* spec.containers: Required value\n* spec.replicas: Invalid value: -1: must be >= 0\n');
  });
  it('prints a refused connection like kubectl, and says when the address is only the default', () => {
    const refused = new StatusError('ServiceUnavailable', 'the apiserver is unavailable: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:6443');
    expect(formatError(refused, { servers: ['10.0.0.1:6443'], source: 'flag' })).toBe('The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?\n');
    expect(formatError(refused, { servers: ['127.0.0.1:6443'], source: 'default' })).toMatch(/^The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port\?\n\(no --server flag/);
  });
  it('prints client errors as error:', () => {
    expect(formatError(new CliError('boom'))).toBe('error: boom\n');
    expect(formatError(new Error('x'))).toBe('error: x\n');
  });
});
