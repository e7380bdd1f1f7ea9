// Small helpers over object metadata used by every component.
import type { KubeObject, ObjectMeta, OwnerReference } from './gen/types.js';

/** The cache key of an object: "namespace/name", or "name" for cluster-scoped kinds. */
export function objectKey(obj: { metadata?: ObjectMeta }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Splits a cache key back into namespace and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The owner reference with controller=true, if any. */
export function controllerOf(obj: { metadata?: ObjectMeta }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

/** A deep copy, for handing cached objects to code that may change them. */
export function deepCopy<T>(obj: T): T {
  return structuredClone(obj);
}

// Every write stamps a time, and it changes once a second: the last one is kept.
let lastSecond = NaN;
let lastStamp = '';

/** Kubernetes' timestamp form: RFC 3339 in UTC with seconds ("2026-11-23T10:00:00Z"). */
export function nowTimestamp(d?: Date): string {
  const ms = d ? d.getTime() : Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastStamp;
}

/** MicroTime, as Lease renewTime uses: RFC 3339 with microseconds. */
export function nowMicroTimestamp(d: Date = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

export type { KubeObject };
