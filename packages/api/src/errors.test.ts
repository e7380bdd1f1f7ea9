import { describe, expect, it } from 'vitest';
import { alreadyExists, conflict, invalid, notFound } from './errors.js';
import { groupOf, resourceForKind } from './resources.js';

describe('status messages name the resource as Kubernetes does', () => {
  it('core resources stand alone; others carry their group', () => {
    expect(notFound('pods', 'x').message).toBe('pods "x" not found');
    expect(notFound('deployments', 'web', 'apps').message).toBe('deployments.apps "web" not found');
    expect(alreadyExists('ingresses', 'i', 'networking.k8s.io').message).toBe('ingresses.networking.k8s.io "i" already exists');
    expect(conflict('replicasets', 'r', undefined, 'apps').message).toBe(
      'Operation cannot be fulfilled on replicasets.apps "r": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('invalid: the kind with its group in the message, kind and group apart in the details', () => {
    const e = invalid('Deployment', 'web', [{ type: 'Invalid value', field: 'spec.replicas', value: -1, detail: 'must be greater than or equal to 0' }], 'apps');
    expect(e.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(e.details).toMatchObject({ kind: 'Deployment', group: 'apps', name: 'web' });
    expect(invalid('Pod', 'p', [{ type: 'Required value', field: 'spec.containers' }]).details?.group).toBeUndefined();
  });

  it('groupOf reads the group from apiVersion', () => {
    expect(groupOf(resourceForKind('Pod'))).toBe('');
    expect(groupOf(resourceForKind('Deployment'))).toBe('apps');
    expect(groupOf(resourceForKind('Lease'))).toBe('coordination.k8s.io');
  });
});
