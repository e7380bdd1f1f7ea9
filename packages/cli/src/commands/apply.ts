// kubesim apply -f: create what is absent, patch what changed, say "unchanged" otherwise.
import { isNotFound, type KubeObject } from '@kubesim/api';
import { computeApplyPatch, LAST_APPLIED, withLastApplied } from '../apply.js';
import { withSource } from '../errors.js';
import { decodeManifests, placeInNamespace, readManifestSources, type Manifest } from '../manifests.js';
import { objectName } from '../printers/names.js';
import type { CliContext } from './context.js';
import { resourceName } from './resources.js';

export interface FileOptions {
  filename: string[];
  recursive?: boolean;
}

/** Reads, parses and checks every manifest before anything is sent. */
export async function loadManifests(ctx: CliContext, o: FileOptions): Promise<Manifest[]> {
  const sources = await readManifestSources(o.filename, { recursive: o.recursive });
  return decodeManifests(sources).map((m) => placeInNamespace(m, ctx.namespace, ctx.explicitNamespace));
}

export async function apply(ctx: CliContext, o: FileOptions): Promise<void> {
  const manifests = await loadManifests(ctx, o);
  const client = await ctx.client();
  for (const m of manifests) {
    const res = resourceName(m.info);
    const ns = m.info.namespaced ? (m.obj.metadata?.namespace ?? '') : '';
    const name = m.obj.metadata?.name ?? '';
    const label = objectName(m.info, name);
    let live: KubeObject | undefined;
    try {
      live = await client.get(res, ns, name);
    } catch (err) {
      if (!isNotFound(err)) {
        ctx.fail(withSource(err, 'retrieving current configuration of:\nResource: "' + res + '", Name: "' + name + '", Namespace: "' + ns + '"\nfrom server for', m.source));
        continue;
      }
    }
    try {
      if (!live) {
        await client.create(withLastApplied(m.obj));
        ctx.out(`${label} created\n`);
        continue;
      }
      if (!live.metadata?.annotations?.[LAST_APPLIED]) {
        ctx.err(
          `Warning: resource ${res}/${name} is missing the ${LAST_APPLIED} annotation which is required by kubesim apply. kubesim apply should only be used on resources created declaratively by either kubesim create --save-config or kubesim apply. The missing annotation will be patched automatically.\n`,
        );
      }
      const patch = computeApplyPatch(m.obj, live);
      if (!patch) {
        ctx.out(`${label} unchanged\n`);
        continue;
      }
      await client.patch(res, ns, name, patch);
      ctx.out(`${label} configured\n`);
    } catch (err) {
      ctx.fail(withSource(err, live ? 'applying patch' : 'creating', m.source));
    }
  }
}
