// The rollout arithmetic of the Deployment controller, as pure functions of
// (deployment, new ReplicaSet, old ReplicaSets): how far maxSurge/maxUnavailable allow
// the new ReplicaSet to grow and the old ones to shrink in one step.
import type { Deployment, IntOrString, ReplicaSet } from '@kubesim/api';

/** An int, or a percentage of `total` rounded up or down. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(v)}`);
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge and maxUnavailable as pod counts for `replicas`: surge rounds up, unavailable
 * rounds down; if both come to 0, unavailable is 1 so that a rollout can progress.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, replicas: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const replicasOf = (d: Deployment): number => d.spec?.replicas ?? 1;
const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;
/**
 * Available pods that will stay: right after a scale-down the ReplicaSet's status still
 * counts the pods its controller is deleting (status is computed before the deletions are
 * seen), and counting them would let the next step take away pods that are really
 * needed. Pods above spec.replicas are going, so they never count.
 */
const available = (rs: ReplicaSet): number => Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicasOf(d)).surge;
}

/** maxUnavailable as a count, never more than replicas (0 for Recreate). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicasOf(d));
  return Math.min(unavailable, replicasOf(d));
}

/** Sum of spec.replicas. */
export function totalReplicas(rss: ReplicaSet[]): number {
  return rss.reduce((n, rs) => n + specReplicas(rs), 0);
}

/** The size the new ReplicaSet may have now (Kubernetes' NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const want = replicasOf(d);
  const current = totalReplicas(allRSs);
  const cap = want + maxSurge(d);
  if (current >= cap) return specReplicas(newRS);
  const scaleUp = Math.min(cap - current, want - specReplicas(newRS));
  return specReplicas(newRS) + Math.max(0, scaleUp);
}

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** One step of a rolling update: the ReplicaSets to resize now (name -> replicas). */
export interface RolloutStep {
  scale: Map<string, number>;
}

/**
 * The next step of a rolling update. First the new ReplicaSet: grown within maxSurge (or
 * cut to the desired count); if it changes, that is the whole step (its pods must show
 * up before old ones go). Otherwise old ReplicaSets shrink, oldest first, only as far as
 * keeps replicas - maxUnavailable pods available: unhealthy (unavailable) old pods go
 * first, then available ones.
 */
export function rollingUpdateStep(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): RolloutStep {
  const scale = new Map<string, number>();
  const want = replicasOf(d);
  const all = newRS ? [newRS, ...oldRSs] : [...oldRSs];
  if (newRS) {
    const cur = specReplicas(newRS);
    const target = cur > want ? want : cur === want ? cur : newRSNewReplicas(d, all, newRS);
    if (target !== cur) {
      scale.set(newRS.metadata!.name!, target);
      return { scale };
    }
  }
  const oldCount = totalReplicas(oldRSs);
  if (oldCount === 0) return { scale };
  const minAvailable = want - maxUnavailable(d);
  const newUnavailable = newRS ? specReplicas(newRS) - available(newRS) : 0;
  const maxScaledDown = totalReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { scale };

  // Unhealthy old pods first: they do not count toward availability anyway.
  const sizes = new Map(oldRSs.map((rs) => [rs.metadata!.name!, specReplicas(rs)]));
  const olds = [...oldRSs].sort(byCreation);
  let cleaned = 0;
  for (const rs of olds) {
    if (cleaned >= maxScaledDown) break;
    const name = rs.metadata!.name!;
    const cur = sizes.get(name)!;
    if (cur === 0 || cur <= available(rs)) continue;
    const down = Math.min(maxScaledDown - cleaned, cur - available(rs));
    sizes.set(name, cur - down);
    cleaned += down;
  }
  // Then available old pods, as far as the available count allows (and never past
  // maxScaledDown, which is the same bound computed from the specs alone).
  const availableNow = all.reduce((n, rs) => n + available(rs), 0);
  if (availableNow > minAvailable) {
    const budget = Math.min(availableNow - minAvailable, maxScaledDown - cleaned);
    let done = 0;
    for (const rs of olds) {
      if (done >= budget) break;
      const name = rs.metadata!.name!;
      const cur = sizes.get(name)!;
      if (cur === 0) continue;
      const down = Math.min(cur, budget - done);
      sizes.set(name, cur - down);
      done += down;
    }
  }
  for (const rs of oldRSs) {
    const name = rs.metadata!.name!;
    if (sizes.get(name) !== specReplicas(rs)) scale.set(name, sizes.get(name)!);
  }
  return { scale };
}
