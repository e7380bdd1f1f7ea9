// RFC 7386 JSON merge patch. (stub: to be implemented)
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** Applies a merge patch; returns a new value, never mutating its inputs. */
export function applyMergePatch(target: unknown, patch: unknown): unknown { void target; void patch; throw new Error('not implemented'); }
/** The merge patch that turns `original` into `modified`. */
export function createMergePatch(original: unknown, modified: unknown): unknown { void original; void modified; throw new Error('not implemented'); }
