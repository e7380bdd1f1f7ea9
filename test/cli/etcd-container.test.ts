// `kubesim up --etcd container`: etcd in a container through testcontainers (what `up`
// falls back to on a machine without an etcd binary), and `down` removing it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { runCli } from './harness.js';

const exec = promisify(execFile);

describe('kubesim up with etcd in a container', () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-etcdc-'));
  const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
  const name = 'etcdc';
  const containerName = `kubesim-${name}-etcd`;

  afterAll(async () => {
    if (existsSync(join(home, 'clusters', name))) await runCli(['down', '--name', name], { env });
    await exec('docker', ['rm', '-f', containerName]).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  it('runs the cluster on a container etcd and removes it on down', async () => {
    const port = await freePort();
    const up = await runCli(['up', '--name', name, '--etcd', 'container', '--nodes', '1', '--runtime', 'fake', '--port', String(port)], { env, timeoutMs: 90_000 });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('starting etcd in a container (kubesim/etcd:latest, testcontainers)');
    const state = JSON.parse(readFileSync(join(home, 'clusters', name, 'state.json'), 'utf8'));
    expect(state.etcdContainer.name).toBe(containerName);
    const { stdout: running } = await exec('docker', ['inspect', '-f', '{{.State.Running}}', containerName]);
    expect(running.trim()).toBe('true');

    const cm = await runCli(['create', 'configmap', 'kept', '--from-literal=a=b'], { env });
    expect(cm.code).toBe(0);
    const got = await runCli(['get', 'configmap', 'kept', '-o', 'json'], { env });
    expect(JSON.parse(got.stdout).data).toEqual({ a: 'b' });

    const down = await runCli(['down', '--name', name], { env });
    expect(down.code).toBe(0);
    const left = await exec('docker', ['ps', '-aq', '--filter', `name=^${containerName}$`]);
    expect(left.stdout.trim()).toBe('');
  });
});
