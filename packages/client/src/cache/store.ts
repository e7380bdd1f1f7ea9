// The informer cache: objects by key, plus named secondary indexes (by namespace, by
// node, by label...) so that controllers find "the pods of this node" without a scan.
//
// Objects handed out are the cached instances themselves, shared by every reader of the
// informer: callers must not mutate them. Take a `deepCopy` (from @kubesim/api or the
// one re-exported here) before changing an object to send it back to the apiserver.
import { objectKey, type KubeObject } from '@kubesim/api';

export { deepCopy } from '@kubesim/api';

/** Returns the index values an object is filed under (none: not in that index). */
export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;
export type KeyFunc<T> = (obj: T) => string;

/** The index name the built-in namespace index is registered under. */
export const NAMESPACE_INDEX = 'namespace';
/** The index name of `byNodeName` (pods by spec.nodeName). */
export const NODE_NAME_INDEX = 'nodeName';
/** The index name of `byLabels` (values "key=value"). */
export const LABELS_INDEX = 'labels';

/** Files an object under its namespace ("" for cluster-scoped objects). */
export const byNamespace: IndexFunc<KubeObject> = (obj) => [obj.metadata?.namespace ?? ''];

/** Files an object under spec.nodeName when it has one (bound pods). */
export const byNodeName: IndexFunc<KubeObject> = (obj) => {
  const node = ((obj as { spec?: { nodeName?: unknown } }).spec)?.nodeName;
  return typeof node === 'string' && node ? [node] : [];
};

/** Files an object under "key=value" for each of its labels. Look up with `labelIndexValue`. */
export const byLabels: IndexFunc<KubeObject> = (obj) => Object.entries(obj.metadata?.labels ?? {}).map(([k, v]) => labelIndexValue(k, v));

export function labelIndexValue(key: string, value: string): string {
  return `${key}=${value}`;
}

/** An index on one label key: objects are filed under that label's value. */
export function byLabel(key: string): IndexFunc<KubeObject> {
  return (obj) => {
    const v = obj.metadata?.labels?.[key];
    return v === undefined ? [] : [v];
  };
}

/** The write side of a cache, as a Reflector feeds it. */
export interface StoreSink<T> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
  /** Sets the whole content at once (after a list). */
  replace(items: T[], resourceVersion: string): void;
}

export class Indexer<T extends KubeObject = KubeObject> implements StoreSink<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  // index name -> index value -> keys
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private rv = '';

  constructor(
    indexers: Indexers<T> = {},
    readonly keyFunc: KeyFunc<T> = objectKey,
  ) {
    this.addIndexers(indexers);
  }

  /** Adds indexes; existing content is indexed at once. Re-registering a name is an error. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer "${name}" already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) fileUnder(index, fn(obj), key);
    }
  }

  /** The resourceVersion of the last replace (the list the content came from). */
  get resourceVersion(): string {
    return this.rv;
  }

  get size(): number {
    return this.items.size;
  }

  add(obj: T): void {
    this.put(this.keyFunc(obj), obj);
  }

  update(obj: T): void {
    this.put(this.keyFunc(obj), obj);
  }

  delete(obj: T): void {
    this.deleteKey(this.keyFunc(obj));
  }

  deleteKey(key: string): void {
    const old = this.items.get(key);
    if (old === undefined) return;
    this.unindex(key, old);
    this.items.delete(key);
  }

  replace(items: T[], resourceVersion: string): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const obj of items) this.put(this.keyFunc(obj), obj);
    this.rv = resourceVersion;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** The cached object with the same key as `obj`. */
  getFor(obj: T): T | undefined {
    return this.items.get(this.keyFunc(obj));
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** Objects filed under `value` in index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** Every value that some object is filed under in the index. */
  listIndexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  /** Objects of one namespace (needs the namespace index; scans otherwise). */
  listNamespace(namespace: string): T[] {
    if (this.indices.has(NAMESPACE_INDEX)) return this.byIndex(NAMESPACE_INDEX, namespace);
    return this.list().filter((o) => (o.metadata?.namespace ?? '') === namespace);
  }

  private put(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) fileUnder(this.indices.get(name)!, fn(obj), key);
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        if (!keys) continue;
        keys.delete(key);
        // Drop empty sets so listIndexValues does not grow without bound.
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

function fileUnder(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let keys = index.get(v);
    if (!keys) index.set(v, (keys = new Set()));
    keys.add(key);
  }
}
