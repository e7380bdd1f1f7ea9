// An in-memory ListerWatcher for unit tests of reflectors, informers and controllers:
// it keeps a history of events with resourceVersions, so a watch resumes after any
// revision as the apiserver does, answers "Expired" for compacted revisions, and lets a
// test break watches and fail lists on purpose.
import { expired, objectKey, StatusError, type KubeObject } from '@kubesim/api';
import type { TypedWatchEvent, Watch } from '../client.js';
import type { ListerWatcher, ListResult } from './listerwatcher.js';

type EventType = TypedWatchEvent<KubeObject>['type'];

/** A watch fed by hand: push events, end it normally or with an error. */
export class FakeWatch<T> implements Watch<T> {
  readonly endpoint = 'fake';
  private readonly buf: TypedWatchEvent<T>[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private error: unknown;

  constructor(readonly resourceVersion: string) {}

  get isEnded(): boolean {
    return this.ended;
  }

  push(ev: TypedWatchEvent<T>): void {
    if (this.ended) return;
    this.buf.push(ev);
    this.wake?.();
  }

  /** Ends the stream; with an error, the iterator throws it after buffered events. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.wake?.();
  }

  cancel(): void {
    this.buf.length = 0;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TypedWatchEvent<T>> {
    for (;;) {
      const ev = this.buf.shift();
      if (ev) {
        yield ev;
        continue;
      }
      if (this.ended) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

export class FakeListerWatcher<T extends KubeObject = KubeObject> implements ListerWatcher<T> {
  readonly description = 'fake objects';
  private rv = 0;
  private compactedRV = 0;
  private readonly objects = new Map<string, T>();
  private readonly history: Array<{ rv: number; type: EventType; object: T }> = [];
  private readonly listFailures: unknown[] = [];
  private readonly watchFailures: unknown[] = [];
  /** Every watch opened, in order. */
  readonly watches: FakeWatch<T>[] = [];
  /** resourceVersions passed to watch(), in order. */
  readonly watchedFrom: string[] = [];
  listCalls = 0;

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Creates an object (ADDED); returns the stored copy with its resourceVersion. */
  add(obj: T): T {
    return this.write('ADDED', obj);
  }

  modify(obj: T): T {
    if (!this.objects.has(objectKey(obj))) throw new Error(`${objectKey(obj)} does not exist`);
    return this.write('MODIFIED', obj);
  }

  remove(obj: T): T {
    const key = objectKey(obj);
    const cur = this.objects.get(key);
    if (!cur) throw new Error(`${key} does not exist`);
    return this.write('DELETED', cur);
  }

  /** Sends a bookmark at the current revision to open watches. */
  bookmark(): void {
    this.rv++;
    const object = { metadata: { resourceVersion: String(this.rv) } } as T;
    for (const w of this.openWatches()) w.push({ type: 'BOOKMARK', object });
  }

  /** Forgets history up to now: watches from older revisions get "Expired". */
  compact(): void {
    this.compactedRV = this.rv;
    this.history.length = 0;
  }

  /** The next n lists fail with this error. */
  failLists(n: number, error: unknown = new StatusError('ServiceUnavailable', 'the apiserver is unavailable: connect ECONNREFUSED')): void {
    for (let i = 0; i < n; i++) this.listFailures.push(error);
  }

  /** The next n watches fail at once with this error. */
  failWatches(n: number, error: unknown = new StatusError('ServiceUnavailable', 'the apiserver is unavailable: connect ECONNREFUSED')): void {
    for (let i = 0; i < n; i++) this.watchFailures.push(error);
  }

  /** Ends every open watch (normally, or with an error). */
  breakWatches(error?: unknown): void {
    for (const w of this.openWatches()) w.end(error);
  }

  openWatches(): FakeWatch<T>[] {
    return this.watches.filter((w) => !w.isEnded);
  }

  async list(): Promise<ListResult<T>> {
    this.listCalls++;
    await Promise.resolve();
    const failure = this.listFailures.shift();
    if (failure !== undefined) throw failure;
    return { items: [...this.objects.values()].map((o) => structuredClone(o)), resourceVersion: String(this.rv) };
  }

  watch(resourceVersion: string): Watch<T> {
    this.watchedFrom.push(resourceVersion);
    const w = new FakeWatch<T>(resourceVersion);
    this.watches.push(w);
    const failure = this.watchFailures.shift();
    const from = Number(resourceVersion || '0');
    if (failure !== undefined) w.end(failure);
    else if (from < this.compactedRV) w.end(expired(`too old resource version: ${from} (${this.compactedRV})`));
    else for (const h of this.history) if (h.rv > from) w.push({ type: h.type, object: structuredClone(h.object) });
    return w;
  }

  private write(type: EventType, obj: T): T {
    const key = objectKey(obj);
    this.rv++;
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } }) as T;
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, stored);
    this.history.push({ rv: this.rv, type, object: stored });
    for (const w of this.openWatches()) w.push({ type, object: structuredClone(stored) });
    return stored;
  }
}
