// The watch cache, as kube-apiserver's: one etcd watch over all of /registry/ feeds a
// ring of recent changes per resource and fans every change out to the client watches
// of that resource. A watch that starts at a recent revision replays from memory; only
// one older than the ring gets its own etcd watch (which reports compaction as Expired).
import { StatusError, expired, type Namespace, type ResourceInfo } from '@kubesim/api';
import type { Etcd3, IEvent } from 'etcd3';
import type { Logger } from 'pino';
import { EtcdWatch } from '../storage/etcd-watch.js';
import { REGISTRY_PREFIX, resourcePrefix } from '../storage/keys.js';
import type { Store } from '../storage/store.js';
import { ClientWatch, bookmarkObject } from './client-watch.js';
import { decodeEtcdEvent, encodeWatchEvent, type ChangeEvent } from './event.js';
import { Ring } from './ring.js';

interface ResourceState {
  ring: Ring<ChangeEvent>;
  /** The ring holds every change of the resource after this revision. */
  completeAfter: number;
  watchers: Set<ClientWatch>;
}

export interface CachedNamespace {
  obj: Namespace;
  modRevision: number;
}

export interface WatchCacheOptions {
  /** Changes kept per resource (default 1000). */
  capacity: number;
  logger: Logger;
}

export class WatchCache {
  /** The newest revision whose changes have all been dispatched. */
  revision = 0;
  /** Current namespaces, for cheap admission checks (verified by the write's txn). */
  readonly namespaces = new Map<string, CachedNamespace>();
  private readonly resources = new Map<string, ResourceState>();
  /** Watches served by their own etcd watch (started before the ring). */
  private readonly direct = new Set<ClientWatch>();
  private readonly listeners: ((ev: ChangeEvent) => void)[] = [];
  private etcdWatch?: EtcdWatch;
  /** Revision the cache (re)started at: rings are complete after it. */
  private baseRevision = 0;
  private stopped = false;

  constructor(
    private readonly etcd: Etcd3,
    private readonly store: Store,
    private readonly opts: WatchCacheOptions,
  ) {}

  /** Loads the namespaces and starts following etcd from that revision. */
  async start(): Promise<void> {
    const nsInfo = { plural: 'namespaces', namespaced: false } as ResourceInfo;
    const page = await this.store.range(resourcePrefix(nsInfo));
    this.namespaces.clear();
    for (const s of page.items) this.namespaces.set(s.obj.metadata?.name ?? '', { obj: s.obj as Namespace, modRevision: s.modRevision });
    this.baseRevision = page.revision;
    this.revision = page.revision;
    for (const st of this.resources.values()) {
      st.ring.clear();
      st.completeAfter = page.revision;
    }
    this.etcdWatch = new EtcdWatch(
      this.etcd,
      REGISTRY_PREFIX,
      page.revision + 1,
      {
        onEvents: (events) => {
          for (const e of events) {
            const ev = this.decode(e);
            if (ev) this.dispatch(ev);
            this.revision = Math.max(this.revision, Number(e.kv.mod_revision));
          }
        },
        onCompacted: (rev) => void this.restart(rev),
      },
      this.opts.logger,
    );
    this.etcdWatch.start();
  }

  /** Calls `fn` for every change the cache sees (after client watches got it). */
  onChange(fn: (ev: ChangeEvent) => void): void {
    this.listeners.push(fn);
  }

  /** Stops following etcd and ends every watch (with `reason` when given, so clients move on). */
  stop(reason?: StatusError): void {
    this.stopped = true;
    this.etcdWatch?.close();
    const all = [...this.direct];
    for (const st of this.resources.values()) all.push(...st.watchers);
    for (const w of all) {
      if (reason) w.fail(reason);
      else w.close();
    }
  }

  private state(info: ResourceInfo): ResourceState {
    let st = this.resources.get(info.plural);
    if (!st) {
      st = { ring: new Ring(this.opts.capacity), completeAfter: this.baseRevision, watchers: new Set() };
      this.resources.set(info.plural, st);
    }
    return st;
  }

