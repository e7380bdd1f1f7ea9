// The docker-compose mode end to end: deploy/compose/docker-compose.yml brought up with the
// fast timing profile under its own project name; nodes are containers with their own
// Docker engine. A Deployment spreads over the nodes and answers on a NodePort of every node
// address from the host; `docker stop` of a node holding a pod is a power-off (NotReady,
// replacement elsewhere), `docker start` brings it back without any pod running twice;
// `docker network disconnect` is a partition; `down -v` leaves nothing. From the host, pods
// answer on their IPs (the pod-routes service), a LoadBalancer Service on its address (the
// cloud-controller-manager) and an Ingress through the ingress controller; `down -v` leaves
// nothing in the host's network namespace either. Skipped without root or a compose command.
import { freePort } from '@kubesim/launcher';
import { Client } from '@kubesim/client';
import type { Deployment, Ingress, Node, Pod, Service } from '@kubesim/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../support/until.js';
import { runCli } from '../cli/harness.js';
import { composeProject, composeSkipReason, containerAddress, hostNetworkLeftovers, httpGet, httpGetHost, must, projectLeftovers, run, type ComposeProject } from './compose.js';

const PROJECT = 'ks-e2e-compose';
// The project's own ranges, apart from the defaults (10.240/16 pods, 10.239/16 network), so a
// default compose cluster may run beside the test.
const CLUSTER_CIDR = '10.241.0.0/16';
const SUBNET = '10.242.0.0/16';
const LB_CIDR = '10.242.255.0/24';
const BRIDGE = 'ks-e2e-compose';
const NODES = ['node-1', 'node-2', 'node-3'];
const skip = await composeSkipReason();
if (skip) console.warn(`test/compose skipped: ${skip}`);

const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const live = (p: Pod) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

const deployment: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'hostname', namespace: 'default', labels: { app: 'hostname' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'hostname' } },
    template: {
      metadata: { labels: { app: 'hostname' } },
      spec: { containers: [{ name: 'hostname', image: 'kubesim/hostname:latest', imagePullPolicy: 'Never', ports: [{ name: 'http', containerPort: 80 }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }] },
    },
  },
};
const loadBalancer: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'hostname-lb', namespace: 'default' },
  spec: { type: 'LoadBalancer', selector: { app: 'hostname' }, ports: [{ port: 80, targetPort: 80 }] },
};
const ingress: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'hostname', namespace: 'default' },
  spec: { rules: [{ host: 'hostname.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'hostname', port: { number: 80 } } } }] } }] },
};
const service: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'hostname', namespace: 'default' },
  spec: { type: 'NodePort', selector: { app: 'hostname' }, ports: [{ port: 80, targetPort: 80 }] },
};

