// `kubesim hollow-nodes`: many fake-runtime node agents in one process, enough for the
// control plane to schedule and run a Deployment across them (no containers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@kubesim/client';
import { startComponent, waitFor, type RunningComponent } from '@kubesim/launcher';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';

describe('hollow nodes in one process', () => {
  let etcd: TestEtcd;
  let api: ApiServerProcess;
  let client: Client;
  const procs: RunningComponent[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    api = await startApiServer(etcd.endpoint);
    client = new Client({ endpoints: [api.endpoint] });
    const env = { KUBESIM_LOG_LEVEL: 'warn' };
    for (const args of [
      ['scheduler', '--leader-elect=false'],
      ['controller-manager', '--leader-elect=false'],
      ['hollow-nodes', '--count', '25', '--prefix', 'hn', '--fake-start-delay', '50'],
    ]) {
      procs.push(startComponent([...args, '--server', api.endpoint], { env }));
    }
  });

  afterAll(async () => {
    client?.close();
    for (const p of procs.reverse()) await p.stop();
    await api?.stop();
    await etcd?.stop();
  });

  it('registers every node Ready and runs a Deployment spread over them', async () => {
    const ready = await waitFor(
      '25 hollow nodes Ready',
      async () => {
        const nodes = (await client.list('nodes')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return nodes.length === 25 ? nodes : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(ready.map((n) => n.metadata?.name).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `hn-${i + 1}`).sort());
    expect(ready.every((n) => n.metadata?.labels?.['kubesim.io/hollow'] === 'true')).toBe(true);

    await client.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'many', namespace: 'default' },
      spec: { replicas: 50, selector: { matchLabels: { app: 'many' } }, template: { metadata: { labels: { app: 'many' } }, spec: { containers: [{ name: 'c', image: 'kubesim/pause:latest' }] } } },
    });
    const pods = await waitFor(
      '50 pods Running and Ready',
      async () => {
        const items = (await client.list('pods', { namespace: 'default', labelSelector: 'app=many' })).items;
        const ok = items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ok.length === 50 ? ok : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const nodes = new Set(pods.map((p) => p.spec?.nodeName));
    expect(nodes.size).toBeGreaterThanOrEqual(20);
    for (const p of pods) expect(p.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
  });
});
