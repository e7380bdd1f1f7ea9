import { describe, expect, it } from 'vitest';
import type { Pod, Toleration } from '@kubesim/api';
import { addDefaultTolerations, TAINT_NOT_READY, TAINT_UNREACHABLE } from './default-tolerations.js';

const pod = (tolerations?: Toleration[]): Pod => ({ kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }], ...(tolerations ? { tolerations } : {}) } });
const NR = { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UR = { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

describe('DefaultTolerationSeconds admission', () => {
  it('adds both with 300 s by default', () => {
    const p = pod();
    addDefaultTolerations(p);
    expect(p.spec!.tolerations).toEqual([NR, UR]);
  });

  it('takes the seconds from the flags', () => {
    const p = pod();
    addDefaultTolerations(p, { notReadySeconds: 2, unreachableSeconds: 3 });
    expect(p.spec!.tolerations).toEqual([{ ...NR, tolerationSeconds: 2 }, { ...UR, tolerationSeconds: 3 }]);
  });

  it('appends after the pod own tolerations', () => {
    const own = { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' };
    const p = pod([own]);
    addDefaultTolerations(p);
    expect(p.spec!.tolerations).toEqual([own, NR, UR]);
  });

  it('keeps a pod own toleration of one of them and adds only the other', () => {
    const mine = { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 };
    const p = pod([mine]);
    addDefaultTolerations(p);
    expect(p.spec!.tolerations).toEqual([mine, NR]);
  });

  it('a toleration with no effect, or with no key, covers them', () => {
    const noEffect = pod([{ key: TAINT_NOT_READY, operator: 'Exists' }]);
    addDefaultTolerations(noEffect);
    expect(noEffect.spec!.tolerations).toEqual([{ key: TAINT_NOT_READY, operator: 'Exists' }, UR]);
    const all = pod([{ operator: 'Exists' }]);
    addDefaultTolerations(all);
    expect(all.spec!.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('a NoSchedule toleration of the key does not count', () => {
    const p = pod([{ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoSchedule' }]);
    addDefaultTolerations(p);
    expect(p.spec!.tolerations).toHaveLength(3);
  });
});
