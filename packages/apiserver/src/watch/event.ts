// One change of one object, decoded once from etcd and shared by every watcher it
// goes to; each wire form (ADDED/MODIFIED/DELETED) is encoded at most once.
import { resourceService, type KubeObject, type ResourceInfo, type WatchEvent } from '@kubesim/api';
import type { IEvent } from 'etcd3';
import { parseKey } from '../storage/keys.js';
import { decodeKv } from '../storage/store.js';
import type { WatchType } from './filter.js';

/** Encodes a watch event once, for writing the same bytes to many streams. */
export function encodeWatchEvent(ev: WatchEvent): Buffer {
  return resourceService.Watch.responseSerialize(ev);
}

export class ChangeEvent {
  private readonly encoded: Partial<Record<WatchType, Buffer>> = {};

  constructor(
    readonly revision: number,
    readonly info: ResourceInfo,
    readonly namespace: string,
    readonly name: string,
    /** The new state; undefined when the object was deleted. */
    readonly obj: KubeObject | undefined,
    /** The state before, when there was one. */
    readonly prev: KubeObject | undefined,
  ) {}

  /** What a DELETED event carries: the last state, at the revision of this change. */
  deletedObject(): KubeObject {
    const last = this.prev ?? ({ apiVersion: this.info.apiVersion, kind: this.info.kind, metadata: { name: this.name, namespace: this.namespace || undefined } } as KubeObject);
    return { ...last, metadata: { ...last.metadata, resourceVersion: String(this.revision) } } as KubeObject;
  }

  encode(type: WatchType): Buffer {
    let b = this.encoded[type];
    if (!b) {
      const object = type === 'DELETED' ? this.deletedObject() : (this.obj as KubeObject);
      b = encodeWatchEvent({ type, object });
      this.encoded[type] = b;
    }
    return b;
  }
}

/** Decodes one etcd event under /registry/; undefined for keys that are not API objects. */
export function decodeEtcdEvent(ev: IEvent): ChangeEvent | undefined {
  const parsed = parseKey(ev.kv.key.toString());
  if (!parsed) return undefined;
  const revision = Number(ev.kv.mod_revision);
  const prev = ev.prev_kv ? decodeKv(ev.prev_kv).obj : undefined;
  const obj = ev.type === 'Delete' ? undefined : decodeKv(ev.kv).obj;
  return new ChangeEvent(revision, parsed.info, parsed.namespace, parsed.name, obj, prev);
}
