import { existsSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerEngine, DockerEngineError, demuxStream, pullReference } from './docker-engine.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(src: PassThrough, out: PassThrough, chunks: Buffer[]): Promise<string> {
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  demuxStream(src, out);
  for (const c of chunks) src.write(c);
  src.end();
  await new Promise((r) => setImmediate(r));
  return Buffer.concat(parts).toString();
}

/** The plain text of a multiplexed engine stream, once it ends. */
function readDemuxed(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    const sink = new PassThrough();
    let s = '';
    sink.on('data', (b: Buffer) => (s += b.toString()));
    demuxStream(stream, sink);
    stream.on('end', () => resolve(s));
  });
}

describe('pullReference', () => {
  it('splits name and tag, defaulting to latest (an empty tag would pull every tag)', () => {
    expect(pullReference('busybox')).toEqual({ fromImage: 'busybox', tag: 'latest' });
    expect(pullReference('kubesim/hostname:v2')).toEqual({ fromImage: 'kubesim/hostname', tag: 'v2' });
    expect(pullReference('localhost:5000/app')).toEqual({ fromImage: 'localhost:5000/app', tag: 'latest' });
    expect(pullReference('localhost:5000/app:1.0')).toEqual({ fromImage: 'localhost:5000/app', tag: '1.0' });
    expect(pullReference('app@sha256:abc')).toEqual({ fromImage: 'app', tag: 'sha256:abc' });
  });
});

describe('demuxStream', () => {
  it('joins stdout and stderr frames in order', async () => {
    const all = Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2\n')]);
    expect(await collect(new PassThrough(), new PassThrough(), [all])).toBe('out1\nerr\nout2\n');
  });

  it('keeps frames whole when chunks cut headers and payloads anywhere', async () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'wide '), frame(1, 'world')]);
    for (let cut = 1; cut < all.length; cut++) {
      const text = await collect(new PassThrough(), new PassThrough(), [all.subarray(0, cut), all.subarray(cut)]);
      expect(text, `cut at ${cut}`).toBe('hello wide world');
    }
    const bytes = [...all].map((b) => Buffer.from([b]));
    expect(await collect(new PassThrough(), new PassThrough(), bytes)).toBe('hello wide world');
  });
});

// Against the machine's real engine (CI starts dockerd; the images script builds kubesim/busybox).
const SOCKET = '/var/run/docker.sock';
describe.skipIf(!existsSync(SOCKET))('DockerEngine against the real engine', () => {
  const engine = new DockerEngine(SOCKET);
  const name = `kubesim-engine-test-${process.pid}`;
  afterAll(async () => {
    await engine.removeContainer(name, true).catch(() => undefined);
    engine.close();
  });

  it('gives the engine status codes and messages that callers branch on', async () => {
    const missing = await engine.inspectContainer('kubesim-no-such-container').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DockerEngineError);
    expect((missing as DockerEngineError).statusCode).toBe(404);
    expect((missing as DockerEngineError).message).toContain('kubesim-no-such-container');
    const noImage = await engine.inspectImage('kubesim/no-such-image:v0').catch((e: unknown) => e);
    expect((noImage as DockerEngineError).statusCode).toBe(404);
  });

  it('creates, starts, execs, reads logs, stops and removes a labelled container', async () => {
    const id = await engine.createContainer({
      name,
      Image: 'kubesim/busybox:latest',
      Cmd: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exec sleep 300'],
      Labels: { 'kubesim.io/engine-test': name },
    });
    const again = await engine.createContainer({ name, Image: 'kubesim/busybox:latest' }).catch((e: unknown) => e);
    expect((again as DockerEngineError).statusCode).toBe(409);
    await engine.startContainer(id);
    const info = await engine.inspectContainer(id);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Labels?.['kubesim.io/engine-test']).toBe(name);
    const listed = await engine.listContainers({ all: true, labels: [`kubesim.io/engine-test=${name}`] });
    expect(listed.map((c) => c.Id)).toEqual([id]);

    const execId = await engine.createExec(id, ['sh', '-c', 'echo from-exec; echo oops >&2; exit 3']);
    const text = await readDemuxed(await engine.startExec(execId));
    // stdout and stderr reach the engine through two pipes: their order is not kept.
    expect(text.split('\n').sort()).toEqual(['', 'from-exec', 'oops']);
    expect((await engine.inspectExec(execId)).ExitCode).toBe(3);

    const logText = await readDemuxed(await engine.containerLogs(id, { follow: false, timestamps: false }));
    expect(logText.split('\n').sort()).toEqual(['', 'to-stderr', 'to-stdout']);

    await engine.stopContainer(id, 0);
    expect((await engine.inspectContainer(id)).State.Running).toBe(false);
    const stoppedAgain = await engine.stopContainer(id, 0).catch((e: unknown) => e);
    expect((stoppedAgain as DockerEngineError).statusCode).toBe(304);
    await engine.removeContainer(id, true);
    expect(await engine.listContainers({ all: true, labels: [`kubesim.io/engine-test=${name}`] })).toEqual([]);
  });

  it('fails a pull the engine cannot do with the engine message', async () => {
    await expect(engine.pullImage('kubesim/no-such-image:v0')).rejects.toThrow(/registry|denied|not found|no such host|lookup/i);
  });
});
