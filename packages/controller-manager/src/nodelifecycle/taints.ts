// The taints the node lifecycle controller owns, from the node's Ready condition:
// Ready False -> node.kubernetes.io/not-ready, Ready Unknown -> node.kubernetes.io/unreachable,
// each with NoSchedule (the scheduler keeps new pods away) and NoExecute (taint-based
// eviction moves running pods away). Every other taint on the node is left as it is.
import { nowTimestamp, type Taint } from '@kubesim/api';
import type { ReadyStatus } from './health.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const OWNED_KEYS = [TAINT_NOT_READY, TAINT_UNREACHABLE];
const EFFECTS = ['NoSchedule', 'NoExecute'] as const;

export function isControllerTaint(t: Taint): boolean {
  return OWNED_KEYS.includes(t.key ?? '') && (EFFECTS as readonly string[]).includes(t.effect ?? '');
}

/** The controller's taints (key:effect) a node with this Ready status should carry. */
export function wantedTaints(ready: ReadyStatus | undefined): Array<{ key: string; effect: string }> {
  const key = ready === 'False' ? TAINT_NOT_READY : ready === 'Unknown' ? TAINT_UNREACHABLE : undefined;
  return key ? EFFECTS.map((effect) => ({ key, effect })) : [];
}

/**
 * The node's new taint list, or undefined when it already matches: the controller's taints
 * that no longer apply go, missing ones come with timeAdded = now (taint-based eviction
 * counts tolerationSeconds from it), kept ones keep their timeAdded.
 */
export function reconcileTaints(current: readonly Taint[] | undefined, ready: ReadyStatus | undefined, now: Date): Taint[] | undefined {
  const have = current ?? [];
  const want = wantedTaints(ready);
  const isWanted = (t: Taint) => want.some((w) => w.key === t.key && w.effect === t.effect);
  const kept = have.filter((t) => !isControllerTaint(t) || isWanted(t));
  const added = want.filter((w) => !have.some((t) => t.key === w.key && t.effect === w.effect)).map((w) => ({ key: w.key, effect: w.effect, timeAdded: nowTimestamp(now) }));
  if (!added.length && kept.length === have.length) return undefined;
  return [...kept, ...added];
}
