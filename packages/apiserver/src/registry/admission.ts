// Admission steps shared by every write: defaults, validation, and the size limit that
// keeps objects inside what etcd accepts in one request.
import { StatusError, applyDefaultsInPlace, groupOf, invalid, validateObject, type FieldError, type KubeObject, type ResourceInfo } from '@kubesim/api';

/** Throws RequestEntityTooLarge when the stored form of `obj` exceeds `limit` bytes. */
export function checkSize(info: ResourceInfo, obj: KubeObject, value: Buffer, limit: number): void {
  if (value.length > limit) {
    const name = obj.metadata?.name ?? '';
    throw new StatusError('RequestEntityTooLarge', `${info.plural} "${name}" is too large: ${value.length} bytes, the limit is ${limit} bytes`, { name, kind: info.plural });
  }
}

/** Defaults `obj` in place (callers pass an object they own: a decoded request or a fresh copy). */
export function withDefaults<T extends KubeObject>(obj: T): T {
  return applyDefaultsInPlace(obj);
}

/** Throws Invalid with every field error of the write (plus `extra` found elsewhere). */
export function validate(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, extra: FieldError[] = []): void {
  const errors = [...extra, ...validateObject(obj, old)];
  if (errors.length) throw invalid(info.kind, obj.metadata?.name ?? '', errors, groupOf(info));
}
