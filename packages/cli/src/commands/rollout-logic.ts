// Pure parts of scale / set image / rollout / drain: what to print while waiting for a
// rollout, which ReplicaSet a revision is, what a rollback writes, which pods a drain may
// evict. Kept free of I/O so they are tested without a cluster.
import type { Container, Deployment, Pod, PodTemplateSpec, ReplicaSet } from '@kubesim/api';
import { controllerOf } from '@kubesim/api';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
const TEMPLATE_HASH_LABEL = 'pod-template-hash';

export interface RolloutState {
  done: boolean;
  message: string;
  /** The rollout can no longer finish on its own (its progress deadline passed). */
  failed?: boolean;
}

/** kubectl rollout status's verdict for a Deployment, as its messages read. */
export function deploymentRolloutStatus(d: Deployment): RolloutState {
  const name = d.metadata?.name ?? '';
  const st = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (st.observedGeneration ?? 0)) {
    return { done: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = st.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const want = d.spec?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  const total = st.replicas ?? 0;
  const available = st.availableReplicas ?? 0;
  if (updated < want) {
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  }
  if (total > updated) {
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  }
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

export function revisionOf(rs: ReplicaSet): number {
  const v = Number(rs.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(v) && v > 0 ? v : 0;
}

/** The ReplicaSets a Deployment controls (by controller reference uid). */
export function ownedReplicaSets(d: Deployment, all: ReplicaSet[]): ReplicaSet[] {
  const uid = d.metadata?.uid;
  return all.filter((rs) => uid !== undefined && controllerOf(rs)?.uid === uid);
}

export interface HistoryRow {
  revision: number;
  changeCause: string;
}

export function rolloutHistory(owned: ReplicaSet[]): HistoryRow[] {
  return owned
    .map((rs) => ({ revision: revisionOf(rs), changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '<none>' }))
    .filter((r) => r.revision > 0)
    .sort((a, b) => a.revision - b.revision);
}

/**
 * The ReplicaSet to roll back to: revision `to`, or (0) the one before the current
 * (highest) revision. Throws kubectl's messages when there is none.
 */
export function rollbackTarget(owned: ReplicaSet[], to: number): ReplicaSet {
  const byRev = owned.filter((rs) => revisionOf(rs) > 0).sort((a, b) => revisionOf(b) - revisionOf(a));
  if (to > 0) {
    const rs = byRev.find((x) => revisionOf(x) === to);
    if (!rs) throw new Error(`unable to find specified revision ${to} in history`);
    return rs;
  }
  if (byRev.length < 2) throw new Error('no rollout history found for deployment');
  return byRev[1];
}

/** A ReplicaSet's pod template as a Deployment would carry it (without the hash label). */
export function templateForDeployment(rs: ReplicaSet): PodTemplateSpec {
  const t = structuredClone(rs.spec?.template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[TEMPLATE_HASH_LABEL];
  }
  return t;
}

/** Whether two templates are the same for rollout purposes (ignoring the hash label). */
export function sameTemplate(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[TEMPLATE_HASH_LABEL];
    return JSON.stringify(sortKeys(c));
  };
  return strip(a) === strip(b);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * Applies `name=image` pairs to containers (and init containers); `*` means all.
 * Returns the names that matched nothing, so the caller can report them as kubectl does.
 */
export function applyImages(containers: Container[], initContainers: Container[], images: Record<string, string>): { changed: boolean; unmatched: string[] } {
  let changed = false;
  const unmatched: string[] = [];
  for (const [name, image] of Object.entries(images)) {
    let hit = false;
    for (const c of [...containers, ...initContainers]) {
      if (name === '*' || c.name === name) {
        hit = true;
        if (c.image !== image) {
          c.image = image;
          changed = true;
        }
      }
    }
    if (!hit) unmatched.push(name);
  }
  return { changed, unmatched };
}

export interface DrainOptions {
  force: boolean;
  ignoreDaemonsets: boolean;
  deleteEmptydirData: boolean;
}

export interface DrainPlan {
  evict: Pod[];
  /** Pods that block the drain, with kubectl's reasons. */
  errors: string[];
  warnings: string[];
}

/** Which pods of a node a drain evicts, and what stops it (kubectl drain's filters). */
export function planDrain(pods: Pod[], o: DrainOptions): DrainPlan {
  const plan: DrainPlan = { evict: [], errors: [], warnings: [] };
  const unreplicated: string[] = [];
  const daemonSet: string[] = [];
  const localStorage: string[] = [];
  for (const p of pods) {
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    // Finished pods are removed without ceremony.
    const finished = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    const owner = controllerOf(p);
    if (owner?.kind === 'DaemonSet' && !finished) {
      daemonSet.push(key);
      if (o.ignoreDaemonsets) continue;
    }
    if (!owner && !finished) unreplicated.push(key);
    if (!finished && p.spec?.volumes?.some((v) => v.emptyDir)) localStorage.push(key);
    plan.evict.push(p);
  }
  if (daemonSet.length && !o.ignoreDaemonsets) plan.errors.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemonSet.join(', ')}`);
  else if (daemonSet.length) plan.warnings.push(`ignoring DaemonSet-managed Pods: ${daemonSet.join(', ')}`);
  if (unreplicated.length && !o.force) {
    plan.errors.push(`cannot delete Pods that declare no controller (use --force to override): ${unreplicated.join(', ')}`);
  } else if (unreplicated.length) plan.warnings.push(`deleting Pods that declare no controller: ${unreplicated.join(', ')}`);
  if (localStorage.length && !o.deleteEmptydirData) {
    plan.errors.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localStorage.join(', ')}`);
  }
  return plan;
}
