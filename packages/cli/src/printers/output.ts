// -o yaml / json / name: objects as the API returns them, lists as kubectl's `kind: List`.
import type { KubeObject, ResourceInfo } from '@kubesim/api';
import { stringify } from 'yaml';
import { objectName } from './names.js';

/** Puts apiVersion and kind first, as the API serves objects, filling them when absent. */
export function withTypeMeta(obj: KubeObject, info?: Pick<ResourceInfo, 'apiVersion' | 'kind'>): KubeObject {
  const { apiVersion, kind, ...rest } = obj as KubeObject & { apiVersion?: string; kind?: string };
  return { apiVersion: apiVersion || info?.apiVersion, kind: kind || info?.kind, ...rest } as KubeObject;
}

export function listOf(items: KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** YAML as kubectl prints it: keys sorted, sequences not indented under their key, YAML 1.1 quoting ("yes", timestamps). */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', sortMapEntries: true, indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + '\n';
}

/** One object alone, several (or a list request) as a List. */
export function formatObjects(format: 'yaml' | 'json', objs: KubeObject[], asList: boolean): string {
  const value = !asList && objs.length === 1 ? objs[0] : listOf(objs);
  return format === 'yaml' ? toYaml(value) : toJson(value);
}

export function formatNames(info: Pick<ResourceInfo, 'apiVersion' | 'singular'>, objs: KubeObject[]): string {
  return objs.map((o) => objectName(info, o.metadata?.name ?? '') + '\n').join('');
}
