// kubesim scale / set image / rollout ... / cordon / uncordon / drain.
import { isConflict, isNotFound, type Deployment, type KubeObject, type Node, type Pod, type ReplicaSet } from '@kubesim/api';
import type { Client } from '@kubesim/client';
import { CliError } from '../errors.js';
import { objectName } from '../printers/names.js';
import type { CliContext } from './context.js';
import { parseResourceArgs, resourceName } from './resources.js';
import {
  CHANGE_CAUSE_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  applyImages,
  deploymentRolloutStatus,
  ownedReplicaSets,
  planDrain,
  revisionOf,
  rollbackTarget,
  rolloutHistory,
  sameTemplate,
  templateForDeployment,
} from './rollout-logic.js';

type Scalable = 'deployments' | 'replicasets';

interface Target {
  resource: string;
  name: string;
  namespace: string;
  display: string;
}

/** Resolves `TYPE NAME...` / `TYPE/NAME` arguments to single named objects of the allowed kinds. */
function targets(ctx: CliContext, args: string[], allowed: string[], verb: string): Target[] {
  const out: Target[] = [];
  for (const req of parseResourceArgs(args, { allowAll: false })) {
    const plural = resourceName(req.info);
    if (!allowed.includes(plural)) throw new CliError(`${verb} is not supported for ${req.info.plural}`);
    if (!req.names.length) throw new CliError(`resource(s) were provided, but no name was specified`);
    for (const name of req.names) out.push({ resource: plural, name, namespace: req.info.namespaced ? ctx.namespace : '', display: objectName(req.info, name) });
  }
  if (!out.length) throw new CliError('you must specify the type of resource and its name');
  return out;
}

/** Get, change, update; again on a Conflict (someone wrote in between). */
async function mutate<T extends KubeObject>(client: Client, t: Target, change: (obj: T) => boolean): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const obj = (await client.get(t.resource as Scalable, t.namespace, t.name)) as T;
    if (!change(obj)) return false;
    try {
      await client.update(obj);
      return true;
    } catch (e) {
      if (!isConflict(e) || attempt >= 5) throw e;
    }
  }
}

export async function scale(ctx: CliContext, args: string[], o: { replicas?: string; currentReplicas?: string }): Promise<void> {
  const replicas = Number(o.replicas);
  if (o.replicas === undefined || !Number.isInteger(replicas) || replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const client = await ctx.client();
  for (const t of targets(ctx, args, ['deployments', 'replicasets'], 'scale')) {
    if (o.currentReplicas !== undefined) {
      const cur = (await client.get(t.resource as Scalable, t.namespace, t.name)) as Deployment | ReplicaSet;
      if ((cur.spec?.replicas ?? 1) !== Number(o.currentReplicas)) {
        throw new CliError(`Expected replicas to be ${o.currentReplicas}, was ${cur.spec?.replicas ?? 1}`);
      }
    }
    await client.patch(t.resource as Scalable, t.namespace, t.name, { spec: { replicas } });
    ctx.out(`${t.display} scaled\n`);
  }
}

export async function setImage(ctx: CliContext, args: string[]): Promise<void> {
  const images: Record<string, string> = {};
  const resArgs: string[] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) images[a.slice(0, eq)] = a.slice(eq + 1);
    else resArgs.push(a);
  }
  if (!Object.keys(images).length) throw new CliError('at least one image update is required');
  const client = await ctx.client();
  for (const t of targets(ctx, resArgs, ['deployments', 'replicasets', 'pods'], 'set image')) {
    let unmatched: string[] = [];
    const changed = await mutate<Deployment | ReplicaSet | Pod>(client, t, (obj) => {
      const spec = obj.kind === 'Pod' ? obj.spec : (obj as Deployment | ReplicaSet).spec?.template?.spec;
      const r = applyImages(spec?.containers ?? [], spec?.initContainers ?? [], images);
      unmatched = r.unmatched;
      return r.changed;
    });
    for (const u of unmatched) ctx.err(`error: unable to find container named "${u}"\n`);
    if (unmatched.length) ctx.exitCode = 1;
    if (changed) ctx.out(`${t.display} image updated\n`);
  }
}

