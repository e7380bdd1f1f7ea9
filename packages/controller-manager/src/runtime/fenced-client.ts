// A client that refuses writes once a signal aborts or the leader's renew deadline has
// passed: a controller-manager that lost its lease must stop writing at once, even from a
// reconcile that was already running. The deadline is checked against the clock at each
// write, since a process resumed from SIGSTOP may run queued work before the elector's
// timers fire and abort the signal.
import { StatusError } from '@kubesim/api';
import type { ControllerClient } from './controller.js';

export function fencedClient(client: ControllerClient, signal: AbortSignal, isLeader: () => boolean = () => true): ControllerClient {
  const check = () => {
    if (signal.aborted) throw new StatusError('ServiceUnavailable', 'the controller is stopping (leadership lost)');
    if (!isLeader()) throw new StatusError('ServiceUnavailable', 'the controller-manager is not the leader (renew deadline passed)');
  };
  return {
    get: (resource, namespace, name) => client.get(resource, namespace, name),
    create: (obj, opts) => (check(), client.create(obj, opts)),
    update: (obj, opts) => (check(), client.update(obj, opts)),
    updateStatus: (obj) => (check(), client.updateStatus(obj)),
    patch: (resource, namespace, name, patch, opts) => (check(), client.patch(resource, namespace, name, patch, opts)),
    delete: (resource, namespace, name, opts) => (check(), client.delete(resource, namespace, name, opts)),
  };
}
