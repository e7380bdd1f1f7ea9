// `--lb-interface`: the load-balancer addresses as /32 aliases on a bridge, as under `kubesim up`
// (the cluster's Docker bridge). The test makes a Docker network of its own whose bridge
// takes the aliases; its pool is the network's last /24, as in the network design. Needs
// root (ip addr) and Docker.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type Service } from '@kubesim/api';
import { Client, waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';
import { freePort } from '../support/ports.js';
import { closeAll, connectOnce, createNode, externalIP, nodePortServer, startCcm, type CcmProcess } from './support.js';

const run = promisify(execFile);
const NETWORK = `kubesim-lbtest-${process.pid}`;
const BRIDGE = `kslb${process.pid % 100_000}`;
const NODE = { name: `lb-if-node-${process.pid}`, ip: `127.${randomInt(100, 250)}.${randomInt(1, 250)}.11` };
let octet = 0;
let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
let ccm: CcmProcess | undefined;

async function aliases(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', BRIDGE]);
  return [...stdout.matchAll(/inet (\S+)/g)].map((m) => m[1]);
}

const root = process.getuid?.() === 0;

describe.skipIf(!root)('cloud-controller-manager --lb-interface', () => {
  beforeAll(async () => {
    // A /16 of our own; another test's network may hold one, so try a few.
    for (let attempt = 0; ; attempt++) {
      octet = randomInt(200, 240);
      try {
        await run('docker', ['network', 'create', '--subnet', `10.${octet}.0.0/16`, '--gateway', `10.${octet}.0.1`, '-o', `com.docker.network.bridge.name=${BRIDGE}`, NETWORK]);
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
    // Left over by a crashed run: the controller removes pool addresses nobody holds.
    await run('ip', ['addr', 'add', `10.${octet}.255.77/32`, 'dev', BRIDGE]);
    etcd = await startEtcd();
    api = await startApiServer(etcd.endpoint);
    client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
    await createNode(client, NODE.name, NODE.ip);
    ccm = startCcm(api.endpoint, ['--lb-cidr', `10.${octet}.255.0/24`, '--lb-interface', BRIDGE]);
  }, 120_000);

  afterAll(async () => {
    await ccm?.stop();
    await closeAll();
    client?.close();
    await api?.stop();
    await etcd?.stop();
    await run('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
  });

  it('adds the address as a /32 on the interface, serves it, and removes it on delete', async () => {
    const port = await freePort();
    const created = await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port }] } } satisfies Service);
    await nodePortServer(NODE.ip, created.spec?.ports?.[0]?.nodePort ?? 0, NODE.name);
    const ip = await externalIP(client, 'web', ccm);
    expect(ip).toBe(`10.${octet}.255.2`);
    const addrs = await aliases();
    expect(addrs).toContain(`${ip}/32`);
    expect(addrs).not.toContain(`10.${octet}.255.77/32`);
    expect(addrs).toContain(`10.${octet}.0.1/16`);
    expect(await connectOnce(ip, port)).toBe(NODE.name);

    await client.delete('services', 'default', 'web');
    await waitFor(
      async () => {
        try {
          await client.get('services', 'default', 'web');
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `web gone (output: ${ccm?.output().slice(-3000)})` },
    );
    expect(await aliases()).toEqual([`10.${octet}.0.1/16`]);
  });
});