describe.skipIf(!!skip)(`docker-compose cluster (project ${PROJECT})`, () => {
  let project: ComposeProject;
  let client: Client;
  let ingressPort = 0;
  const container = (node: string) => `${PROJECT}-${node}`;

  async function pods(): Promise<Pod[]> {
    return (await client.list('pods', { namespace: 'default', labelSelector: 'app=hostname' })).items;
  }
  /** Pod uids whose sandbox runs in each node's own engine. */
  async function runningSandboxes(): Promise<Map<string, string[]>> {
    const byUid = new Map<string, string[]>();
    for (const node of NODES) {
      const r = await run('docker', ['exec', container(node), 'docker', 'ps', '--filter', 'label=kubesim.role=sandbox', '--format', '{{.Label "kubesim.pod.uid"}}']);
      if (r.code !== 0) continue;
      for (const uid of r.stdout.split('\n').filter(Boolean)) byUid.set(uid, [...(byUid.get(uid) ?? []), node]);
    }
    return byUid;
  }

  beforeAll(async () => {
    // The image must hold the code under test: rebuilt only when the build changed (seconds).
    await must('bash', ['scripts/images.sh'], { timeoutMs: 120_000 });
    await must('bash', ['scripts/images-node.sh'], { timeoutMs: 300_000 });
    const port = await freePort();
    ingressPort = await freePort();
    project = await composeProject(PROJECT, {
      KUBESIM_NAME: PROJECT,
      KUBESIM_API_PORT: String(port),
      KUBESIM_PROFILE: 'fast',
      KUBESIM_CLUSTER_CIDR: CLUSTER_CIDR,
      KUBESIM_SUBNET: SUBNET,
      KUBESIM_IP_RANGE: '10.242.0.0/17',
      KUBESIM_LB_CIDR: LB_CIDR,
      KUBESIM_BRIDGE: BRIDGE,
      KUBESIM_INGRESS_PORT: String(ingressPort),
    });
    await project.compose(['down', '-v', '--remove-orphans']).catch(() => undefined);
    client = new Client({ endpoints: [`127.0.0.1:${port}`] });
  }, 400_000);

  afterAll(async () => {
    client?.close();
    if (project) await project.compose(['down', '-v', '--remove-orphans', '-t', '1']).catch(() => undefined);
  }, 120_000);

  it('comes up with 3 Ready nodes', async () => {
    await project.compose(['up', '-d']);
    await until('3 Ready nodes', async () => {
      const nodes = (await client.list('nodes')).items;
      return nodes.length === 3 && nodes.every((n) => ready(n) === 'True') && nodes;
    }, 60_000, 250);
    for (const node of NODES) {
      const n = await client.get('nodes', '', node);
      expect(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toBe(await containerAddress(container(node)));
      expect(n.spec?.podCIDR).toMatch(/^10\.241\.\d+\.0\/24$/);
    }
  }, 120_000);

  it('spreads a Deployment over the nodes and serves it on a NodePort of every node from the host', async () => {
    await client.create(deployment);
    const svc = await client.create(service);
    const nodePort = svc.spec?.ports?.[0]?.nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    const running = await until('3 ready pods', async () => {
      const p = (await pods()).filter(live);
      return p.length === 3 && p;
    }, 60_000, 250);
    expect(new Set(running.map((p) => p.spec?.nodeName)).size).toBeGreaterThanOrEqual(2);
    for (const p of running) {
      const cidr = (await client.get('nodes', '', p.spec!.nodeName!)).spec!.podCIDR!;
      expect(p.status?.podIP?.split('.').slice(0, 3).join('.')).toBe(cidr.split('.').slice(0, 3).join('.'));
    }
    // Every node address answers, and (kube-proxy spreads at random) every pod is reached.
    const names = new Set(running.map((p) => p.metadata!.name!));
    const seen = new Set<string>();
    for (const node of NODES) {
      const addr = await containerAddress(container(node));
      await until(`the NodePort on ${node}`, async () => names.has(await httpGet(`http://${addr}:${nodePort}/`)), 20_000, 200);
    }
    await until('answers from every pod', async () => {
      for (const node of NODES) seen.add(await httpGet(`http://${await containerAddress(container(node))}:${nodePort}/`));
      return [...names].every((n) => seen.has(n));
    }, 20_000, 50);
    // Pod to pod across nodes: a pod of the first node fetches every pod by its IP.
    const from = running[0]!;
    const sandbox = (await must('docker', ['exec', container(from.spec!.nodeName!), 'docker', 'ps', '-q', '--filter', `label=kubesim.pod.uid=${from.metadata!.uid}`, '--filter', 'label=kubesim.container.name=hostname'])).trim().split('\n')[0]!;
    for (const p of running) {
      const out = await must('docker', ['exec', container(from.spec!.nodeName!), 'docker', 'exec', sandbox, 'wget', '-qO-', `http://${p.status!.podIP}/`]);
      expect(out.trim()).toBe(p.metadata!.name);
    }
    // Cluster DNS and the ClusterIP from a pod: the Service's name answers.
    const viaName = await must('docker', ['exec', container(from.spec!.nodeName!), 'docker', 'exec', sandbox, 'wget', '-qO-', 'http://hostname.default.svc.cluster.local/']);
    expect(names.has(viaName.trim())).toBe(true);
  }, 120_000);

  it('reaches pod IPs, a LoadBalancer address and an Ingress from the host', async () => {
    const running = (await pods()).filter(live);
    expect(running).toHaveLength(3);
    // The host routes each node's pod CIDR via its address on the project's bridge.
    const nodes = (await client.list('nodes')).items;
    const want = nodes.map((n) => `${n.spec!.podCIDR} via ${n.status!.addresses!.find((a) => a.type === 'InternalIP')!.address}`).sort();
    await until('host routes to every pod CIDR', async () => {
      const out = await must('ip', ['-4', '-o', 'route', 'show', 'proto', '77', 'dev', BRIDGE]);
      const have = [...out.matchAll(/^(\S+) via (\S+)/gm)].map((m) => `${m[1]} via ${m[2]}`).sort();
      return JSON.stringify(have) === JSON.stringify(want);
    }, 20_000, 200);
    for (const p of running) await until(`${p.metadata?.name} on its IP from the host`, async () => (await httpGet(`http://${p.status!.podIP}/`)) === p.metadata!.name, 20_000, 200);

    const names = new Set(running.map((p) => p.metadata!.name!));
    await client.create(loadBalancer);
    const ip = await until('a load-balancer address', async () => (await client.get('services', 'default', 'hostname-lb')).status?.loadBalancer?.ingress?.[0]?.ip, 20_000, 200);
    expect(ip).toMatch(/^10\.242\.255\.\d+$/);
    await until(`the LoadBalancer on ${ip} from the host`, async () => names.has(await httpGet(`http://${ip}/`)), 20_000, 200);

    await client.create(ingress);
    const url = `http://127.0.0.1:${ingressPort}/`;
    await until('the Ingress routes hostname.example to the Deployment', async () => {
      const r = await httpGetHost(url, 'hostname.example');
      return r.status === 200 && names.has(r.body);
    }, 20_000, 200);
    expect((await httpGetHost(url, 'other.example')).status).toBe(404);
    await client.delete('ingresses', 'default', 'hostname');
    await client.delete('services', 'default', 'hostname-lb');
    // The released address leaves the bridge.
    await until(`${ip} released`, async () => !(await must('ip', ['-4', '-o', 'addr', 'show', 'dev', BRIDGE])).includes(`inet ${ip}/32`), 20_000, 200);
  }, 120_000);

  it('replaces the pods of a stopped node elsewhere, and no pod runs twice once it is back', async () => {
    const before = (await pods()).filter(live);
    const victim = before[0]!;
    const node = victim.spec!.nodeName!;
    await must('docker', ['stop', '-t', '1', container(node)]);
    await until(`${node} NotReady`, async () => ready(await client.get('nodes', '', node)) !== 'True', 30_000, 200);
    const after = await until('3 ready pods off the stopped node', async () => {
      const p = (await pods()).filter(live).filter((x) => x.spec?.nodeName !== node);
      return p.length === 3 && p;
    }, 60_000, 250);
    expect(after.map((p) => p.metadata?.uid)).not.toContain(victim.metadata?.uid);

    await must('docker', ['start', container(node)]);
    await until(`${node} Ready again`, async () => ready(await client.get('nodes', '', node)) === 'True', 60_000, 250);
    // The agent back on the node confirms the deletion of its old pods.
    await until(`${victim.metadata?.name} gone`, async () => !(await pods()).some((p) => p.metadata?.uid === victim.metadata?.uid), 60_000, 250);
    const sandboxes = await until('no sandbox of a deleted pod', async () => {
      const s = await runningSandboxes();
      return !s.has(victim.metadata!.uid!) && s;
    }, 30_000, 500);
    const current = await pods();
    expect(current.filter(live)).toHaveLength(3);
    for (const p of current.filter(live)) expect(sandboxes.get(p.metadata!.uid!)).toEqual([p.spec!.nodeName]);
    expect([...sandboxes.values()].every((n) => n.length === 1)).toBe(true);
  }, 180_000);

  it('takes a node cut off by docker network disconnect as NotReady, and Ready again once connected', async () => {
    const node = 'node-3';
    const address = await containerAddress(container(node));
    const network = `${PROJECT}_default`;
    await must('docker', ['network', 'disconnect', network, container(node)]);
    try {
      await until(`${node} NotReady`, async () => ready(await client.get('nodes', '', node)) !== 'True', 30_000, 200);
    } finally {
      await must('docker', ['network', 'connect', network, container(node)]);
    }
    await until(`${node} Ready again`, async () => ready(await client.get('nodes', '', node)) === 'True', 60_000, 250);
    // Docker gives the released address back; the node keeps its InternalIP.
    expect(await containerAddress(container(node))).toBe(address);
  }, 120_000);

  it('kubesim chaos node pause/resume/loss/heal act on the node container: frozen -> NotReady -> Ready; a loss rule inside the node, removed by heal', async () => {
    const node = 'node-2';
    const home = mkdtempSync(join(tmpdir(), 'kubesim-compose-chaos-'));
    const env = { KUBESIM_HOME: home, KUBESIM_CONFIG: join(home, 'config.json'), KUBESIM_SERVER: '' };
    const kubesim = (...args: string[]) => runCli([...args, '--name', PROJECT], { env, timeoutMs: 30_000 });
    try {
      const paused = await kubesim('chaos', 'node', 'pause', node);
      expect(paused).toMatchObject({ code: 0 });
      expect(paused.stdout).toContain(`node "${node}" paused (docker pause`);
      expect((await must('docker', ['inspect', '--format', '{{.State.Paused}}', container(node)])).trim()).toBe('true');
      expect((await kubesim('chaos', 'status')).stdout).toMatch(/pause/);
      await until(`${node} NotReady while frozen`, async () => ready(await client.get('nodes', '', node)) !== 'True', 30_000, 200);
      const resumed = await kubesim('chaos', 'heal', '--all');
      expect(resumed).toMatchObject({ code: 0 });
      expect(resumed.stdout).toContain(`node "${node}" resumed (docker unpause)`);
      await until(`${node} Ready again`, async () => ready(await client.get('nodes', '', node)) === 'True', 60_000, 250);
      expect((await kubesim('chaos', 'heal', '--all')).stdout).toContain('no faults in force');
      // loss: a rule inside the node's own namespace, removed by heal.
      const lossy = await kubesim('chaos', 'node', 'loss', node, '30%');
      expect(lossy).toMatchObject({ code: 0 });
      expect(lossy.stdout).toContain(`node "${node}" losing 30% of its packets to the apiservers`);
      expect(await must('docker', ['exec', container(node), 'iptables', '-S', 'OUTPUT'])).toContain('kubesim-chaos loss');
      expect((await kubesim('chaos', 'node', 'delay', node, '200ms')).stderr).toContain('node delay is not available on a docker-compose cluster');
      expect((await kubesim('chaos', 'node', 'heal', node)).stdout).toContain('loss rule removed');
      expect(await must('docker', ['exec', container(node), 'iptables', '-S', 'OUTPUT'])).not.toContain('kubesim-chaos loss');
      expect(ready(await client.get('nodes', '', node))).toBe('True');
    } finally {
      await run('docker', ['unpause', container(node)]);
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);

  it('down -v leaves no container, network or volume of the project, and nothing in the host network', async () => {
    await project.compose(['down', '-v', '--remove-orphans', '-t', '1']);
    expect(await projectLeftovers(PROJECT)).toEqual([]);
    expect(await hostNetworkLeftovers({ clusterPrefix: '10.241.', lbPrefix: '10.242.255.', bridge: BRIDGE })).toEqual([]);
    expect((await must('docker', ['ps', '-a', '--filter', `name=${PROJECT}-`, '-q'])).trim()).toBe('');
  }, 120_000);
});
