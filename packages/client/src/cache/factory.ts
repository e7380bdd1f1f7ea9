// Shares one informer per (resource, namespace, selectors) among all controllers of a
// process, so that ten controllers watching pods cost one watch and one cache.
import type { KubeObject, ResourceKinds, ResourceName } from '@kubesim/api';
import { Client } from '../client.js';
import type { Logger } from '../log.js';
import type { BackoffOptions } from '../util/backoff.js';
import type { Clock } from '../util/clock.js';
import { SharedIndexInformer } from './informer.js';
import { describeScope, listerWatcherFor, type ListerWatcher, type ListWatchScope } from './listerwatcher.js';
import { byNamespace, byNodeName, NAMESPACE_INDEX, NODE_NAME_INDEX, type Indexers } from './store.js';

/** Makes the ListerWatcher of a resource; a Client does it through `listerWatcherFor`. */
export type ListerWatcherSource = (resource: ResourceName, scope: ListWatchScope) => ListerWatcher<KubeObject>;

export interface InformerFactoryOptions {
  /** Restricts every informer to one namespace unless informerFor says otherwise. */
  namespace?: string;
  resyncPeriodMs?: number;
  logger?: Logger;
  clock?: Clock;
  backoff?: BackoffOptions;
}

export class InformerFactory {
  private readonly source: ListerWatcherSource;
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private started = false;

  constructor(
    source: Client | ListerWatcherSource,
    private readonly opts: InformerFactoryOptions = {},
  ) {
    this.source = source instanceof Client ? (resource, scope) => listerWatcherFor(source, resource, scope) as ListerWatcher<KubeObject> : source;
  }

  /**
   * The shared informer of a resource. Every informer has the namespace index; pod
   * informers also index by node name. Informers asked for after start() start at once.
   */
  informerFor<R extends ResourceName>(resource: R, scope: ListWatchScope = {}): SharedIndexInformer<ResourceKinds[R]> {
    const full: ListWatchScope = {
      namespace: scope.namespace ?? this.opts.namespace ?? '',
      labelSelector: scope.labelSelector ?? '',
      fieldSelector: scope.fieldSelector ?? '',
    };
    const key = [resource, full.namespace, full.labelSelector, full.fieldSelector].join('|');
    let informer = this.informers.get(key);
    if (!informer) {
      const indexers: Indexers<KubeObject> = { [NAMESPACE_INDEX]: byNamespace };
      if (resource === 'pods') indexers[NODE_NAME_INDEX] = byNodeName;
      informer = new SharedIndexInformer<KubeObject>(this.source(resource, full), {
        name: describeScope(resource, full),
        indexers,
        resyncPeriodMs: this.opts.resyncPeriodMs,
        logger: this.opts.logger,
        clock: this.opts.clock,
        backoff: this.opts.backoff,
      });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as SharedIndexInformer<ResourceKinds[R]>;
  }

  /** Starts every informer asked for so far (and later ones as they are asked for). */
  start(): void {
    this.started = true;
    for (const i of this.informers.values()) i.start();
  }

  /** True when every informer asked for so far has synced; false if the signal aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
