// The shape of a local cluster's control plane: how many etcd members, apiservers,
// schedulers and controller-managers `kubesim up` runs (`--ha` = 3/2/2/2), and the leader
// election timings the elected components get under each timing profile. Pure.
import type { ProcessRecord } from './state.js';

export interface ControlPlaneSize {
  etcdMembers: number;
  apiservers: number;
  schedulers: number;
  controllerManagers: number;
}

export const SINGLE: ControlPlaneSize = { etcdMembers: 1, apiservers: 1, schedulers: 1, controllerManagers: 1 };
/** `--ha`: a quorum of three etcd members (one may fail), two of each other component. */
export const HA: ControlPlaneSize = { etcdMembers: 3, apiservers: 2, schedulers: 2, controllerManagers: 2 };

/** The counts asked for: --ha (or not) as the base, each finer flag overriding its count. */
export function controlPlaneSize(opts: { ha?: boolean } & Partial<Record<keyof ControlPlaneSize, string | number | undefined>>): ControlPlaneSize {
  const base = opts.ha ? HA : SINGLE;
  const count = (key: keyof ControlPlaneSize, flag: string): number => {
    const v = opts[key];
    if (v === undefined) return base[key];
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`invalid value "${v}" for ${flag}: must be an integer from 1 to 9`);
    return n;
  };
  const size = {
    etcdMembers: count('etcdMembers', '--etcd-members'),
    apiservers: count('apiservers', '--apiservers'),
    schedulers: count('schedulers', '--schedulers'),
    controllerManagers: count('controllerManagers', '--controller-managers'),
  };
  // An even number of members tolerates no more failures than one fewer (quorum is a majority).
  if (size.etcdMembers === 2) throw new Error('invalid value "2" for --etcd-members: two members survive no failure (a quorum is 2 of 2); use 1 or 3');
  return size;
}

/** The size of a cluster that ran before (its state), for a resumed `up`. */
export function sizeOfProcesses(processes: ProcessRecord[]): ControlPlaneSize {
  const n = (c: string) => processes.filter((p) => p.component === c && p.args[0] !== 'node').length;
  return {
    etcdMembers: Math.max(1, n('etcd')),
    apiservers: Math.max(1, n('apiserver')),
    schedulers: Math.max(1, n('scheduler')),
    controllerManagers: Math.max(1, n('controller-manager')),
  };
}

export function isHA(size: ControlPlaneSize): boolean {
  return size.etcdMembers > 1 || size.apiservers > 1 || size.schedulers > 1 || size.controllerManagers > 1;
}

/** The log file name of the i-th (from 0) of n processes of a component: "scheduler.log" alone, "scheduler-2.log" among several. */
export function logName(component: string, i: number, n: number): string {
  return n > 1 ? `${component}-${i + 1}.log` : `${component}.log`;
}
