// ClusterIP and NodePort allocation against a real etcd, with the apiserver in process.
import type { Service, ServicePort } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../server.js';
import { startEnv, type TestEnv } from '../testing/env.js';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocator.js';
import { ipOffset, parseIPRange } from './range.js';

function service(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

async function keys(env: TestEnv, prefix: string): Promise<string[]> {
  return (await env.raw.getAll().prefix(prefix).keys()).map((k) => k.slice(prefix.length)).sort();
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the request to fail');
}

const nodePorts = (s: Service): (number | undefined)[] => (s.spec?.ports ?? []).map((p: ServicePort) => p.nodePort);

describe('service allocation', () => {
  let env: TestEnv;
  let c: Client;
  const range = parseIPRange('10.96.0.0/16');
  beforeAll(async () => {
    env = await startEnv();
    c = env.client;
  });
  afterAll(async () => env?.stop());

  it('gives ClusterIP, NodePort and LoadBalancer services what their type needs', async () => {
    const cip = await c.create(service('plain', {}));
    expect(ipOffset(range, cip.spec?.clusterIP ?? '')).toBeGreaterThan(1);
    expect(cip.spec?.clusterIPs).toEqual([cip.spec?.clusterIP]);
    expect(nodePorts(cip)).toEqual([undefined]);

    const np = await c.create(service('np', { type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'web', port: 80 }] }));
    const [dnsU, dnsT, web] = nodePorts(np) as number[];
    expect(dnsU).toBe(dnsT); // one port number over two protocols shares its node port
    expect(web).not.toBe(dnsU);
    for (const p of [dnsU, web]) expect(p >= 30000 && p <= 32767).toBe(true);
    expect(np.spec?.healthCheckNodePort).toBeUndefined();

    const lb = await c.create(service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    const hc = lb.spec?.healthCheckNodePort ?? 0;
    expect(hc >= 30000 && hc <= 32767).toBe(true);
    expect(nodePorts(lb)[0]).not.toBe(hc);

    const headless = await c.create(service('headless', { clusterIP: 'None' }));
    expect(headless.spec?.clusterIP).toBe('None');
    const ext = await c.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'my.database.com' } });
    expect(ext.spec?.clusterIP).toBeUndefined();

    const ips = [cip, np, lb].map((s) => s.spec?.clusterIP);
    expect(await keys(env, SERVICE_IPS_PREFIX)).toEqual([...ips].sort());
    expect(await keys(env, NODE_PORTS_PREFIX)).toEqual([dnsU, web, nodePorts(lb)[0], hc].map(String).sort());
    // The stored object says the same as the answer.
    expect((await c.get('services', 'default', 'np')).spec?.ports?.map((p) => p.nodePort)).toEqual([dnsU, dnsT, web]);
    // Dry runs allocate nothing.
    const dry = await c.create(service('dry', { type: 'NodePort' }), { dryRun: true });
    expect(dry.spec?.clusterIP).toBeTruthy();
    expect(await keys(env, SERVICE_IPS_PREFIX)).toHaveLength(3);
  });

  it('honours requested values and refuses taken or out-of-range ones as Kubernetes does', async () => {
    const s = await c.create(service('asked', { type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(s.spec?.clusterIP).toBe('10.96.0.5');
    expect(nodePorts(s)).toEqual([30080]);
    expect(await failure(c.create(service('asked2', { clusterIP: '10.96.0.5' })))).toBe(
      'Service "asked2" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.5"]: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    );
    expect(await failure(c.create(service('asked3', { clusterIP: '1.2.3.4' })))).toBe(
      'Service "asked3" is invalid: spec.clusterIPs: Invalid value: ["1.2.3.4"]: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    );
    expect(await failure(c.create(service('asked4', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })))).toBe(
      'Service "asked4" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(await failure(c.create(service('asked5', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })))).toBe(
      'Service "asked5" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // The refused creates left nothing behind.
    for (const n of ['asked2', 'asked3', 'asked4', 'asked5']) await expect(c.get('services', 'default', n)).rejects.toThrow(/not found/);
    expect(await keys(env, SERVICE_IPS_PREFIX)).not.toContain('1.2.3.4');
  });

  it('hands out no value twice among 50 concurrent creates', async () => {
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => env.newClient().create(service(`burst-${i}`, { type: 'NodePort' }))));
    const ips = new Set(created.map((s) => s.spec?.clusterIP));
    const ports = new Set(created.map((s) => nodePorts(s)[0]));
    expect(ips.size).toBe(50);
    expect(ports.size).toBe(50);
    const stored = await keys(env, SERVICE_IPS_PREFIX);
    for (const ip of ips) expect(stored).toContain(ip);
  });

  it('releases on delete, so the same values can be asked for again', async () => {
    await c.create(service('again', { type: 'NodePort', clusterIP: '10.96.0.6', ports: [{ port: 80, nodePort: 30081 }] }));
    await c.delete('services', 'default', 'again');
    expect(await keys(env, SERVICE_IPS_PREFIX)).not.toContain('10.96.0.6');
    expect(await keys(env, NODE_PORTS_PREFIX)).not.toContain('30081');
    const back = await c.create(service('again2', { type: 'NodePort', clusterIP: '10.96.0.6', ports: [{ port: 80, nodePort: 30081 }] }));
    expect(back.spec?.clusterIP).toBe('10.96.0.6');
  });

  it('keeps values while a finalizer holds the Service, releases them when it goes', async () => {
    await c.create({ ...service('fin', { clusterIP: '10.96.0.7' }), metadata: { name: 'fin', namespace: 'default', finalizers: ['example.com/hold'] } });
    await c.delete('services', 'default', 'fin');
    expect(await keys(env, SERVICE_IPS_PREFIX)).toContain('10.96.0.7');
    await c.patch('services', 'default', 'fin', { metadata: { finalizers: null } });
    expect(await keys(env, SERVICE_IPS_PREFIX)).not.toContain('10.96.0.7');
  });

  it('keeps values across updates and releases what a type change drops', async () => {
    const s = await c.create(service('morph', { type: 'NodePort', ports: [{ port: 80 }] }));
    const ip = s.spec?.clusterIP as string;
    const port = nodePorts(s)[0] as number;
    // An update from a manifest without the allocated values keeps them.
    const same = await c.update(service('morph', { type: 'NodePort', ports: [{ port: 80 }] }));
    expect(same.spec?.clusterIP).toBe(ip);
    expect(nodePorts(same)).toEqual([port]);
    // Adding a port allocates for it only.
    const more = await c.patch('services', 'default', 'morph', { spec: { ports: [{ name: 'a', port: 80, protocol: 'TCP', nodePort: port }, { name: 'b', port: 81 }] } });
    expect(nodePorts(more)[0]).toBe(port);
    const second = nodePorts(more)[1] as number;
    expect(second).toBeGreaterThanOrEqual(30000);

    const cip = await c.patch('services', 'default', 'morph', { spec: { type: 'ClusterIP', externalTrafficPolicy: null } });
    expect(nodePorts(cip)).toEqual([undefined, undefined]);
    expect(cip.spec?.clusterIP).toBe(ip);
    const free = await keys(env, NODE_PORTS_PREFIX);
    expect(free).not.toContain(String(port));
    expect(free).not.toContain(String(second));
    await c.create(service('takes-port', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));

    const ext = await c.patch('services', 'default', 'morph', { spec: { type: 'ExternalName', externalName: 'x.example.com' } });
    expect(ext.spec?.clusterIP).toBeUndefined();
    expect(await keys(env, SERVICE_IPS_PREFIX)).not.toContain(ip);
    // And back: a new address.
    const back = await c.patch('services', 'default', 'morph', { spec: { type: 'ClusterIP', externalName: null } });
    expect(ipOffset(range, back.spec?.clusterIP ?? '')).toBeGreaterThan(1);
    expect(await keys(env, SERVICE_IPS_PREFIX)).toContain(back.spec?.clusterIP);
  });

  it('keeps allocations across an apiserver restart', async () => {
    await c.create(service('durable', { type: 'NodePort', clusterIP: '10.96.0.8', ports: [{ port: 80, nodePort: 30090 }] }));
    await env.server.stop();
    const again = await startApiServer({ etcdServers: [env.etcd.endpoint], listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), compactionIntervalSeconds: 0 });
    const c2 = new Client({ endpoints: [again.address] });
    try {
      expect(await failure(c2.create(service('durable2', { clusterIP: '10.96.0.8' })))).toMatch(/provided IP is already allocated/);
      expect(await failure(c2.create(service('durable3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30090 }] })))).toMatch(/provided port is already allocated/);
    } finally {
      c2.close();
      await again.stop();
    }
  });
});

describe('service allocation with two apiservers on a small range', () => {
  let env: TestEnv;
  let other: RunningApiServer;
  const opts: Partial<ApiServerOptions> = { serviceClusterIPRange: '10.97.0.0/26', serviceNodePortRange: '30000-30059' };
  beforeAll(async () => {
    env = await startEnv(opts);
    other = await startApiServer({ etcdServers: [env.etcd.endpoint], listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), compactionIntervalSeconds: 0, ...opts });
  });
  afterAll(async () => {
    await other?.stop();
    await env?.stop();
  });

  it('never collide when both create at once, and say when the range is full', async () => {
    const a = env.client;
    const b = new Client({ endpoints: [other.address] });
    try {
      // 58 of the 60 node ports and 58 of the 61 dynamic addresses, half through each apiserver.
      const created = await Promise.all(Array.from({ length: 58 }, (_, i) => (i % 2 ? a : b).create(service(`s-${i}`, { type: 'NodePort' }))));
      expect(new Set(created.map((s) => s.spec?.clusterIP)).size).toBe(58);
      expect(new Set(created.map((s) => nodePorts(s)[0])).size).toBe(58);
      const r = parseIPRange('10.97.0.0/26');
      for (const s of created) expect(ipOffset(r, s.spec?.clusterIP ?? '')).toBeGreaterThan(1);
      expect(await keys(env, NODE_PORTS_PREFIX)).toHaveLength(58);

      await a.create(service('fill-1', { type: 'NodePort' }));
      await b.create(service('fill-2', { type: 'NodePort' }));
      expect(await failure(a.create(service('one-too-many', { type: 'NodePort' })))).toMatch(/failed to allocate a nodePort: range is full/);
      expect(await keys(env, SERVICE_IPS_PREFIX)).toHaveLength(60);
      // Freed through one apiserver, the value is found by the other.
      const gone = await a.get('services', 'default', 's-0');
      await a.delete('services', 'default', 's-0');
      const next = await b.create(service('after-free', { type: 'NodePort' }));
      expect(nodePorts(next)[0]).toBe(nodePorts(gone)[0]);
    } finally {
      b.close();
    }
  });
});
