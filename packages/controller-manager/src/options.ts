// What `kubesim controller-manager` configures (flags in packages/cli/src/flags.ts).
import type { Logger } from 'pino';

export interface ControllerManagerOptions {
  servers: string[];
  /** which controllers to run ("*" = all, "-name" disables one), as --controllers */
  controllers?: string[];
  leaderElect?: boolean;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  identity?: string;
  /** workers per controller (--concurrent-*-syncs) */
  concurrentSyncs?: number;
  /** give every Node a pod CIDR from clusterCIDR (--allocate-node-cidrs) */
  allocateNodeCIDRs?: boolean;
  /** the pods' address range (--cluster-cidr, e.g. 10.244.0.0/16) */
  clusterCIDR?: string;
  /** prefix length of each node's pod CIDR (--node-cidr-mask-size, default 24) */
  nodeCIDRMaskSize?: number;
  /** how often each node's health is checked (--node-monitor-period, default 5) */
  nodeMonitorPeriodSeconds?: number;
  /** silence after which a node goes Unknown (--node-monitor-grace-period, default 50) */
  nodeMonitorGracePeriodSeconds?: number;
  /** the same for a node that never posted Ready (--node-startup-grace-period, default 60) */
  nodeStartupGracePeriodSeconds?: number;
  /** finished pods kept before the oldest are deleted (--terminated-pod-gc-threshold, default 12500; 0 = never) */
  terminatedPodGCThreshold?: number;
  /** how often pod GC runs (default 20, as Kubernetes' gcCheckPeriod) */
  podGCPeriodSeconds?: number;
  /** how long a pod's node must stay missing before pod GC deletes the pod (default 40, Kubernetes' quarantine) */
  podGCOrphanQuarantineSeconds?: number;
  logger?: Logger;
}
