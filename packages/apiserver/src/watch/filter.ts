// Which watch event a change becomes for one watcher, with Kubernetes' selector
// transition rules: an object that starts matching arrives as ADDED, one that stops
// matching leaves as DELETED, so a filtered watch always mirrors the filtered list.
import { matchesFieldSelector, matchesSelector, type FieldSelector, type KubeObject, type Selector } from '@kubesim/api';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export type Predicate = (obj: KubeObject) => boolean;

/** `obj` is undefined for a deletion; `prev` is the state before the change, if any. */
export function transition(matches: Predicate, obj: KubeObject | undefined, prev: KubeObject | undefined): WatchType | undefined {
  const now = obj !== undefined && matches(obj);
  const before = prev !== undefined && matches(prev);
  if (now) return before ? 'MODIFIED' : 'ADDED';
  return before ? 'DELETED' : undefined;
}

export interface WatchFilter {
  namespace: string;
  labels: Selector;
  fields: FieldSelector;
}

/** The predicate of a list/watch request; cheap checks first. */
export function makePredicate(f: WatchFilter): Predicate {
  const { namespace, labels, fields } = f;
  return (obj) => {
    if (namespace && obj.metadata?.namespace !== namespace) return false;
    if (labels.length && !matchesSelector(labels, obj.metadata?.labels)) return false;
    if (fields.length && !matchesFieldSelector(fields, obj)) return false;
    return true;
  };
}
