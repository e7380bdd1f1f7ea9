// Parsing the resource arguments of get/describe/delete/label: "pods", "po,svc",
// "pods a b", "pod/a deploy/b", "all".
import { RESOURCES, resolveResource, type ResourceInfo, type ResourceName } from '@kubesim/api';
import { CliError } from '../errors.js';

export interface ResourceRequest {
  info: ResourceInfo;
  /** Empty: every object (of the namespace, selector...). */
  names: string[];
}

/** `get all` in kubectl's order. */
const ALL = ['pods', 'services', 'deployments', 'replicasets'];

export function resourceInfo(name: string): ResourceInfo {
  const info = resolveResource(name);
  if (!info || info.virtual) throw new CliError(`the server doesn't have a resource type "${name}"`);
  return info;
}

export function resourceName(info: ResourceInfo): ResourceName {
  return info.plural as ResourceName;
}

/** Servable resources, without virtual ones, for listing and api-resources. */
export function servedResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => !r.virtual);
}

export function parseResourceArgs(args: string[], opts: { allowAll?: boolean } = {}): ResourceRequest[] {
  if (!args.length) throw new CliError('You must specify the type of resource. Use "kubesim api-resources" for a complete list of supported resources.');
  if (args.some((a) => a.includes('/'))) {
    const bad = args.find((a) => !a.includes('/'));
    if (bad !== undefined) {
      throw new CliError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubesim get resource/<resource_name>' instead of 'kubesim get resource resource/<resource_name>'`);
    }
    const out: ResourceRequest[] = [];
    for (const a of args) {
      const i = a.indexOf('/');
      const type = a.slice(0, i);
      const name = a.slice(i + 1);
      if (!type || !name) throw new CliError(`arguments in resource/name form must have a single resource and name`);
      const info = resourceInfo(type);
      const prev = out.find((r) => r.info === info);
      if (prev) prev.names.push(name);
      else out.push({ info, names: [name] });
    }
    return out;
  }
  const [types, ...names] = args;
  const infos: ResourceInfo[] = [];
  for (const t of types.split(',').filter(Boolean)) {
    const expanded = t === 'all' && opts.allowAll !== false ? ALL : [t];
    for (const x of expanded) {
      const info = resourceInfo(x);
      if (!infos.includes(info)) infos.push(info);
    }
  }
  if (!infos.length) throw new CliError('You must specify the type of resource.');
  return infos.map((info) => ({ info, names: [...names] }));
}
