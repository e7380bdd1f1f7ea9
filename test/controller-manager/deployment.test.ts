// The Deployment controller and the garbage collector against a real apiserver, with the
// controller-manager as its own process. No kubelet runs: where readiness matters, the
// test plays the node agent's part and marks pods Running+Ready through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Pod, ReplicaSet } from '@kubesim/api';
import type { Client } from '@kubesim/client';
import { activePods, eventually, listPods, markReady, startControlPlane, type ControlPlane } from './harness.js';

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
  cp.startControllerManager();
});

afterAll(async () => {
  await cp?.stop();
});

function deployment(name: string, replicas: number, extra: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      ...extra,
    },
  };
}

async function replicaSetsOf(client: Client, app: string): Promise<ReplicaSet[]> {
  return (await client.list('replicasets', { namespace: 'default', labelSelector: `app=${app}` })).items;
}

/** Marks every active, not yet ready pod of `app` ready (the node agent's part). */
async function readyAll(app: string): Promise<number> {
  const pods = activePods(await listPods(cp.client, 'default', `app=${app}`)).filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  for (const p of pods) await markReady(cp.client, p).catch(() => undefined);
  return pods.length;
}

const image = (p: Pod) => p.spec?.containers?.[0]?.image;

describe('Deployment controller', () => {
  it('creates a ReplicaSet <name>-<hash> and its pods; becomes Available and complete', async () => {
    const d = await cp.client.create(deployment('web', 3));
    const [rs] = await eventually('a replica set', async () => {
      const rss = await replicaSetsOf(cp.client, 'web');
      return rss.length === 1 && rss;
    });
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.spec?.selector?.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: d.metadata?.uid, controller: true });
    await eventually('3 pods', async () => activePods(await listPods(cp.client, 'default', 'app=web')).length === 3);
    await readyAll('web');
    const done = await eventually('complete', async () => {
      const x = await cp.client.get('deployments', 'default', 'web');
      const s = x.status;
      return s?.availableReplicas === 3 && s.updatedReplicas === 3 && s.conditions?.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' && x;
    });
    expect(done.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(done.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const events = (await cp.client.list('events', { namespace: 'default' })).items.filter((e) => e.involvedObject?.name === 'web' && e.reason === 'ScalingReplicaSet');
    expect(events.map((e) => e.message)).toContain(`Scaled up replica set ${rs.metadata?.name} from 0 to 3`);
  });

  it('rolls out a new image within maxSurge and maxUnavailable', async () => {
    await cp.client.create(deployment('roll', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    await eventually('4 pods', async () => activePods(await listPods(cp.client, 'default', 'app=roll')).length === 4);
    await readyAll('roll');
    await eventually('available', async () => (await cp.client.get('deployments', 'default', 'roll')).status?.availableReplicas === 4);
    await cp.client.patch('deployments', 'default', 'roll', { metadata: { annotations: { 'kubernetes.io/change-cause': 'image v2' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } });
    // Sample while playing the node agent: total pods never above 4+1, ready pods never
    // below 4-1 (only ready pods count as available here: minReadySeconds is 0).
    let maxTotal = 0;
    let minReady = Infinity;
    await eventually(
      'all pods on the new image and ready',
      async () => {
        const pods = activePods(await listPods(cp.client, 'default', 'app=roll'));
        const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        maxTotal = Math.max(maxTotal, pods.length);
        minReady = Math.min(minReady, ready.length);
        if (pods.length === 4 && ready.length === 4 && pods.every((p) => image(p) === 'nginx:2')) return true;
        await readyAll('roll');
        return false;
      },
      30_000,
    );
    expect(maxTotal).toBeLessThanOrEqual(5);
    expect(minReady).toBeGreaterThanOrEqual(3);
    const rss = await replicaSetsOf(cp.client, 'roll');
    expect(rss).toHaveLength(2);
    const fresh = rss.find((rs) => rs.spec?.template?.spec?.containers?.[0]?.image === 'nginx:2')!;
    const old = rss.find((rs) => rs !== fresh)!;
    expect(fresh.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(fresh.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('image v2');
    expect(old.spec?.replicas).toBe(0);
    await eventually('deployment complete', async () => {
      const s = (await cp.client.get('deployments', 'default', 'roll')).status;
      return s?.updatedReplicas === 4 && s.replicas === 4 && s.conditions?.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable';
    });
    // Rolling back to the old template (what `kubectl rollout undo` does) reuses the old
    // ReplicaSet and gives it the next revision.
    await cp.client.patch('deployments', 'default', 'roll', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } } });
    await eventually('old replica set revived as revision 3', async () => {
      const rs = await cp.client.get('replicasets', 'default', old.metadata!.name!);
      return rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3' && (rs.spec?.replicas ?? 0) > 0;
    });
    expect(await replicaSetsOf(cp.client, 'roll')).toHaveLength(2);
  });

  it('Recreate scales the old ReplicaSet to zero before the new one gets pods', async () => {
    await cp.client.create(deployment('rec', 2, { strategy: { type: 'Recreate' } }));
    await eventually('2 pods', async () => activePods(await listPods(cp.client, 'default', 'app=rec')).length === 2);
    await cp.client.patch('deployments', 'default', 'rec', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } });
    let mixed = false;
    await eventually('2 new pods', async () => {
      const pods = activePods(await listPods(cp.client, 'default', 'app=rec'));
      if (pods.some((p) => image(p) === 'nginx:1') && pods.some((p) => image(p) === 'nginx:2')) mixed = true;
      return pods.length === 2 && pods.every((p) => image(p) === 'nginx:2');
    });
    expect(mixed).toBe(false);
  });

  it('deleting a Deployment removes its ReplicaSets and pods (background)', async () => {
    await cp.client.create(deployment('gone', 2));
    await eventually('2 pods', async () => activePods(await listPods(cp.client, 'default', 'app=gone')).length === 2);
    await cp.client.delete('deployments', 'default', 'gone');
    await eventually('no replica sets or pods', async () => (await replicaSetsOf(cp.client, 'gone')).length === 0 && (await listPods(cp.client, 'default', 'app=gone')).length === 0);
  });

  it('foreground deletion removes dependents before the owner', async () => {
    await cp.client.create(deployment('fg', 2));
    await eventually('2 pods', async () => activePods(await listPods(cp.client, 'default', 'app=fg')).length === 2);
    await cp.client.delete('deployments', 'default', 'fg', { propagationPolicy: 'Foreground' });
    // The owner stays (with the finalizer) while dependents exist.
    const gone = async () => cp.client.get('deployments', 'default', 'fg').then(() => false, () => true);
    await eventually('deployment gone', gone);
    expect((await replicaSetsOf(cp.client, 'fg')).length).toBe(0);
    expect((await listPods(cp.client, 'default', 'app=fg')).length).toBe(0);
  });

  it('orphan deletion keeps ReplicaSets and pods, without the reference', async () => {
    await cp.client.create(deployment('orph', 2));
    await eventually('2 pods', async () => activePods(await listPods(cp.client, 'default', 'app=orph')).length === 2);
    await cp.client.delete('deployments', 'default', 'orph', { propagationPolicy: 'Orphan' });
    await eventually('deployment gone', async () => cp.client.get('deployments', 'default', 'orph').then(() => false, () => true));
    const rss = await replicaSetsOf(cp.client, 'orph');
    expect(rss).toHaveLength(1);
    expect(rss[0].metadata?.ownerReferences ?? []).toEqual([]);
    // The ReplicaSet keeps its pods.
    expect(activePods(await listPods(cp.client, 'default', 'app=orph'))).toHaveLength(2);
  });
});
