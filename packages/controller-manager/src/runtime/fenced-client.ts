// A client that refuses writes once a signal aborts: a controller-manager that lost its
// lease must stop writing at once, even from a reconcile that was already running.
import { StatusError } from '@kubesim/api';
import type { ControllerClient } from './controller.js';

export function fencedClient(client: ControllerClient, signal: AbortSignal): ControllerClient {
  const check = () => {
    if (signal.aborted) throw new StatusError('ServiceUnavailable', 'the controller is stopping (leadership lost)');
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
