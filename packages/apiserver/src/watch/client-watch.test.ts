import { describe, expect, it } from 'vitest';
import { resourceForKind, resourceService, type ConfigMap, type StatusError, type WatchEvent } from '@kubesim/api';
import { ClientWatch, type WatchSink } from './client-watch.js';
import { ChangeEvent } from './event.js';

const info = resourceForKind('ConfigMap');

class FakeSink implements WatchSink {
  written: WatchEvent[] = [];
  capacity = Infinity;
  failed?: StatusError;
  private drain?: () => void;
  write(bytes: Buffer): boolean {
    this.written.push(resourceService.Watch.responseDeserialize(bytes));
    return this.written.length < this.capacity;
  }
  onDrain(fn: () => void): void {
    this.drain = fn;
  }
  fail(err: StatusError): void {
    this.failed = err;
  }
  /** The client read everything: room for `more` writes. */
  release(more: number): void {
    this.capacity = this.written.length + more;
    const d = this.drain;
    this.drain = undefined;
    d?.();
  }
}

const cm = (name: string, rv: number, labels: Record<string, string> = {}): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'a', resourceVersion: String(rv), labels } });
const change = (rev: number, obj?: ConfigMap, prev?: ConfigMap) => new ChangeEvent(rev, info, 'a', (obj ?? prev)!.metadata!.name!, obj, prev);

function watch(sink: FakeSink, opts: Partial<ConstructorParameters<typeof ClientWatch>[1]> = {}) {
  return new ClientWatch(sink, { info, predicate: () => true, fromRevision: 10, bookmarks: false, maxQueue: 100, ...opts });
}

describe('ClientWatch', () => {
  it('delivers changes after its start revision, DELETED with the last state at the deletion revision', () => {
    const sink = new FakeSink();
    const w = watch(sink);
    w.deliver(change(9, cm('old', 9)));
    w.deliver(change(11, cm('x', 11)));
    w.deliver(change(12, undefined, cm('x', 11)));
    expect(sink.written.map((e) => `${e.type} ${e.object?.metadata?.name} ${e.object?.metadata?.resourceVersion}`)).toEqual(['ADDED x 11', 'DELETED x 12']);
  });

  it('waits for drain and keeps order', () => {
    const sink = new FakeSink();
    sink.capacity = 1;
    const w = watch(sink);
    for (let i = 11; i < 16; i++) w.deliver(change(i, cm(`o${i}`, i)));
    expect(sink.written.length).toBe(1);
    expect(w.queued).toBe(4);
    sink.release(2);
    expect(sink.written.length).toBe(3);
    sink.release(100);
    expect(sink.written.map((e) => e.object?.metadata?.name)).toEqual(['o11', 'o12', 'o13', 'o14', 'o15']);
    expect(w.queued).toBe(0);
  });

  it('cuts off a client that falls too far behind, with Expired', () => {
    const sink = new FakeSink();
    sink.capacity = 0;
    const w = watch(sink, { maxQueue: 3 });
    let closed = false;
    w.onClose(() => (closed = true));
    for (let i = 11; i < 20; i++) w.deliver(change(i, cm(`o${i}`, i)));
    expect(sink.failed?.reason).toBe('Expired');
    expect(closed).toBe(true);
    expect(w.isClosed).toBe(true);
  });

  it('sends bookmarks only when asked and idle, never behind what it sent', () => {
    const sink = new FakeSink();
    const quiet = watch(sink);
    quiet.bookmark(50);
    expect(sink.written).toEqual([]);
    const w = watch(sink, { bookmarks: true });
    w.deliver(change(20, cm('x', 20)));
    w.bookmark(15);
    expect(sink.written.at(-1)).toEqual({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '20' } } });
    sink.capacity = 0;
    w.deliver(change(21, cm('y', 21))); // the transport takes it, then reports full
    w.deliver(change(22, cm('z', 22))); // queued
    const before = sink.written.length;
    w.bookmark(30); // a backlog: no bookmark
    sink.release(100);
    expect(sink.written.slice(before).map((e) => `${e.type} ${e.object?.metadata?.name}`)).toEqual(['ADDED z']);
  });

  it('applies the predicate with transitions', () => {
    const sink = new FakeSink();
    const w = watch(sink, { predicate: (o) => o.metadata?.labels?.app === 'web' });
    w.deliver(change(11, cm('x', 11, { app: 'db' })));
    w.deliver(change(12, cm('x', 12, { app: 'web' }), cm('x', 11, { app: 'db' })));
    w.deliver(change(13, cm('x', 13, { app: 'db' }), cm('x', 12, { app: 'web' })));
    expect(sink.written.map((e) => `${e.type} ${e.object?.metadata?.resourceVersion}`)).toEqual(['ADDED 12', 'DELETED 13']);
  });
});
