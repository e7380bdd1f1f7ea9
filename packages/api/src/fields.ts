// Field selectors over the fields Kubernetes supports per kind. (stub: to be implemented)
import type { KubeObject } from './gen/types.js';

export interface FieldRequirement { field: string; operator: '=' | '!='; value: string; }
export type FieldSelector = FieldRequirement[];

/** Parses `spec.nodeName=node-1,status.phase!=Running`, checking each field is supported for the kind. */
export function parseFieldSelector(text: string, kind: string): FieldSelector { void text; void kind; throw new Error('not implemented'); }
export function matchesFieldSelector(selector: FieldSelector, obj: KubeObject): boolean { void selector; void obj; throw new Error('not implemented'); }