  /** A value that is not an object's JSON (written around the apiserver) is skipped, loudly. */
  private decode(e: IEvent): ChangeEvent | undefined {
    try {
      return decodeEtcdEvent(e);
    } catch (err) {
      this.opts.logger.error({ key: e.kv.key.toString(), revision: e.kv.mod_revision, err: (err as Error).message }, 'undecodable value in etcd; skipping it');
      return undefined;
    }
  }

  /** An event one watch cannot take (it does not encode) ends that watch, not the others. */
  private deliver(w: ClientWatch, ev: ChangeEvent): void {
    try {
      w.deliver(ev);
    } catch (err) {
      this.opts.logger.error({ resource: ev.info.plural, namespace: ev.namespace || undefined, name: ev.name, err: (err as Error).message }, 'cannot send watch event');
      w.fail(new StatusError('InternalError', `cannot encode ${ev.info.plural} "${ev.name}" for the watch: ${(err as Error).message}`));
    }
  }

  private dispatch(ev: ChangeEvent): void {
    const st = this.state(ev.info);
    const evicted = st.ring.push(ev);
    if (evicted) st.completeAfter = evicted.revision;
    if (ev.info.plural === 'namespaces') {
      if (ev.obj) this.namespaces.set(ev.name, { obj: ev.obj as Namespace, modRevision: ev.revision });
      else this.namespaces.delete(ev.name);
    }
    for (const w of st.watchers) this.deliver(w, ev);
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch (err) {
        this.opts.logger.error({ err }, 'watch cache listener failed');
      }
    }
  }

  /**
   * Starts delivering changes after `fromRevision` to `w`: from memory when the ring
   * reaches back that far, else through a dedicated etcd watch.
   */
  attach(w: ClientWatch, fromRevision: number, namespace: string): void {
    if (this.stopped) {
      w.fail(new StatusError('ServiceUnavailable', 'the apiserver is shutting down'));
      return;
    }
    const st = this.state(w.info);
    if (fromRevision >= st.completeAfter) {
      for (const ev of st.ring.from((e) => e.revision > fromRevision)) this.deliver(w, ev);
      st.watchers.add(w);
      w.onClose(() => st.watchers.delete(w));
      return;
    }
    const direct = new EtcdWatch(this.etcd, resourcePrefix(w.info, namespace), fromRevision + 1, {
      onEvents: (events) => {
        for (const e of events) {
          const ev = this.decode(e);
          if (ev) this.deliver(w, ev);
        }
      },
      onCompacted: (compacted) => w.fail(expired(`too old resource version: ${fromRevision} (${compacted})`)),
    }, this.opts.logger);
    this.direct.add(w);
    w.onClose(() => {
      direct.close();
      this.direct.delete(w);
    });
    direct.start();
  }

  /** Sends a BOOKMARK to every watch that asked for them and has nothing queued. */
  sendBookmarks(): void {
    for (const st of this.resources.values()) {
      let shared: { rev: number; bytes: Buffer } | undefined;
      for (const w of st.watchers) {
        if (!w.bookmarks) continue;
        const rev = Math.max(this.revision, w.lastRevision);
        if (!shared || shared.rev !== rev) shared = { rev, bytes: encodeWatchEvent({ type: 'BOOKMARK', object: bookmarkObject(w.info, rev) }) };
        w.bookmark(rev, shared.bytes);
      }
    }
    for (const w of this.direct) w.bookmark(w.lastRevision);
  }

  /** Our own etcd watch fell behind a compaction: everyone relists. */
  private async restart(compacted: number): Promise<void> {
    this.opts.logger.warn({ compacted, revision: this.revision }, 'watch cache fell behind etcd compaction; restarting it');
    for (const st of this.resources.values()) {
      for (const w of [...st.watchers]) w.fail(expired(`too old resource version: ${this.revision} (${compacted})`));
    }
    while (!this.stopped) {
      try {
        await this.start();
        return;
      } catch (err) {
        this.opts.logger.error({ err }, 'watch cache restart failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
