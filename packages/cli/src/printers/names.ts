// How kubectl names a resource type in its output: "pod", "deployment.apps",
// "lease.coordination.k8s.io"; and an object: "deployment.apps/web".
import type { ResourceInfo } from '@kubesim/api';

export function groupOf(info: Pick<ResourceInfo, 'apiVersion'>): string {
  const i = info.apiVersion.indexOf('/');
  return i < 0 ? '' : info.apiVersion.slice(0, i);
}

/** "pod", "deployment.apps" */
export function typeName(info: Pick<ResourceInfo, 'apiVersion' | 'singular'>): string {
  const g = groupOf(info);
  return g ? `${info.singular}.${g}` : info.singular;
}

/** "pods", "deployments.apps": the form in error messages of multi-type operations. */
export function pluralTypeName(info: Pick<ResourceInfo, 'apiVersion' | 'plural'>): string {
  const g = groupOf(info);
  return g ? `${info.plural}.${g}` : info.plural;
}

/** "deployment.apps/web" */
export function objectName(info: Pick<ResourceInfo, 'apiVersion' | 'singular'>, name: string): string {
  return `${typeName(info)}/${name}`;
}
