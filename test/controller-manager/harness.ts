// A control plane for the controller-manager's end-to-end tests: a real etcd, the
// apiserver as its own process, and `kubesim controller-manager --leader-elect=false` as
// another process that the tests can SIGKILL and start again. No scheduler or node agent
// runs: pods stay Pending unless a test plays the node agent's part (see markReady).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowTimestamp, type Pod } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startComponent, type RunningComponent } from '@kubesim/launcher';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';

export interface ControlPlane {
  etcd: TestEtcd;
  api: ApiServerProcess;
  client: Client;
  cm: RunningComponent | undefined;
  logFile: string;
  startControllerManager(extraArgs?: string[]): RunningComponent;
  /** SIGKILL the controller-manager and wait until it is gone. */
  killControllerManager(): Promise<void>;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export async function startControlPlane(): Promise<ControlPlane> {
  const etcd = await startEtcd();
  const api = await startApiServer(etcd.endpoint);
  const client = new Client({ endpoints: [api.endpoint] });
  const dir = await mkdtemp(join(tmpdir(), 'kubesim-cm-'));
  const logFile = join(dir, 'controller-manager.log');
  const cp: ControlPlane = {
    etcd,
    api,
    client,
    cm: undefined,
    logFile,
    startControllerManager(extraArgs = []) {
      cp.cm = startComponent(['--server', api.endpoint, 'controller-manager', '--leader-elect=false', ...extraArgs], { logFile, env: { KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'info' } });
      return cp.cm;
    },
    async killControllerManager() {
      const c = cp.cm;
      if (!c) return;
      cp.cm = undefined;
      if (c.process.exitCode === null && c.process.signalCode === null) {
        const gone = new Promise((r) => c.process.once('exit', r));
        c.process.kill('SIGKILL');
        await gone;
      }
    },
    logs: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      await cp.cm?.stop();
      client.close();
      await api.stop();
      await etcd.stop();
    },
  };
  return cp;
}

export async function listPods(client: Client, namespace: string, labelSelector: string): Promise<Pod[]> {
  return (await client.list('pods', { namespace, labelSelector })).items;
}

/** Pods that count: not terminating, not finished. */
export function activePods(pods: Pod[]): Pod[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/**
 * Plays the node agent's part (no kubelet runs in these tests): marks a pod Running and
 * Ready through the status subresource, as a kubelet would report it.
 */
export async function markReady(client: Client, pod: Pod, readySince = new Date()): Promise<void> {
  const t = nowTimestamp(readySince);
  await client.patch(
    'pods',
    pod.metadata?.namespace ?? 'default',
    pod.metadata?.name ?? '',
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }], containerStatuses: [{ name: 'c', ready: true, restartCount: 0 }] } },
    { subresource: 'status' },
  );
}

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  let value: T | undefined | false;
  await waitFor(async () => (value = await fn()), { timeoutMs, intervalMs: 100, what });
  return value as T;
}