function deploymentTargets(ctx: CliContext, args: string[], verb: string): Target[] {
  return targets(ctx, args, ['deployments'], verb);
}

async function replicaSetsOf(client: Client, d: Deployment): Promise<ReplicaSet[]> {
  const all = await client.list('replicasets', { namespace: d.metadata?.namespace });
  return ownedReplicaSets(d, all.items);
}

export async function rolloutStatus(ctx: CliContext, args: string[], o: { watch?: boolean; timeout?: string }): Promise<void> {
  const client = await ctx.client();
  const timeoutMs = parseDuration(o.timeout ?? '0s');
  for (const t of deploymentTargets(ctx, args, 'rollout status')) {
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    let last = '';
    for (;;) {
      const d = await client.get('deployments', t.namespace, t.name);
      const st = deploymentRolloutStatus(d);
      if (st.message !== last) ctx.out(st.message + '\n');
      last = st.message;
      if (st.failed) throw new CliError(st.message);
      if (st.done || o.watch === false) break;
      if (Date.now() > deadline) throw new CliError('timed out waiting for the condition');
      // Polling the object keeps this simple and survives watch expiry; the rollout
      // itself is what takes seconds.
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function rolloutHistoryCmd(ctx: CliContext, args: string[], o: { revision?: string }): Promise<void> {
  const client = await ctx.client();
  for (const t of deploymentTargets(ctx, args, 'rollout history')) {
    const d = await client.get('deployments', t.namespace, t.name);
    const owned = await replicaSetsOf(client, d);
    if (o.revision !== undefined && Number(o.revision) > 0) {
      const rs = owned.find((x) => revisionOf(x) === Number(o.revision));
      if (!rs) throw new CliError(`unable to find the specified revision`);
      const tpl = templateForDeployment(rs);
      ctx.out(`${t.display} with revision #${o.revision}\nPod Template:\n`);
      ctx.out(`  Labels:\t${Object.entries(tpl.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join('\n\t') || '<none>'}\n`);
      ctx.out(`  Containers:\n`);
      for (const c of tpl.spec?.containers ?? []) ctx.out(`   ${c.name}:\n    Image:\t${c.image}\n`);
      continue;
    }
    ctx.out(`${t.display} \nREVISION  CHANGE-CAUSE\n`);
    for (const row of rolloutHistory(owned)) ctx.out(`${String(row.revision).padEnd(10)}${row.changeCause}\n`);
    ctx.out('\n');
  }
}

export async function rolloutUndo(ctx: CliContext, args: string[], o: { toRevision?: string }): Promise<void> {
  const client = await ctx.client();
  const to = Number(o.toRevision ?? 0);
  for (const t of deploymentTargets(ctx, args, 'rollout undo')) {
    const d = await client.get('deployments', t.namespace, t.name);
    if (d.spec?.paused) throw new CliError(`you cannot rollback a paused deployment; resume it first with 'kubesim rollout resume ${t.display}' and try again`);
    let target: ReplicaSet;
    try {
      target = rollbackTarget(await replicaSetsOf(client, d), to);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const tpl = templateForDeployment(target);
    if (sameTemplate(tpl, d.spec?.template)) {
      ctx.out(`${t.display} skipped rollback (current template already matches revision ${revisionOf(target)})\n`);
      continue;
    }
    // As kubectl does: the old template replaces the Deployment's (a merge patch would
    // merge maps into it), with the old change-cause, guarded by the resourceVersion it
    // was read at.
    const cause = target.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION];
    d.spec = { ...d.spec, template: tpl };
    if (cause) d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, [CHANGE_CAUSE_ANNOTATION]: cause } };
    await client.update(d);
    ctx.out(`${t.display} rolled back\n`);
  }
}

export async function rolloutPause(ctx: CliContext, args: string[], paused: boolean): Promise<void> {
  const client = await ctx.client();
  for (const t of deploymentTargets(ctx, args, paused ? 'rollout pause' : 'rollout resume')) {
    const d = await client.get('deployments', t.namespace, t.name);
    if (!!d.spec?.paused === paused) {
      ctx.out(`${t.display} is already ${paused ? 'paused' : 'resumed'}\n`);
      continue;
    }
    await client.patch('deployments', t.namespace, t.name, { spec: { paused } });
    ctx.out(`${t.display} ${paused ? 'paused' : 'resumed'}\n`);
  }
}

export async function rolloutRestart(ctx: CliContext, args: string[]): Promise<void> {
  const client = await ctx.client();
  for (const t of deploymentTargets(ctx, args, 'rollout restart')) {
    const d = await client.get('deployments', t.namespace, t.name);
    if (d.spec?.paused) throw new CliError(`can't restart paused deployment (run rollout resume first)`);
    await client.patch('deployments', t.namespace, t.name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } } } });
    ctx.out(`${t.display} restarted\n`);
  }
}

