// (stub: the scheduler engineer replaces this)
import type { Logger } from 'pino';

export interface SchedulerOptions {
  /** apiserver endpoints (host:port), failed over in order */
  servers: string[];
  /** pods whose spec.schedulerName is this are ours (default "default-scheduler") */
  schedulerName?: string;
  leaderElect?: boolean;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  identity?: string;
  logger?: Logger;
}

export interface RunningScheduler {
  stop(): Promise<void>;
}

export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  void opts;
  throw new Error('not implemented');
}
