// The HTTP probe against servers on loopback: an answer, an error status, a refused
// connection, a server that never answers; and the Prober's schedule.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe, Prober } from './probes.js';
import type { ProbeSample } from './record.js';

let server: Server;
let base = '';
const hung: import('node:http').ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return void hung.push(res);
    res.statusCode = req.url === '/fail' ? 503 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of hung) r.destroy();
  await new Promise((r) => server.close(r));
});

describe('httpProbe', () => {
  it('succeeds on 2xx with its latency, fails on 5xx with the code', async () => {
    const ok = await httpProbe('p', `${base}/`, 1000);
    expect(ok).toMatchObject({ probe: 'p', ok: true, code: 200 });
    expect(ok.latencyMs).toBeGreaterThan(0);
    expect(await httpProbe('p', `${base}/fail`, 1000)).toMatchObject({ ok: false, code: 503 });
  });

  it('fails on a refused connection and on a timeout, naming why', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await httpProbe('p', `http://127.0.0.1:${port}/`, 1000)).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    const slow = await httpProbe('p', `${base}/hang`, 50);
    expect(slow).toMatchObject({ ok: false, error: 'timeout after 50ms' });
    expect(slow.latencyMs).toBeGreaterThanOrEqual(45);
  });
});

describe('Prober', () => {
  it('sends on schedule until stopped and waits for the requests in flight', async () => {
    const samples: ProbeSample[] = [];
    let done!: () => void;
    const enough = new Promise<void>((r) => (done = r));
    const prober = new Prober([{ name: 'p', http: { url: `${base}/` }, intervalMs: 20, timeoutMs: 500 }], { service: () => Promise.reject(new Error('unused')), nodes: () => [], faulted: () => new Set() }, (s) => {
      samples.push(s);
      if (samples.length === 5) done();
    });
    await prober.start();
    await enough;
    await prober.stop();
    const n = samples.length;
    expect(samples.every((s) => s.ok && s.probe === 'p')).toBe(true);
    // Sent about every 20 ms.
    const ts = samples.map((s) => s.t).sort((a, b) => a - b);
    expect(ts[4] - ts[0]).toBeGreaterThanOrEqual(60);
    await new Promise((r) => setTimeout(r, 60));
    expect(samples.length).toBe(n);
  });

  it('fails to start on a service port that does not exist', async () => {
    const prober = new Prober(
      [{ name: 'p', http: { service: 'web', namespace: 'default', port: 8080, path: '/', via: 'nodePort' }, intervalMs: 20, timeoutMs: 500 }],
      { service: async () => ({ spec: { ports: [{ port: 80, nodePort: 30080 }] } }), nodes: () => [], faulted: () => new Set() },
      () => undefined,
    );
    await expect(prober.start()).rejects.toThrow('service default/web has no port 8080; ports: 80');
    await prober.stop();
  });
});
