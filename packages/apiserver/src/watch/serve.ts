// Starting a client's watch: parse the request, send the initial state when asked
// (resourceVersion "" or "0"), then hand the watch to the cache from that revision.
import { badRequest, parseFieldSelector, parseLabelSelector, type WatchRequest } from '@kubesim/api';
import type { Registry } from '../registry/registry.js';
import { resourcePrefix } from '../storage/keys.js';
import type { Store } from '../storage/store.js';
import type { WatchCache } from './cache.js';
import { ClientWatch, type WatchSink } from './client-watch.js';
import { encodeWatchEvent } from './event.js';
import { makePredicate } from './filter.js';

export interface WatchDeps {
  registry: Registry;
  store: Store;
  cache: WatchCache;
  /** Live events a client may have queued before it counts as too slow. */
  maxQueue: number;
}

export async function startWatch(req: WatchRequest, sink: WatchSink, deps: WatchDeps): Promise<ClientWatch> {
  const info = deps.registry.resource(req.resource);
  const namespace = info.namespaced ? req.namespace ?? '' : '';
  const predicate = makePredicate({
    namespace,
    labels: req.labelSelector ? parseLabelSelector(req.labelSelector) : [],
    fields: req.fieldSelector ? parseFieldSelector(req.fieldSelector, info.kind) : [],
  });
  const rv = req.resourceVersion ?? '';
  const bookmarks = !!req.allowWatchBookmarks;
  if (rv === '' || rv === '0') {
    // A consistent snapshot from etcd, then every change after it.
    const page = await deps.store.range(resourcePrefix(info, namespace));
    const initial = page.items.filter((s) => predicate(s.obj));
    const w = new ClientWatch(sink, { info, predicate, fromRevision: page.revision, bookmarks, maxQueue: deps.maxQueue + initial.length });
    for (const s of initial) w.send(encodeWatchEvent({ type: 'ADDED', object: s.obj }));
    deps.cache.attach(w, page.revision, namespace);
    return w;
  }
  if (!/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a revision number`);
  const from = Number(rv);
  const w = new ClientWatch(sink, { info, predicate, fromRevision: from, bookmarks, maxQueue: deps.maxQueue });
  deps.cache.attach(w, from, namespace);
  return w;
}
