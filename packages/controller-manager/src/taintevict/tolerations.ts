// Toleration matching as core/v1's ToleratesTaint: an empty effect matches every effect,
// an empty key (with Exists) every key; Equal (or no operator) compares values.
// (The scheduler has the same rule in its own package; packages do not share src/.)
import type { Taint, Toleration } from '@kubesim/api';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== (taint.key ?? '')) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}
