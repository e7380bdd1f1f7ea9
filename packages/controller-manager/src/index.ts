// kubesim's kube-controller-manager: `kubesim controller-manager` runs startControllerManager.
import type { Logger } from 'pino';
import { ControllerManager } from './manager.js';

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
  const manager = new ControllerManager(opts);
  manager.start();
  return { stop: () => manager.stop() };
}

export { ControllerManager, LEASE_NAME, LEASE_NAMESPACE, type ManagerOptions } from './manager.js';
export { CONTROLLERS } from './controllers.js';
export { selectControllers } from './selection.js';
export type { Controller, ControllerClient, ControllerContext, ControllerDescriptor, ReconcileResult } from './runtime/controller.js';
export { Expectations } from './runtime/expectations.js';
