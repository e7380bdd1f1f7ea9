// The ReplicaSet controller against a real apiserver, with the controller-manager as its
// own process: creating N pods, scaling up and down (least valuable pods go first),
// adoption and release, and no double creation across a SIGKILL mid-way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, ReplicaSet } from '@kubesim/api';
import { activePods, eventually, listPods, markReady, startControlPlane, type ControlPlane } from './harness.js';

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
  cp.startControllerManager();
});

afterAll(async () => {
  await cp?.stop();
});

function replicaSet(name: string, replicas: number, app = name): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

async function scale(name: string, replicas: number): Promise<void> {
  await cp.client.patch('replicasets', 'default', name, { spec: { replicas } });
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!).sort();

describe('ReplicaSet controller', () => {
  it('creates N pods from the template, owned by the ReplicaSet, and reports status', async () => {
    const rs = await cp.client.create(replicaSet('web', 3));
    const pods = await eventually('3 pods', async () => {
      const ps = await listPods(cp.client, 'default', 'app=web');
      return ps.length === 3 && ps;
    });
    for (const p of pods) {
      expect(p.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await eventually('status.replicas=3', async () => {
      const s = (await cp.client.get('replicasets', 'default', 'web')).status;
      return s?.replicas === 3 && s.fullyLabeledReplicas === 3 && s.readyReplicas === 0 && s.observedGeneration === 1;
    });
    // The node agent's part: mark two pods ready; status follows.
    await markReady(cp.client, pods[0]);
    await markReady(cp.client, pods[1]);
    await eventually('readyReplicas=2', async () => {
      const s = (await cp.client.get('replicasets', 'default', 'web')).status;
      return s?.readyReplicas === 2 && s.availableReplicas === 2;
    });
    const events = await eventually('SuccessfulCreate events', async () => {
      const evs = (await cp.client.list('events', { namespace: 'default' })).items.filter((e) => e.involvedObject?.name === 'web' && e.reason === 'SuccessfulCreate');
      return evs.length === 3 && evs;
    });
    expect(events.map((e) => e.message).sort()).toEqual(names(pods).map((n) => `Created pod: ${n}`));
    expect(events[0].source?.component).toBe('replicaset-controller');
  });

  it('scales down the least valuable pods first, then up again', async () => {
    await cp.client.create(replicaSet('rank', 4));
    const pods = await eventually('4 pods', async () => {
      const ps = await listPods(cp.client, 'default', 'app=rank');
      return ps.length === 4 && ps;
    });
    // Two pods ready (long ago and recently), two not: the two not ready go first.
    const [old, recent, ...notReady] = pods;
    await markReady(cp.client, old, new Date(Date.now() - 3_600_000));
    await markReady(cp.client, recent);
    await eventually('readyReplicas=2', async () => (await cp.client.get('replicasets', 'default', 'rank')).status?.readyReplicas === 2);
    await scale('rank', 2);
    await eventually('2 pods left', async () => activePods(await listPods(cp.client, 'default', 'app=rank')).length === 2);
    expect(names(activePods(await listPods(cp.client, 'default', 'app=rank')))).toEqual(names([old, recent]));
    // Then the more recently ready one goes before the one ready for an hour.
    await scale('rank', 1);
    await eventually('1 pod left', async () => activePods(await listPods(cp.client, 'default', 'app=rank')).length === 1);
    expect(names(activePods(await listPods(cp.client, 'default', 'app=rank')))).toEqual(names([old]));
    void notReady;
    await scale('rank', 5);
    await eventually('5 pods', async () => activePods(await listPods(cp.client, 'default', 'app=rank')).length === 5);
    await eventually('status 5', async () => (await cp.client.get('replicasets', 'default', 'rank')).status?.replicas === 5);
  });

  it('adopts matching orphans instead of creating, and releases pods whose labels stop matching', async () => {
    const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan-1', namespace: 'default', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await cp.client.create(orphan);
    const rs = await cp.client.create(replicaSet('adopt', 2));
    const pods = await eventually('2 pods', async () => {
      const ps = await listPods(cp.client, 'default', 'app=adopt');
      return ps.length === 2 && ps.every((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid) && ps;
    });
    expect(names(pods)).toContain('orphan-1');
    // Release: relabel one pod; the ReplicaSet lets go of it and makes a replacement.
    await cp.client.patch('pods', 'default', 'orphan-1', { metadata: { labels: { app: 'released' } } });
    const released = await eventually('released', async () => {
      const p = await cp.client.get('pods', 'default', 'orphan-1');
      return !p.metadata?.ownerReferences?.length && p;
    });
    expect(released.metadata?.labels).toEqual({ app: 'released' });
    await eventually('a replacement', async () => (await listPods(cp.client, 'default', 'app=adopt')).length === 2);
  });

  it('never creates twice when the controller-manager is killed mid-way and started again', async () => {
    // Every pod ever created for this ReplicaSet, seen through a watch: an extra pod that
    // was created and deleted again would still show up here.
    const created = new Set<string>();
    let firstSeen: () => void = () => {};
    const first = new Promise<void>((r) => (firstSeen = r));
    const watch = cp.client.watch('pods', { namespace: 'default', labelSelector: 'app=restart', resourceVersion: '0' });
    void (async () => {
      try {
        for await (const ev of watch) if (ev.type === 'ADDED') {
          created.add(ev.object.metadata!.name!);
          firstSeen();
        }
      } catch {
        // cancelled at the end
      }
    })();
    await cp.client.create(replicaSet('restart', 100));
    // Kill it while it is creating: at the first pod, with slow-start batches under way.
    await first;
    await cp.killControllerManager();
    const before = (await listPods(cp.client, 'default', 'app=restart')).length;
    cp.startControllerManager();
    await eventually('100 pods', async () => (await listPods(cp.client, 'default', 'app=restart')).length >= 100, 30_000);
    await eventually('status 100', async () => (await cp.client.get('replicasets', 'default', 'restart')).status?.replicas === 100);
    // Killed again once at the goal, restarted: still exactly 100.
    await cp.killControllerManager();
    cp.startControllerManager();
    await eventually('observed by the new process', async () => (await cp.client.get('replicasets', 'default', 'restart')).status?.replicas === 100);
    // Scale to force a sync of the same key by the new process, and back.
    await scale('restart', 101);
    await eventually('101 pods', async () => (await listPods(cp.client, 'default', 'app=restart')).length === 101);
    await eventually('status 101', async () => (await cp.client.get('replicasets', 'default', 'restart')).status?.replicas === 101);
    expect((await listPods(cp.client, 'default', 'app=restart')).length).toBe(101);
    await eventually('the watch caught up', async () => created.size >= 101);
    expect(created.size).toBe(101);
    expect(before).toBeLessThan(100);
    watch.cancel();
  });
});
