// Validation of every kind, with Kubernetes' rules and messages. (stub: to be implemented)
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../gen/types.js';
/** All field errors of `obj` (a create when `old` is absent, else an update of `old`). */
export function validateObject(obj: KubeObject, old?: KubeObject): FieldError[] { void obj; void old; throw new Error('not implemented'); }
