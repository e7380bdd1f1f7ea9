import { afterEach, describe, expect, it } from 'vitest';
import { newLogger, waitFor } from '@kubesim/client';
import { HealthChecker, httpProbe, type Probe } from './health.js';
import http from 'node:http';
import type { Backend } from './targets.js';

const checkers: HealthChecker[] = [];
afterEach(() => {
  for (const c of checkers.splice(0)) c.stop();
});

function checker(candidates: () => Backend[], probe: Probe): HealthChecker {
  const c = new HealthChecker({ port: 31000, candidates, probe, intervalMs: 10, logger: newLogger('health-test') });
  checkers.push(c);
  c.start();
  return c;
}

describe('HealthChecker', () => {
  it('probes every candidate on its port and follows the thresholds', async () => {
    const answers = new Map([
      ['a', true],
      ['b', false],
    ]);
    const probed: string[] = [];
    const c = checker(
      () => [
        { node: 'a', ip: '127.0.0.2' },
        { node: 'b', ip: '127.0.0.3' },
      ],
      async (ip, port) => {
        probed.push(`${ip}:${port}`);
        return answers.get(ip === '127.0.0.2' ? 'a' : 'b')!;
      },
    );
    await waitFor(() => c.healthy('a'), { timeoutMs: 2000, intervalMs: 1, what: 'a healthy' });
    expect(c.healthy('b')).toBe(false);
    expect(probed).toContain('127.0.0.3:31000');
    answers.set('a', false);
    answers.set('b', true);
    await waitFor(() => !c.healthy('a') && c.healthy('b'), { timeoutMs: 2000, intervalMs: 1, what: 'a out, b in' });
    expect(c.snapshot()).toEqual({ a: false, b: true });
  });

  it('forgets nodes that are no longer candidates', async () => {
    let nodes: Backend[] = [{ node: 'a', ip: '127.0.0.2' }];
    const c = checker(() => nodes, async () => true);
    await waitFor(() => c.healthy('a'), { timeoutMs: 2000, intervalMs: 1, what: 'a healthy' });
    nodes = [];
    await waitFor(() => Object.keys(c.snapshot()).length === 0, { timeoutMs: 2000, intervalMs: 1, what: 'a forgotten' });
    expect(c.healthy('a')).toBe(false);
  });

  it('never runs two probes of one node at once', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    checker(
      () => [{ node: 'a', ip: '127.0.0.2' }],
      async () => {
        calls++;
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 35));
        running--;
        return true;
      },
    );
    await waitFor(() => calls >= 3, { timeoutMs: 2000, intervalMs: 5, what: 'three probes' });
    expect(most).toBe(1);
  });
});

describe('httpProbe', () => {
  it('passes on 200 only, fails on other codes and on no answer', async () => {
    let code = 200;
    let path = '';
    const server = http.createServer((req, res) => {
      path = req.url ?? '';
      res.writeHead(code).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await httpProbe('127.0.0.1', port, 1000)).toBe(true);
      expect(path).toBe('/healthz');
      code = 503;
      expect(await httpProbe('127.0.0.1', port, 1000)).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await httpProbe('127.0.0.1', port, 1000)).toBe(false);
  });
});
