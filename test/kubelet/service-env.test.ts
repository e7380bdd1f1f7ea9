// Service link env vars end to end: real etcd, the apiserver (which allocates the
// ClusterIPs) and `kubesim node --runtime docker` as separate processes, real Docker.
// A container's environment is read with `docker exec <id> env`.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlreadyExists, type Pod, type Service } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { buildImages, containersWith, docker, removeContainersWith, startAgent, waitForPod, type AgentProcess } from './support.js';

const NODE = `e2e-svcenv-${randomBytes(3).toString('hex')}`;
const NS = 'svc-env';

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let agent: AgentProcess;

function printsEnv(name: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: 'kubesim/busybox:latest',
          imagePullPolicy: 'Never',
          command: ['sh', '-c', 'env; sleep 3600'],
          env: [{ name: 'MY_SVC_SERVICE_PORT_METRICS', value: 'mine' }],
        },
      ],
      ...extra,
    },
  };
}

function service(namespace: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

/** The environment of the pod's running container, as the process inside sees it. */
async function containerEnv(pod: string): Promise<Record<string, string>> {
  const running = await waitForPod(client, NS, pod, (p) => p.status?.phase === 'Running', 'Running');
  const [c] = (await containersWith({ 'kubesim.pod.uid': running.metadata?.uid ?? '', 'kubesim.container.name': 'main' })).filter((x) => x.state === 'running');
  expect(c, `running container of ${pod}`).toBeDefined();
  const out = await docker('exec', c.id, 'env');
  return Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

let mySvcIP = '';
let kubernetesIP = '';

beforeAll(async () => {
  await buildImages();
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  agent = startAgent(api.endpoint, ['--name', NODE, '--runtime', 'docker']);
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  // The apiserver may create default/kubernetes itself one day; either way it must exist.
  await client.create(service('default', 'kubernetes', { ports: [{ name: 'https', port: 443, targetPort: 6443 }] })).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
  kubernetesIP = (await client.get('services', 'default', 'kubernetes')).spec?.clusterIP ?? '';
  const svc = await client.create(
    service(NS, 'my-svc', { selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, protocol: 'TCP' }] }),
  );
  mySvcIP = svc.spec?.clusterIP ?? '';
  await client.create(service(NS, 'headless', { clusterIP: 'None', selector: { app: 'x' }, ports: [{ port: 80 }] }));
  await client.create(service(NS, 'ext', { type: 'ExternalName', externalName: 'my.database.com' }));
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  await client.create(service('other', 'elsewhere', { ports: [{ port: 80 }] }));
  await waitFor(async () => (await client.get('nodes', '', NODE).catch(() => undefined)) !== undefined, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `node ${NODE} registered (agent output: ${agent.output().slice(-2000)})`,
  });
}, 120_000);

afterAll(async () => {
  await agent?.kill('SIGTERM');
  client?.close();
  await api?.stop();
  await etcd?.stop();
  await removeContainersWith(`kubesim.node=${NODE}`);
});

describe('service link environment variables', () => {
  it('allocated ClusterIPs to the Services', () => {
    expect(mySvcIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(kubernetesIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it("gives a container the links of its namespace's Services and default/kubernetes, its own env winning", async () => {
    await client.create(printsEnv('links-on'));
    const env = await containerEnv('links-on');
    expect(env).toMatchObject({
      MY_SVC_SERVICE_HOST: mySvcIP,
      MY_SVC_SERVICE_PORT: '80',
      MY_SVC_SERVICE_PORT_HTTP: '80',
      MY_SVC_SERVICE_PORT_METRICS: 'mine',
      MY_SVC_PORT: `tcp://${mySvcIP}:80`,
      MY_SVC_PORT_80_TCP: `tcp://${mySvcIP}:80`,
      MY_SVC_PORT_80_TCP_PROTO: 'tcp',
      MY_SVC_PORT_80_TCP_PORT: '80',
      MY_SVC_PORT_80_TCP_ADDR: mySvcIP,
      MY_SVC_PORT_9090_TCP: `tcp://${mySvcIP}:9090`,
      KUBERNETES_SERVICE_HOST: kubernetesIP,
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
    });
    const names = Object.keys(env);
    // Headless and ExternalName Services have no ClusterIP; other namespaces are not linked.
    expect(names.filter((n) => /^(HEADLESS|EXT|ELSEWHERE)_/.test(n))).toEqual([]);
  });

  it('links only default/kubernetes when enableServiceLinks is false', async () => {
    await client.create(printsEnv('links-off', { enableServiceLinks: false }));
    const env = await containerEnv('links-off');
    expect(Object.keys(env).filter((n) => n.startsWith('MY_SVC_') && n !== 'MY_SVC_SERVICE_PORT_METRICS')).toEqual([]);
    expect(env.MY_SVC_SERVICE_PORT_METRICS).toBe('mine');
    expect(env.KUBERNETES_SERVICE_HOST).toBe(kubernetesIP);
    expect(env.KUBERNETES_PORT).toBe(`tcp://${kubernetesIP}:443`);
  });
});
