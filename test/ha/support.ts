// Helpers of the HA end-to-end tests: a cluster's recorded state, ReplicaSet manifests, and
// a pod tracker that follows a ReplicaSet's pods through an informer (every event, in
// resourceVersion order) and remembers the most non-terminating pods it ever had at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, ReplicaSet } from '@kubesim/api';
import { listerWatcherFor, SharedIndexInformer, type Client } from '@kubesim/client';

export interface HAState {
  apiserver: string;
  apiservers: string[];
  etcdEndpoints: string[];
  processes: { component: string; pid: number; log: string; endpoint?: string; args: string[] }[];
}

export function readHAState(home: string, cluster: string): HAState {
  return JSON.parse(readFileSync(join(home, 'clusters', cluster, 'state.json'), 'utf8')) as HAState;
}

/** The processes of a component with their chaos names (scheduler-1, ...), in state order. */
export function named(state: HAState, component: string): { name: string; pid: number; log: string; endpoint?: string; args: string[] }[] {
  return state.processes.filter((p) => p.component === component && p.args[0] !== 'node').map((p, i) => ({ ...p, name: `${component}-${i + 1}` }));
}

/** A flag's value in a recorded command line (`--flag value`). */
export function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

export function replicaSet(namespace: string, name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'kubesim/pause' }] } } },
  };
}

/** A pod with no owner, to see whether a scheduler binds it. */
export function barePod(namespace: string, name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'kubesim/pause' }] } };
}

const terminating = (p: Pod) => Boolean(p.metadata?.deletionTimestamp);

/** Follows the pods labelled app=<name> in a namespace. */
export class PodTracker {
  readonly informer: SharedIndexInformer<Pod>;
  /** uid -> when this process saw the pod first (ms since the epoch). */
  readonly created = new Map<string, number>();
  /** The most non-terminating pods seen at once. */
  max = 0;

  constructor(client: Client, namespace: string, app: string) {
    this.informer = new SharedIndexInformer<Pod>(listerWatcherFor(client, 'pods', { namespace, labelSelector: `app=${app}` }));
    const seen = (p: Pod) => {
      const uid = p.metadata?.uid ?? '';
      if (!this.created.has(uid)) this.created.set(uid, Date.now());
      this.max = Math.max(this.max, this.active().length);
    };
    this.informer.addEventHandler({ onAdd: seen, onUpdate: (_o, n) => seen(n), onDelete: () => undefined });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  active(): Pod[] {
    return this.informer.indexer.list().filter((p) => !terminating(p));
  }

  /** Starts the count of the most pods at once over from now. */
  resetMax(): void {
    this.max = this.active().length;
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}

/** Microsecond timestamps of Leases ("2024-01-01T00:00:00.123456Z") -> ms since the epoch. */
export function microTime(s: string | undefined): number {
  return s ? Date.parse(s) : NaN;
}
