// Empties Terminating namespaces: deletes everything in them (pods gracefully, so their
// node agents stop them first) and removes the namespace once nothing is left. In
// Kubernetes the namespace controller does this; here the apiserver does it in the
// background. Every step is an ordinary guarded write, so several apiservers may run it
// at once and a restarted one just picks up where the last left off.
import { RESOURCES, isNotFound, resourceForKind, type KubeObject, type Namespace } from '@kubesim/api';
import type { Logger } from 'pino';
import type { Registry } from './registry/registry.js';
import { objectKey, resourcePrefix } from './storage/keys.js';
import { cmp, encodeValue, op, type Store } from './storage/store.js';
import type { WatchCache } from './watch/cache.js';

const NAMESPACE_INFO = resourceForKind('Namespace');
const CONTENT = RESOURCES.filter((r) => r.namespaced && !r.virtual);

export class NamespaceFinalizer {
  private readonly queue = new Set<string>();
  private running = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly cache: WatchCache,
    private readonly log: Logger,
    /** How often Terminating namespaces are looked at again (pods may take a while). */
    private readonly resyncMs = 2000,
  ) {}

  start(): void {
    this.cache.onChange((ev) => {
      if (ev.info.kind === 'Namespace' && ev.obj?.metadata?.deletionTimestamp) this.enqueue(ev.name);
      // The last object of a Terminating namespace going away is the moment to remove it.
      else if (!ev.obj && ev.namespace && this.cache.namespaces.get(ev.namespace)?.obj.metadata?.deletionTimestamp) this.enqueue(ev.namespace);
    });
    this.resync();
    this.timer = setInterval(() => this.resync(), this.resyncMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private resync(): void {
    for (const [name, ns] of this.cache.namespaces) if (ns.obj.metadata?.deletionTimestamp) this.enqueue(name);
  }

  private enqueue(name: string): void {
    this.queue.add(name);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped && this.queue.size) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          await this.finalize(name);
        } catch (err) {
          this.log.warn({ namespace: name, err: (err as Error).message }, 'namespace cleanup failed; will retry');
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async finalize(name: string): Promise<void> {
    const key = objectKey(NAMESPACE_INFO, '', name);
    const { stored } = await this.store.get(key);
    if (!stored?.obj.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const info of CONTENT) {
      const page = await this.store.range(resourcePrefix(info, name));
      for (const s of page.items) {
        const objName = s.obj.metadata?.name ?? '';
        if (s.obj.metadata?.deletionTimestamp) {
          remaining++;
          continue;
        }
        try {
          const res = await this.registry.delete({ resource: info.plural, namespace: name, name: objName });
          if (!res.removed) remaining++;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (remaining) {
      this.log.debug({ namespace: name, remaining }, 'namespace still has content');
      return;
    }
    const ns = stored.obj as Namespace;
    if ((ns.metadata?.finalizers ?? []).length) {
      // Others still hold it: drop only our finalizer.
      if (!(ns.spec?.finalizers ?? []).length) return;
      const next: KubeObject = { ...ns, spec: { ...ns.spec, finalizers: [] } } as Namespace;
      await this.store.txn([cmp.modRevision(key, stored.modRevision)], [op.put(key, encodeValue(next))]);
      return;
    }
    const res = await this.store.txn([cmp.modRevision(key, stored.modRevision)], [op.del(key)]);
    if (res.succeeded) this.log.info({ verb: 'delete', resource: 'namespaces', name, reason: 'namespace emptied' }, `namespace ${name} removed`);
  }
}