async function setUnschedulable(ctx: CliContext, client: Client, name: string, value: boolean): Promise<void> {
  const node = (await client.get('nodes', '', name)) as Node;
  if (!!node.spec?.unschedulable === value) {
    ctx.out(`node/${name} already ${value ? 'cordoned' : 'uncordoned'}\n`);
    return;
  }
  await client.patch('nodes', '', name, { spec: { unschedulable: value ? true : null } });
  ctx.out(`node/${name} ${value ? 'cordoned' : 'uncordoned'}\n`);
}

function nodeNames(args: string[]): string[] {
  const names = args.map((a) => a.replace(/^(nodes?|no)\//, ''));
  if (!names.length) throw new CliError('resource(s) were provided, but no name was specified');
  return names;
}

export async function cordon(ctx: CliContext, args: string[], value: boolean): Promise<void> {
  const client = await ctx.client();
  for (const name of nodeNames(args)) await setUnschedulable(ctx, client, name, value);
}

export async function drain(ctx: CliContext, args: string[], o: { force?: boolean; ignoreDaemonsets?: boolean; deleteEmptydirData?: boolean; gracePeriod?: string; timeout?: string }): Promise<void> {
  const client = await ctx.client();
  const timeoutMs = parseDuration(o.timeout ?? '0s');
  for (const name of nodeNames(args)) {
    await setUnschedulable(ctx, client, name, true);
    const pods = (await client.list('pods', { fieldSelector: `spec.nodeName=${name}` })).items;
    const plan = planDrain(pods, { force: !!o.force, ignoreDaemonsets: !!o.ignoreDaemonsets, deleteEmptydirData: !!o.deleteEmptydirData });
    for (const w of plan.warnings) ctx.err(`Warning: ${w}\n`);
    if (plan.errors.length) {
      throw new CliError(`unable to drain node "${name}" due to error: ${plan.errors.join(', ')}, continuing command...\nThere are pending nodes to be drained:\n ${name}`);
    }
    const grace = o.gracePeriod !== undefined && Number(o.gracePeriod) >= 0 ? Number(o.gracePeriod) : undefined;
    // No PodDisruptionBudgets here, so an eviction is a graceful delete.
    for (const p of plan.evict) {
      ctx.out(`evicting pod ${p.metadata?.namespace}/${p.metadata?.name}\n`);
      try {
        await client.delete('pods', p.metadata?.namespace ?? '', p.metadata?.name ?? '', grace === undefined ? {} : { gracePeriodSeconds: grace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    // Nothing is left behind: wait until every evicted pod is really gone (its node agent
    // stopped its containers and confirmed), not merely marked for deletion.
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    const left = new Map(plan.evict.map((p) => [p.metadata?.uid ?? '', p]));
    while (left.size) {
      for (const [uid, p] of left) {
        try {
          const cur = await client.get('pods', p.metadata?.namespace ?? '', p.metadata?.name ?? '');
          if (cur.metadata?.uid !== uid) throw Object.assign(new Error('replaced'), { replaced: true });
        } catch (e) {
          if (isNotFound(e) || (e as { replaced?: boolean }).replaced) {
            ctx.out(`pod/${p.metadata?.name} evicted\n`);
            left.delete(uid);
          } else throw e;
        }
      }
      if (!left.size) break;
      if (Date.now() > deadline) throw new CliError(`drain did not complete within ${o.timeout}: ${left.size} pod(s) still terminating`);
      await new Promise((r) => setTimeout(r, 250));
    }
    ctx.out(`node/${name} drained\n`);
  }
}

/** kubectl durations: "30s", "5m", "1h", "90" (seconds), "0" (none). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`invalid duration "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}
