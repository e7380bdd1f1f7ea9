// Two controller-managers with leader election: only the holder of the Lease
// kube-system/kube-controller-manager runs controllers; when it is SIGKILLed the other
// takes the lease and carries on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComponent, type RunningComponent } from '@kubesim/launcher';
import { eventually, listPods, startControlPlane, type ControlPlane } from './harness.js';

let cp: ControlPlane;
const cms: RunningComponent[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
});

afterAll(async () => {
  for (const c of cms) await c.stop();
  await cp?.stop();
});

function candidate(): RunningComponent {
  const args = ['--server', cp.api.endpoint, 'controller-manager', '--controllers', 'replicaset', '--leader-elect-lease-duration', '2', '--leader-elect-renew-deadline', '1.5', '--leader-elect-retry-period', '0.25'];
  const c = startComponent(args, { logFile: cp.logFile });
  cms.push(c);
  return c;
}

describe('controller-manager leader election', () => {
  it('one leader acts; a killed leader is replaced', async () => {
    candidate();
    candidate();
    const holder = await eventually('a leader', async () => {
      const lease = await cp.client.get('leases', 'kube-system', 'kube-controller-manager').catch(() => undefined);
      return lease?.spec?.holderIdentity;
    });
    await cp.client.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'le', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'le' } }, template: { metadata: { labels: { app: 'le' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await eventually('2 pods', async () => (await listPods(cp.client, 'default', 'app=le')).length === 2);
    // Kill the first candidate: if it led, the second takes over once its lease expires;
    // if not, the second keeps leading. Either way the survivor must act.
    expect(holder).toBeTruthy();
    const [a] = cms;
    a.process.kill('SIGKILL');
    await cp.client.patch('replicasets', 'default', 'le', { spec: { replicas: 3 } });
    await eventually('3 pods, made by the surviving process', async () => (await listPods(cp.client, 'default', 'app=le')).length === 3, 20_000);
    expect((await listPods(cp.client, 'default', 'app=le')).length).toBe(3);
  });
});
