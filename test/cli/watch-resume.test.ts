// `kubesim get -w` rides out an apiserver restart: it resumes from the last event it saw,
// so a change made after the restart still shows up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubesim/launcher';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { runCli, spawnCli, type StreamingCli } from './harness.js';

describe('get -w across an apiserver restart', () => {
  let etcd: TestEtcd;
  let api: ApiServerProcess;
  let watcher: StreamingCli | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    etcd = await startEtcd();
    api = await startApiServer(etcd.endpoint);
    env = { KUBESIM_SERVER: api.endpoint, KUBESIM_CONFIG: '/nonexistent/kubesim-config.json' };
  });

  afterAll(async () => {
    await watcher?.kill();
    await api?.stop();
    await etcd?.stop();
  });

  it('shows changes made after the apiserver was killed and started again', async () => {
    watcher = spawnCli(['get', 'configmaps', '-w'], env);
    expect((await runCli(['create', 'configmap', 'before', '--from-literal=a=b'], { env })).code).toBe(0);
    await waitFor('the watch to show "before"', async () => (/^before\s+1\s/m.test(watcher!.stdout()) ? true : undefined), { timeoutMs: 10_000 });

    await api.kill();
    api = await startApiServer(etcd.endpoint, api.port);
    expect((await runCli(['create', 'configmap', 'after', '--from-literal=a=b'], { env })).code).toBe(0);
    await waitFor('the watch to show "after"', async () => (/^after\s+1\s/m.test(watcher!.stdout()) ? true : undefined), { timeoutMs: 20_000 });
    expect(watcher.stderr()).toContain('resuming...');
    expect(watcher.proc.exitCode).toBeNull();
  });
});
