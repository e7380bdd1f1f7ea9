// A pod's QoS class from its containers' requests and limits, as Kubernetes computes
// it (only cpu and memory count).
import { parseQuantity, type Pod } from '@kubesim/api';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'];

export function qosClass(pod: Pod): QOSClass {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of COMPUTE) {
      const q = req[r];
      const l = lim[r];
      const reqSet = q !== undefined && parseQuantity(q) !== 0n;
      const limSet = l !== undefined && parseQuantity(l) !== 0n;
      if (reqSet || limSet) anySet = true;
      // Guaranteed needs both limits in every container, with requests (if given) equal.
      if (!limSet) guaranteed = false;
      else if (reqSet && parseQuantity(q) !== parseQuantity(l)) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
