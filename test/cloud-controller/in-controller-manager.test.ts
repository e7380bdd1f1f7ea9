// The emulated cloud inside the controller-manager (`kubesim controller-manager
// --cloud-provider kubesim`, what `kubesim up` runs): real etcd, the apiserver and the
// controller-manager as separate processes; the nodes' NodePorts are served by the test
// on loopback addresses, as in cloud-controller.test.ts.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { freePort } from '../support/ports.js';
import { closeAll, connectOnce, createNode, externalIP, nodePortServer, refused, startCcm, type CcmProcess } from './support.js';

const A = randomInt(100, 250);
const B = randomInt(1, 125);
const NODE_NET = `127.${A}.${B}`;
const LB_NET = `127.${A}.${B + 125}`;
const NODES = ['a', 'b'].map((x, i) => ({ name: `cm-lb-node-${x}-${A}-${B}`, ip: `${NODE_NET}.${11 + i}` }));

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let cm: CcmProcess | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
  for (const n of NODES) await createNode(client, n.name, n.ip);
}, 120_000);

afterAll(async () => {
  await cm?.stop();
  await closeAll();
  client?.close();
  await api?.stop();
  await etcd?.stop();
});

describe('controller-manager --cloud-provider kubesim', () => {
  it('refuses a provider it does not know, naming the flag', async () => {
    const bad = startCcm(api.endpoint, ['--cloud-provider', 'aws'], 'controller-manager');
    const code = await new Promise<number | null>((resolve) => bad.proc.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(bad.output()).toContain('invalid value "aws" for --cloud-provider: must be kubesim');
  });

  it('runs the controllers and the emulated cloud in one process, and stops both on SIGTERM', async () => {
    cm = startCcm(api.endpoint, ['--cloud-provider', 'kubesim', '--lb-cidr', `${LB_NET}.0/24`, '--leader-elect-retry-period', '1'], 'controller-manager');
    // The controllers: this process takes the controller-manager's Lease.
    await waitFor(
      async () => {
        const lease = await client.get('leases', 'kube-system', 'kube-controller-manager').catch(() => undefined);
        return (lease?.spec?.holderIdentity ?? '').includes(`_${cm!.proc.pid}_`);
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `the controller-manager to lead (output: ${cm.output().slice(-2000)})` },
    );
    // The cloud: a LoadBalancer Service gets a pool address whose balancer reaches a node's NodePort.
    const port = await freePort();
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'default', name: 'web' },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'tcp', port, targetPort: 8080, protocol: 'TCP' }] },
    };
    const created = await client.create(svc);
    const nodePort = created.spec?.ports?.[0]?.nodePort ?? 0;
    for (const n of NODES) await nodePortServer(n.ip, nodePort, n.name);
    const ip = await externalIP(client, 'web', cm);
    expect(ip).toBe(`${LB_NET}.2`);
    expect(NODES.map((n) => n.name)).toContain(await connectOnce(ip, port));

    await cm.stop('SIGTERM');
    expect(cm.proc.exitCode).toBe(0);
    expect(await refused(ip, port)).toBe(true);
  });
});
