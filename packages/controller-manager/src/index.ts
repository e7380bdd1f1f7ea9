// (stub: the controller-manager engineer replaces this)
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

export interface RunningControllerManager {
  stop(): Promise<void>;
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<RunningControllerManager> {
  void opts;
  throw new Error('not implemented');
}
