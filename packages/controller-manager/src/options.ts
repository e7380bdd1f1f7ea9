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
  logger?: Logger;
}
