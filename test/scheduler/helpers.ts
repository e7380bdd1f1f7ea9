// Shared pieces of the scheduler's end-to-end tests: Node objects standing in for node
// agents (created, then given a Ready condition and allocatable through the status
// subresource, as a kubelet would), pods, events, and scheduler processes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Node, Pod, Taint } from '@kubesim/api';
import type { Client } from '@kubesim/client';
import { startComponent, type RunningComponent } from '@kubesim/launcher';

const logDir = mkdtempSync(join(tmpdir(), 'kubesim-scheduler-e2e-'));

export interface SchedulerProcess extends RunningComponent {
  logFile: string;
  log(): string;
}

/** `kubesim scheduler --server ENDPOINT ARGS`, logging at info to a file of its own. */
export function startSchedulerProcess(endpoint: string, name: string, args: string[]): SchedulerProcess {
  const logFile = join(logDir, `${name}.log`);
  const c = startComponent(['scheduler', '--server', endpoint, ...args], { logFile, env: { KUBESIM_LOG_LEVEL: 'info' } });
  return { ...c, logFile, log: () => readFileSync(logFile, 'utf8') };
}

export interface NodeShape {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: boolean;
}

export async function createNode(client: Client, name: string, s: NodeShape = {}): Promise<Node> {
  const created = await client.create<Node>({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: s.taints ? { taints: s.taints } : {},
  });
  const resources = { cpu: s.cpu ?? '2', memory: s.memory ?? '4Gi', pods: s.pods ?? '110' };
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return client.updateStatus<Node>({
    ...created,
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: 'Ready', status: s.ready === false ? 'False' : 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  });
}

export function pod(name: string, extra: { cpu?: string; spec?: Pod['spec']; namespace?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: extra.namespace ?? 'default' },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ...(extra.cpu ? { resources: { requests: { cpu: extra.cpu } } } : {}) }],
      ...extra.spec,
    },
  };
}

export async function eventsFor(client: Client, podName: string, reason?: string, namespace = 'default'): Promise<Event[]> {
  const { items } = await client.list('events', { namespace });
  return items.filter((e) => e.involvedObject?.name === podName && (!reason || e.reason === reason));
}

export async function nodeOf(client: Client, name: string, namespace = 'default'): Promise<string | undefined> {
  return (await client.get('pods', namespace, name)).spec?.nodeName || undefined;
}
