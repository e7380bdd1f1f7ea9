// What a Reflector needs from the API: a consistent list and a watch resuming after it.
import type { KubeObject, ResourceKinds, ResourceName } from '@kubesim/api';
import type { Client, Watch } from '../client.js';

export interface ListResult<T> {
  items: T[];
  /** The store revision the list was read at; the watch resumes after it. */
  resourceVersion: string;
}

export interface ListerWatcher<T extends KubeObject = KubeObject> {
  list(): Promise<ListResult<T>>;
  /** Events after `resourceVersion`, with bookmarks. Errors surface from the iterator. */
  watch(resourceVersion: string): Watch<T>;
  /** Shown in logs ("pods", "pods in kube-system with app=web"). */
  readonly description?: string;
}

export interface ListWatchScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export function describeScope(resource: string, scope: ListWatchScope): string {
  const parts = [resource];
  if (scope.namespace) parts.push(`in ${scope.namespace}`);
  if (scope.labelSelector) parts.push(`with labels ${scope.labelSelector}`);
  if (scope.fieldSelector) parts.push(`with fields ${scope.fieldSelector}`);
  return parts.join(' ');
}

/** A ListerWatcher over the typed client for one resource (in one namespace, with selectors). */
export function listerWatcherFor<R extends ResourceName>(client: Client, resource: R, scope: ListWatchScope = {}): ListerWatcher<ResourceKinds[R]> {
  const opts = {
    ...(scope.namespace ? { namespace: scope.namespace } : {}),
    ...(scope.labelSelector ? { labelSelector: scope.labelSelector } : {}),
    ...(scope.fieldSelector ? { fieldSelector: scope.fieldSelector } : {}),
  };
  return {
    description: describeScope(resource, scope),
    async list() {
      const res = await client.list(resource, opts);
      return { items: res.items, resourceVersion: res.resourceVersion };
    },
    watch(resourceVersion) {
      return client.watch(resource, { ...opts, resourceVersion, allowWatchBookmarks: true });
    },
  };
}
