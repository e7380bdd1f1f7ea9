// The data plane on loopback addresses: listeners follow the spec they are given (ports,
// nodePorts, policy, address) and go away on delete.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@kubesim/api';
import { newLogger, waitFor } from '@kubesim/client';
import { Cloud } from './balancer.js';
import type { LbSpec } from './service-lb.js';

const servers: net.Server[] = [];
let cloud: Cloud | undefined;
afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function backend(ip: string, name: string): Promise<number> {
  const s = net.createServer((c) => c.end(name));
  await new Promise<void>((r) => s.listen(0, ip, () => r()));
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}

async function freeLoopbackPort(ip: string): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, ip, () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function get(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const c = net.connect({ host: ip, port });
    c.on('data', (b) => (data += b.toString()));
    c.on('end', () => resolve(data));
    c.on('error', reject);
  });
}

const node = (name: string, ip: string): Node => ({ kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True' }] } });

describe('Cloud', () => {
  it('serves, follows spec changes, and deletes', async () => {
    const lbIP = '127.0.0.1';
    const nodes = [node('n1', '127.0.0.1')];
    const np1 = await backend('127.0.0.1', 'np1');
    const np2 = await backend('127.0.0.1', 'np2');
    const healthy = new Set<string>();
    cloud = new Cloud({ nodes: () => nodes, logger: newLogger('balancer-test'), probe: async (ip) => healthy.has(ip), healthCheckIntervalMs: 10 });
    const port = await freeLoopbackPort(lbIP);
    const spec: LbSpec = { ports: [{ name: '', port, nodePort: np1 }], local: false, healthCheckNodePort: 0 };
    await cloud.ensure('default/web', lbIP, spec);
    expect(cloud.matches('default/web', lbIP, spec)).toBe(true);
    expect(await get(lbIP, port)).toBe('np1');

    // Another nodePort: the same listener forwards there.
    const spec2: LbSpec = { ...spec, ports: [{ name: '', port, nodePort: np2 }] };
    expect(cloud.matches('default/web', lbIP, spec2)).toBe(false);
    await cloud.ensure('default/web', lbIP, spec2);
    expect(await get(lbIP, port)).toBe('np2');

    // Another port: the old one closes.
    const port2 = await freeLoopbackPort(lbIP);
    await cloud.ensure('default/web', lbIP, { ...spec2, ports: [{ name: '', port: port2, nodePort: np2 }] });
    expect(await get(lbIP, port2)).toBe('np2');
    await expect(get(lbIP, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // Local: no connections until the node passes its check.
    const local: LbSpec = { ports: [{ name: '', port: port2, nodePort: np2 }], local: true, healthCheckNodePort: 31000 };
    await cloud.ensure('default/web', lbIP, local);
    expect(cloud.backends('default/web')).toEqual([]);
    await expect(get(lbIP, port2)).rejects.toMatchObject({ code: 'ECONNRESET' });
    healthy.add('127.0.0.1');
    await waitFor(() => cloud!.backends('default/web').length === 1, { timeoutMs: 2000, intervalMs: 5, what: 'node passing its check' });
    expect(await get(lbIP, port2)).toBe('np2');

    expect(await cloud.delete('default/web')).toBe(true);
    expect(await cloud.delete('default/web')).toBe(false);
    await expect(get(lbIP, port2)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('fails to ensure a port that is taken, and serves it once free', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const np = await backend('127.0.0.1', 'np');
    cloud = new Cloud({ nodes: () => [node('n1', '127.0.0.1')], logger: newLogger('balancer-test') });
    const spec: LbSpec = { ports: [{ name: '', port, nodePort: np }], local: false, healthCheckNodePort: 0 };
    await expect(cloud.ensure('default/web', '127.0.0.1', spec)).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    await new Promise((r) => blocker.close(r));
    await cloud.ensure('default/web', '127.0.0.1', spec);
    expect(await get('127.0.0.1', port)).toBe('np');
  });

  it('tries the next node when one refuses, and resets when none is left', async () => {
    const np = await backend('127.0.0.1', 'only-up');
    // 127.0.0.3 has nothing on np: it refuses; n1 sorts first so it is always tried first.
    const nodes = [node('n1', '127.0.0.3'), node('n2', '127.0.0.1')];
    cloud = new Cloud({ nodes: () => nodes, logger: newLogger('balancer-test') });
    const port = await freeLoopbackPort('127.0.0.1');
    await cloud.ensure('default/web', '127.0.0.1', { ports: [{ name: '', port, nodePort: np }], local: false, healthCheckNodePort: 0 });
    for (let i = 0; i < 4; i++) expect(await get('127.0.0.1', port)).toBe('only-up');
    nodes.splice(1, 1);
    await expect(get('127.0.0.1', port)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
