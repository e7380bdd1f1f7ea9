// kubesim's kube-controller-manager: `kubesim controller-manager` runs startControllerManager.
import { ControllerManager } from './manager.js';

export type { ControllerManagerOptions } from './options.js';
import type { ControllerManagerOptions } from './options.js';


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
