// The client's request stream against fake in-process gRPC servers: answers matched by
// id in any order, a deadline per request, a lost stream failing only what was in
// flight, idle streams ended, and unary calls where the server has no Requests method.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, resourceService, StatusError, type RequestFrame, type ResponseFrame } from '@kubesim/api';
import { Client } from './client.js';
import { RequestStream } from './request-stream.js';

type FrameHandler = (frame: RequestFrame, reply: (f: ResponseFrame) => void, call: grpc.ServerDuplexStream<Buffer, Buffer>) => void;

interface Fake {
  address: string;
  streams: number;
  ended: number;
  unaryCalls: number;
  stop(): Promise<void>;
}

const servers: Fake[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});

const raw = (b: Buffer) => b;

async function fakeServer(onFrame: FrameHandler | undefined): Promise<Fake> {
  const server = new grpc.Server();
  const fake: Fake = { address: '', streams: 0, ended: 0, unaryCalls: 0, stop: async () => void server.forceShutdown() };
  const get = resourceService.Get;
  const service: grpc.ServiceDefinition = {
    Get: get as unknown as grpc.MethodDefinition<unknown, unknown>,
    ...(onFrame ? { Requests: { ...resourceService.Requests, requestDeserialize: raw, responseSerialize: raw } as unknown as grpc.MethodDefinition<unknown, unknown> } : {}),
  };
  const impl: grpc.UntypedServiceImplementation = {
    Get: ((call: grpc.ServerUnaryCall<{ name?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      fake.unaryCalls++;
      cb(null, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: call.request.name, namespace: 'default' } });
    }) as grpc.handleUnaryCall<unknown, unknown>,
  };
  if (onFrame) {
    impl['Requests'] = ((call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      fake.streams++;
      call.on('data', (b: Buffer) => onFrame(decodeMessage<RequestFrame>('RequestFrame', b), (f) => call.write(Buffer.from(encodeMessage('ResponseFrame', f))), call));
      call.on('end', () => {
        fake.ended++;
        call.end();
      });
    }) as grpc.handleBidiStreamingCall<unknown, unknown>;
  }
  server.addService(service, impl);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  fake.address = `127.0.0.1:${port}`;
  servers.push(fake);
  return fake;
}

function client(address: string, timeoutMs = 5000): Client {
  const c = new Client({ endpoints: [address], timeoutMs });
  clients.push(c);
  return c;
}

const configMap = (name: string): ResponseFrame['object'] => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });

async function failure(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    return err as StatusError;
  }
  throw new Error('expected the request to fail');
}

