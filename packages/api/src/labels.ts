// Label selectors: parsing the string form, and matching. (stub: to be implemented)
import type { LabelSelector } from './gen/types.js';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals';
export interface LabelRequirement { key: string; operator: SelectorOperator; values: string[]; }
/** A parsed selector: all requirements must hold. Empty matches everything. */
export type Selector = LabelRequirement[];

/** Parses `a=b,c!=d,e in (x,y),!f,g` (throws StatusError BadRequest naming the problem). */
export function parseLabelSelector(text: string): Selector { void text; throw new Error('not implemented'); }
/** The selector of a LabelSelector spec (matchLabels + matchExpressions). */
export function selectorFromSpec(spec: LabelSelector | undefined): Selector { void spec; throw new Error('not implemented'); }
export function matchesSelector(selector: Selector, labels: Record<string, string> | undefined): boolean { void selector; void labels; throw new Error('not implemented'); }
/** Canonical string form (kubectl's), e.g. for printing. */
export function selectorToString(selector: Selector): string { void selector; throw new Error('not implemented'); }
