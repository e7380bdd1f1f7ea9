// Defaulting, as Kubernetes' SetDefaults_* functions. (stub: to be implemented)
import type { KubeObject } from './gen/types.js';
/** Returns a copy of `obj` with every default filled in. */
export function applyDefaults<T extends KubeObject>(obj: T): T { void obj; throw new Error('not implemented'); }
