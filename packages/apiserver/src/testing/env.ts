// Test environment for the apiserver's integration tests: a real etcd, an apiserver in
// this process on a free loopback port, and real gRPC clients to it.
import { Client } from '@kubesim/client';
import { Etcd3 } from 'etcd3';
import { pino } from 'pino';
import { startEtcd, type TestEtcd } from '../../../../test/support/etcd.js';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../server.js';

export interface TestEnv {
  etcd: TestEtcd;
  server: RunningApiServer;
  client: Client;
  /** A direct etcd client, for what only tests do (compaction, raw reads). */
  raw: Etcd3;
  newClient(): Client;
  stop(): Promise<void>;
}

export async function startEnv(opts: Partial<ApiServerOptions> = {}): Promise<TestEnv> {
  const etcd = await startEtcd();
  const server = await startApiServer({
    etcdServers: [etcd.endpoint],
    listen: '127.0.0.1:0',
    logger: pino({ level: process.env.KUBESIM_TEST_LOG ?? 'silent' }),
    compactionIntervalSeconds: 0,
    ...opts,
  });
  const clients: Client[] = [];
  const newClient = () => {
    const c = new Client({ endpoints: [server.address], timeoutMs: 10_000 });
    clients.push(c);
    return c;
  };
  const raw = new Etcd3({ hosts: [etcd.endpoint] });
  return {
    etcd,
    server,
    raw,
    client: newClient(),
    newClient,
    async stop() {
      for (const c of clients) c.close();
      raw.close();
      await server.stop();
      await etcd.stop();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads watch events one at a time, with a deadline per event. */
export class EventReader<T> {
  private readonly it: AsyncIterator<T>;
  constructor(iterable: AsyncIterable<T>) {
    this.it = iterable[Symbol.asyncIterator]();
  }
  async next(ms = 5000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no watch event within ${ms} ms`)), ms);
    });
    try {
      const r = await Promise.race([this.it.next(), timeout]);
      if (r.done) throw new Error('watch ended');
      return r.value;
    } finally {
      clearTimeout(timer);
    }
  }
  /** The error the watch ends with. */
  async error(ms = 5000): Promise<unknown> {
    try {
      for (;;) await this.next(ms);
    } catch (err) {
      return err;
    }
  }
}
