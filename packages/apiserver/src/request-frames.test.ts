// The apiserver's Requests stream on a real etcd: frames run like their unary methods and
// fail alone, and a shutting-down apiserver answers what it took and refuses the rest
// untouched, so a client may send those elsewhere.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, resourceService, type RequestFrame, type ResponseFrame } from '@kubesim/api';
import { Client } from '@kubesim/client';
import { pino } from 'pino';
import { startApiServer } from './server.js';
import { startEnv, type TestEnv } from './testing/env.js';
import { encodeResponse, frameMethod } from './request-frames.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

const raw = (b: Buffer) => b;
const Raw = grpc.makeGenericClientConstructor({ Requests: { ...resourceService.Requests, requestSerialize: raw, responseDeserialize: raw } } as unknown as grpc.ServiceDefinition, 'ResourceService');

/** Sends `frames` (objects or raw bytes) on one stream and collects the answers by id. */
async function exchange(address: string, frames: (RequestFrame | Buffer)[]): Promise<Map<number, ResponseFrame>> {
  const conn = new Raw(address, grpc.credentials.createInsecure());
  try {
    const call = (conn as unknown as { Requests(): grpc.ClientDuplexStream<Buffer, Buffer> }).Requests();
    const answers = new Map<number, ResponseFrame>();
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (b: Buffer) => {
        const f = decodeMessage<ResponseFrame>('ResponseFrame', b);
        answers.set(f.id ?? 0, f);
        if (answers.size === frames.length) resolve();
      });
      call.on('error', reject);
    });
    for (const f of frames) call.write(Buffer.isBuffer(f) ? f : Buffer.from(encodeMessage('RequestFrame', f)));
    await done;
    call.end();
    return answers;
  } finally {
    conn.close();
  }
}

describe('Requests stream', () => {
  it('runs each frame as its unary method would, and a failure stays with its own request', async () => {
    // A frame with a valid id whose body is not a RequestFrame (field 2 with a truncated length).
    const garbled = Buffer.from([0x08, 0x07, 0x12, 0x7f, 0x01]);
    const answers = await exchange(env.server.address, [
      { id: 1, create: { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'framed', namespace: 'default' }, data: { a: 'b' } } } },
      { id: 2, get: { resource: 'configmaps', namespace: 'default', name: 'no-such' } },
      { id: 3, create: { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } } } },
      { id: 4, version: {} },
      { id: 5 },
      { id: 6, list: { resource: 'namespaces' } },
      garbled,
    ]);
    expect(answers.get(1)?.object?.metadata?.name).toBe('framed');
    expect(answers.get(1)?.object?.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(answers.get(2)?.error?.reason).toBe('NotFound');
    expect(answers.get(2)?.error?.message).toBe('configmaps "no-such" not found');
    expect(answers.get(3)?.error?.reason).toBe('Invalid');
    expect(answers.get(3)?.error?.message).toMatch(/metadata\.name: Invalid value: "Bad_Name"/);
    expect(answers.get(4)?.version?.gitVersion).toBeTruthy();
    expect(answers.get(5)?.error?.reason).toBe('BadRequest');
    expect(answers.get(6)?.list?.items?.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(answers.get(7)?.error?.reason).toBe('BadRequest');
    // The write happened once, as the unary Create would have made it.
    const stored = await env.client.get('configmaps', 'default', 'framed');
    expect(stored.data).toEqual({ a: 'b' });
  });

  it('answers with an error, not a message too big to send, when the answer is over the limit', () => {
    const big = { id: 3, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default' }, data: { blob: 'x'.repeat(500) } } } as ResponseFrame;
    const small = decodeMessage<ResponseFrame>('ResponseFrame', encodeResponse(big, 10_000));
    expect(small.object?.metadata?.name).toBe('big');
    const refused = decodeMessage<ResponseFrame>('ResponseFrame', encodeResponse(big, 200));
    expect(refused.id).toBe(3);
    expect(refused.object).toBeUndefined();
    expect(refused.error?.reason).toBe('RequestEntityTooLarge');
    expect(refused.error?.message).toMatch(/^Sent message larger than max \(\d+ vs\. 200\)$/);
  });

  it('names the method of a frame by the request it carries', () => {
    expect(frameMethod({ id: 1, updateStatus: {} })).toBe('UpdateStatus');
    expect(frameMethod({ id: 1, bind: {} })).toBe('Bind');
    expect(frameMethod({ id: 1 })).toBeUndefined();
  });

  it('on shutdown answers the requests it took and refuses the rest untouched', async () => {
    const server = await startApiServer({ etcdServers: [env.etcd.endpoint], listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), compactionIntervalSeconds: 0 });
    const client = new Client({ endpoints: [server.address], timeoutMs: 10_000 });
    try {
      await client.version();
      const names = Array.from({ length: 60 }, (_, i) => `drain-${i}`);
      const results = names.map((name) =>
        client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } }).then(
          () => 'created' as const,
          (err: { reason?: string }) => err.reason ?? 'other',
        ),
      );
      // Stop while the burst is being served: some answered, some in flight, some not yet read.
      await Promise.race(results);
      const t0 = Date.now();
      await server.stop();
      const stopMs = Date.now() - t0;
      const outcome = await Promise.all(results);
      // Every request got an answer: created, or refused as unavailable (never half done).
      expect(outcome.filter((o) => o !== 'created' && o !== 'ServiceUnavailable')).toEqual([]);
      const stored = new Set((await env.client.list('configmaps', { namespace: 'default' })).items.map((c) => c.metadata?.name));
      names.forEach((n, i) => expect(`${n} ${stored.has(n)}`).toBe(`${n} ${outcome[i] === 'created'}`));
      expect(outcome).toContain('created');
      // Drained: streams that never ended would hold stop for the drain's 1 s and then the
      // server's 1 s before it cuts the calls off.
      expect(stopMs).toBeLessThan(1900);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
