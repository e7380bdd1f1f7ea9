import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configPath, parseConfig, readConfig, removeContext, resolveServer, setContext } from './config.js';

describe('resolveServer', () => {
  const config = { currentContext: 'a', contexts: { a: { servers: ['10.0.0.1:6443', '10.0.0.2:6443'], token: 't' } } };
  it('prefers the flag, then the env, then the context, then the default', () => {
    expect(resolveServer({ flag: '1.2.3.4:1,5.6.7.8:2', env: 'x:1', config })).toEqual({ servers: ['1.2.3.4:1', '5.6.7.8:2'], source: 'flag' });
    expect(resolveServer({ env: 'x:1', config })).toEqual({ servers: ['x:1'], source: 'env' });
    expect(resolveServer({ config })).toEqual({ servers: ['10.0.0.1:6443', '10.0.0.2:6443'], source: 'context', token: 't' });
    expect(resolveServer({})).toEqual({ servers: ['127.0.0.1:6443'], source: 'default' });
  });
  it('ignores a current context that does not exist', () => {
    expect(resolveServer({ config: { currentContext: 'zz', contexts: {} } }).source).toBe('default');
  });
  it('strips a scheme and blanks', () => {
    expect(resolveServer({ flag: ' grpc://h:1 , ' }).servers).toEqual(['h:1']);
  });
});

describe('config file', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('uses $KUBESIM_CONFIG, else ~/.kubesim/config.json', () => {
    expect(configPath({ KUBESIM_CONFIG: '/x/c.json' })).toBe('/x/c.json');
    expect(configPath({})).toMatch(/\.kubesim\/config\.json$/);
  });
  it('is absent, then written, read back, and a context removed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubesim-cfg-'));
    const path = join(dir, 'sub', 'config.json');
    expect(await readConfig(path)).toBeUndefined();
    await setContext('local', { servers: ['127.0.0.1:6443'] }, { path });
    await setContext('other', { servers: ['127.0.0.1:7443'], token: 'x' }, { path, makeCurrent: false });
    expect(await readConfig(path)).toEqual({ currentContext: 'local', contexts: { local: { servers: ['127.0.0.1:6443'] }, other: { servers: ['127.0.0.1:7443'], token: 'x' } } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8')).currentContext).toBe('local');
    await removeContext('local', path);
    expect(await readConfig(path)).toEqual({ contexts: { other: { servers: ['127.0.0.1:7443'], token: 'x' } } });
  });
  it('names the problem of a malformed file', () => {
    expect(() => parseConfig('{', 'f.json')).toThrow(/error loading config file "f.json"/);
    expect(() => parseConfig('{"contexts":{"a":{"servers":"x"}}}', 'f.json')).toThrow(/context "a": servers must be a list/);
  });
});
