// Leader election against the real apiserver, with candidates as separate processes:
// exactly one leads; a frozen leader (SIGSTOP) is replaced and, when continued, stops
// leading without writing the lease; a killed leader is replaced after the lease
// duration. A watch on the Lease records every holder the apiserver ever stored.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '@kubesim/api';
import { Client, type Watch } from '@kubesim/client';
import { waitFor } from '@kubesim/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startApiServer, type ApiServerProcess } from '../support/apiserver.js';

const CHILD = fileURLToPath(new URL('./elector-child.mjs', import.meta.url));

interface Candidate {
  identity: string;
  proc: ChildProcess;
  events: Array<{ event: string; t: number }>;
}

let etcd: TestEtcd;
let api: ApiServerProcess;
let client: Client;
const children: Candidate[] = [];

function candidate(identity: string, lock: string): Candidate {
  const proc = spawn(process.execPath, [CHILD, api.endpoint, identity, lock], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  const c: Candidate = { identity, proc, events: [] };
  let buf = '';
  proc.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('{')) c.events.push(JSON.parse(line));
    }
  });
  proc.stderr!.resume();
  children.push(c);
  return c;
}

const has = (c: Candidate, event: string, n = 1) => c.events.filter((e) => e.event === event).length >= n;

/** Every lease record the apiserver stores, in order. */
function recordLeases(lock: string): { holders: string[]; transitions: number[]; watch: Watch<Lease> } {
  const out = { holders: [] as string[], transitions: [] as number[], watch: client.watch('leases', { namespace: 'kube-system', fieldSelector: '', resourceVersion: '0' }) };
  void (async () => {
    try {
      for await (const ev of out.watch) {
        if (ev.type === 'BOOKMARK' || ev.object.metadata?.name !== lock) continue;
        const holder = ev.object.spec?.holderIdentity ?? '';
        if (out.holders.at(-1) !== holder) out.holders.push(holder);
        out.transitions.push(ev.object.spec?.leaseTransitions ?? 0);
      }
    } catch {
      // cancelled at the end of the test
    }
  })();
  return out;
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));
}

beforeAll(async () => {
  etcd = await startEtcd();
  api = await startApiServer(etcd.endpoint);
  client = new Client({ endpoints: [api.endpoint], timeoutMs: 5000 });
});

afterAll(async () => {
  for (const c of children) {
    c.proc.kill('SIGCONT');
    c.proc.kill('SIGKILL');
  }
  await Promise.all(children.map((c) => exited(c.proc)));
  client?.close();
  await api?.stop();
  await etcd?.stop();
});

describe('leader election across processes', () => {
  it('one leads; a paused leader is replaced and steps down on resume without writing', async () => {
    const leases = recordLeases('pause-lock');
    const a = candidate('a', 'pause-lock');
    await waitFor(() => has(a, 'started'), { what: 'a to lead', timeoutMs: 15_000, intervalMs: 20 });
    const b = candidate('b', 'pause-lock');
    await waitFor(() => has(b, 'ready'), { what: 'b to start', timeoutMs: 15_000, intervalMs: 20 });
    // While both run, the lease stays with a (several renewals pass).
    await waitFor(() => leases.transitions.length >= 6, { what: 'a few renewals', timeoutMs: 10_000, intervalMs: 20 });
    expect(has(b, 'started')).toBe(false);

    a.proc.kill('SIGSTOP');
    await waitFor(() => has(b, 'started'), { what: 'b to take over', timeoutMs: 15_000, intervalMs: 20 });
    a.proc.kill('SIGCONT');
    await waitFor(() => has(a, 'stopped'), { what: 'a to step down', timeoutMs: 5_000, intervalMs: 20 });
    // Give a time to misbehave (it campaigns again), then check the lease history:
    // a never wrote after b took over.
    await waitFor(() => leases.transitions.length >= 20, { what: 'more renewals by b', timeoutMs: 15_000, intervalMs: 20 });
    expect(leases.holders).toEqual(['a', 'b']);
    expect(leases.transitions.at(-1)).toBe(1);
    const lease = await client.get('leases', 'kube-system', 'pause-lock');
    expect(lease.spec?.holderIdentity).toBe('b');
    expect(a.events.filter((e) => e.event === 'started')).toHaveLength(1);
    leases.watch.cancel();
  });

  it('a killed leader is replaced after the lease expires', async () => {
    const leases = recordLeases('kill-lock');
    const x = candidate('x', 'kill-lock');
    await waitFor(() => has(x, 'started'), { what: 'x to lead', timeoutMs: 15_000, intervalMs: 20 });
    const y = candidate('y', 'kill-lock');
    await waitFor(() => has(y, 'ready'), { what: 'y to start', timeoutMs: 15_000, intervalMs: 20 });
    const killedAt = Date.now();
    x.proc.kill('SIGKILL');
    await waitFor(() => has(y, 'started'), { what: 'y to take over', timeoutMs: 15_000, intervalMs: 20 });
    const tookOver = y.events.find((e) => e.event === 'started')!.t;
    // Not before a lease duration (3 s) since x's last renewal could have been seen.
    expect(tookOver - killedAt).toBeGreaterThanOrEqual(2_000);
    expect(leases.holders).toEqual(['x', 'y']);
    leases.watch.cancel();
  });
});
