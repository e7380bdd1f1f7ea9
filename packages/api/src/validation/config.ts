// ConfigMaps and Secrets: key rules, size limits, immutability, typed secrets.
import type { ConfigMap, Secret } from '../gen/types.js';
import { isConfigMapKey } from '../names.js';
import { forbidden, invalid, invalidEach, key, required, semanticEqual, tooLong, utf8Length, type FieldError } from './field.js';

/** The most a ConfigMap's or Secret's data may hold (1 MiB): etcd values must stay small. */
export const MAX_CONFIG_DATA_SIZE = 1024 * 1024;

const IMMUTABLE = 'field is immutable when `immutable` is set';

/** Bytes a base64 string decodes to. */
export function base64DecodedLength(b64: string): number {
  const s = b64.replace(/\s/g, '');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((s.length * 3) / 4) - pad);
}

export function validateConfigMap(cm: ConfigMap, old?: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    errs.push(...invalidEach(key('data', k), k, isConfigMapKey(k)));
    size += utf8Length(v);
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...invalidEach(key('binaryData', k), k, isConfigMapKey(k)));
    if (cm.data && k in cm.data) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    size += base64DecodedLength(v);
  }
  if (size > MAX_CONFIG_DATA_SIZE) errs.push(tooLong('data', MAX_CONFIG_DATA_SIZE));
  if (old?.immutable) {
    if (!cm.immutable) errs.push(forbidden('immutable', IMMUTABLE));
    if (!semanticEqual(cm.data, old.data)) errs.push(forbidden('data', IMMUTABLE));
    if (!semanticEqual(cm.binaryData, old.binaryData)) errs.push(forbidden('binaryData', IMMUTABLE));
  }
  return errs;
}

/** Keys each well-known secret type must carry. */
const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(s: Secret, old?: Secret): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(s.data ?? {})) {
    errs.push(...invalidEach(key('data', k), k, isConfigMapKey(k)));
    size += base64DecodedLength(v);
  }
  for (const [k, v] of Object.entries(s.stringData ?? {})) {
    errs.push(...invalidEach(key('stringData', k), k, isConfigMapKey(k)));
    // stringData replaces the same key of data when the apiserver merges them.
    if (!(s.data && k in s.data)) size += utf8Length(v);
  }
  if (size > MAX_CONFIG_DATA_SIZE) errs.push(tooLong('data', MAX_CONFIG_DATA_SIZE));

  const type = s.type ?? '';
  const present = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
  for (const k of REQUIRED_SECRET_KEYS[type] ?? []) if (!present.has(k)) errs.push(required(key('data', k)));
  if (type === 'kubernetes.io/basic-auth' && !present.has('username') && !present.has('password')) {
    errs.push(required(key('data', 'username')), required(key('data', 'password')));
  }
  if (type === 'kubernetes.io/service-account-token' && !s.metadata?.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name')));
  }

  if (old) {
    if ((old.type || 'Opaque') !== (s.type || 'Opaque')) errs.push(invalid('type', s.type ?? '', 'field is immutable'));
    if (old.immutable) {
      if (!s.immutable) errs.push(forbidden('immutable', IMMUTABLE));
      if (!semanticEqual(s.data, old.data) || Object.keys(s.stringData ?? {}).length) errs.push(forbidden('data', IMMUTABLE));
    }
  }
  return errs;
}
