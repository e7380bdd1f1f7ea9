// The namespaces every cluster has. Created with a create-if-absent transaction, so
// several apiservers starting together never clash.
import { randomUUID } from 'node:crypto';
import { nowTimestamp, resourceForKind, type Namespace } from '@kubesim/api';
import type { Logger } from 'pino';
import { prepareForCreate } from './registry/meta.js';
import { objectKey } from './storage/keys.js';
import { cmp, encodeValue, op, type Store } from './storage/store.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function ensureSystemNamespaces(store: Store, log: Logger): Promise<void> {
  const info = resourceForKind('Namespace');
  for (const name of SYSTEM_NAMESPACES) {
    const key = objectKey(info, '', name);
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } };
    prepareForCreate(ns, info, nowTimestamp(), randomUUID());
    const res = await store.txn([cmp.absent(key)], [op.put(key, encodeValue(ns))]);
    if (res.succeeded) log.info({ verb: 'create', resource: 'namespaces', name }, `created namespace ${name}`);
  }
}
