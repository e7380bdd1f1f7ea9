// What a controller is to the manager: a name, the informers it reads, and a reconcile
// function over string keys. The manager owns the queue and the workers; a controller's
// event handlers only enqueue keys into the queue it was given.
import type { Client, Clock, EventRecorder, InformerFactory, Logger, WorkQueue } from '@kubesim/client';
import type { ControllerManagerOptions } from '../options.js';

/** What reconcile asks of the queue after a success. */
export interface ReconcileResult {
  /** Look at the key again after this long (e.g. when minReadySeconds will have passed). */
  requeueAfterMs?: number;
}

/** The writes (and the rare live read) a controller makes; narrowed so tests can fake it. */
export type ControllerClient = Pick<Client, 'get' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete'>;

export interface Controller {
  readonly name: string;
  /** Workers start only once all of these have synced. */
  readonly informers: ReadonlyArray<{ waitForSync(signal?: AbortSignal): Promise<boolean> }>;
  /** Brings the object behind `key` to its desired state. Throwing retries it with backoff. */
  reconcile(key: string): Promise<ReconcileResult | void>;
}

export interface ControllerContext {
  client: ControllerClient;
  informers: InformerFactory;
  recorder: EventRecorder;
  queue: WorkQueue<string>;
  logger: Logger;
  clock: Clock;
  /** The manager's options: per-controller settings (--cluster-cidr, ...) are read from here. */
  options: ControllerManagerOptions;
}

export interface ControllerDescriptor {
  /** As in kube-controller-manager's --controllers ("replicaset", "deployment", ...). */
  name: string;
  /** The component Events are reported from ("replicaset-controller"). */
  component: string;
  create(ctx: ControllerContext): Controller;
}