describe('request stream', () => {
  it('matches answers to requests by id, whatever order they come back in', async () => {
    const held: Array<() => void> = [];
    const fake = await fakeServer((frame, reply) => {
      const answer = () => reply({ id: frame.id, object: configMap(frame.get!.name!) });
      held.push(answer);
      // Answer all five at once, newest first.
      if (held.length === 5) for (const a of held.splice(0).reverse()) a();
    });
    const c = client(fake.address);
    const names = ['a', 'b', 'c', 'd', 'e'];
    const got = await Promise.all(names.map((n) => c.get('configmaps', 'default', n)));
    expect(got.map((o) => o.metadata?.name)).toEqual(names);
    expect(fake.streams).toBe(1);
    expect(fake.unaryCalls).toBe(0);
  });

  it('carries a failed request as its Status, and the stream goes on', async () => {
    const fake = await fakeServer((frame, reply) => {
      const name = frame.get!.name!;
      if (name === 'missing') reply({ id: frame.id, error: new StatusError('NotFound', 'configmaps "missing" not found', { name, kind: 'configmaps' }).toStatus() });
      else reply({ id: frame.id, object: configMap(name) });
    });
    const c = client(fake.address);
    const [err, ok] = await Promise.all([failure(c.get('configmaps', 'default', 'missing')), c.get('configmaps', 'default', 'there')]);
    expect(err).toBeInstanceOf(StatusError);
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('configmaps "missing" not found');
    expect(err.details?.name).toBe('missing');
    expect(ok.metadata?.name).toBe('there');
    expect((await c.get('configmaps', 'default', 'after')).metadata?.name).toBe('after');
    expect(fake.streams).toBe(1);
  });

  it('times out one request alone', async () => {
    const fake = await fakeServer((frame, reply) => {
      if (frame.get!.name !== 'slow') reply({ id: frame.id, object: configMap(frame.get!.name!) });
    });
    const c = client(fake.address, 1000);
    const [err, ok] = await Promise.all([failure(c.get('configmaps', 'default', 'slow')), c.get('configmaps', 'default', 'fast')]);
    expect(err.reason).toBe('Timeout');
    expect(ok.metadata?.name).toBe('fast');
  });

  it('fails what was in flight when the stream is lost, and opens a new one for the next request', async () => {
    let lose = true;
    const fake = await fakeServer((frame, reply, call) => {
      if (lose) {
        lose = false;
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection lost' });
        return;
      }
      reply({ id: frame.id, object: configMap(frame.get!.name!) });
    });
    const c = client(fake.address);
    const err = await failure(c.get('configmaps', 'default', 'first'));
    expect(err.reason).toBe('ServiceUnavailable');
    expect((await c.get('configmaps', 'default', 'second')).metadata?.name).toBe('second');
    expect(fake.streams).toBe(2);
  });

  it('ends a stream that has had nothing in flight for a while', async () => {
    const fake = await fakeServer((frame, reply) => reply({ id: frame.id, object: configMap(frame.get!.name!) }));
    const c = client(fake.address);
    await c.get('configmaps', 'default', 'x');
    const deadline = Date.now() + 5000;
    while (fake.ended === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fake.ended).toBe(1);
    // And the next request simply opens another.
    expect((await c.get('configmaps', 'default', 'y')).metadata?.name).toBe('y');
    expect(fake.streams).toBe(2);
  });

  it('sends unary calls to a server without the Requests method', async () => {
    const fake = await fakeServer(undefined);
    const c = client(fake.address);
    expect((await c.get('configmaps', 'default', 'one')).metadata?.name).toBe('one');
    expect((await c.get('configmaps', 'default', 'two')).metadata?.name).toBe('two');
    expect(fake.unaryCalls).toBe(2);
  });

  it('refuses a request that cannot be encoded, alone, as a unary call would', async () => {
    const fake = await fakeServer((frame, reply) => reply({ id: frame.id, object: configMap(frame.get!.name!) }));
    const c = client(fake.address);
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: {}, surprise: 1 } as unknown as Parameters<Client['create']>[0];
    const [err, ok] = await Promise.all([failure(c.create(bad)), c.get('configmaps', 'default', 'fine')]);
    expect(err.reason).toBe('InternalError');
    expect(err.message).toMatch(/serialization failure.*surprise/);
    expect(ok.metadata?.name).toBe('fine');
  });

  it('refuses a request too big for one message, alone, instead of failing the stream', async () => {
    const fake = await fakeServer((frame, reply) => reply({ id: frame.id, object: configMap(frame.get!.name!) }));
    const conn = new grpc.Client(fake.address, grpc.credentials.createInsecure());
    const stream = new RequestStream(conn, new grpc.Metadata(), 200);
    try {
      const big = { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default' }, data: { blob: 'x'.repeat(500) } } };
      const [err, ok] = await Promise.all([
        stream.request('Create', big, 5000).then(
          () => undefined,
          (e: grpc.ServiceError) => e,
        ),
        stream.request<{ metadata?: { name?: string } }>('Get', { resource: 'configmaps', namespace: 'default', name: 'small' }, 5000),
      ]);
      expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(err?.details).toMatch(/^Sent message larger than max \(\d+ vs\. 200\)$/);
      expect(ok.metadata?.name).toBe('small');
      expect(fake.streams).toBe(1);
    } finally {
      stream.close();
      conn.close();
    }
  });
});
