// Records, through informers, every change of the Nodes and of the Pods, Endpoints and
// Events of the namespaces an experiment involves, with the time each was seen; the
// caches also answer the runner's waits (which re-check on every change: no polling).
import type { Deployment, Endpoints, Event, KubeObject, Lease, Node, Pod } from '@kubesim/api';
import { InformerFactory, deletedObject, type Client, type Logger, type SharedIndexInformer } from '@kubesim/client';
import { endpointsState, eventState, leaseState, nodeState, podState, type Change, type ChangeType } from './record.js';

export class Recorder {
  readonly changes: Change[] = [];
  private readonly factory: InformerFactory;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly deployments: SharedIndexInformer<Deployment>;
  private readonly listeners = new Set<() => void>();
  private readonly last = new Map<string, string>();

  /** `namespaces`: whose pods, endpoints and events are recorded (node events go to "default"). */
  constructor(
    client: Client,
    private readonly namespaces: ReadonlySet<string>,
    logger: Logger,
    private readonly now: () => number = Date.now,
    /** Names the process of a leader identity (for the timeline). */
    processOf: (identity: string) => string | undefined = () => undefined,
  ) {
    this.factory = new InformerFactory(client, { logger });
    this.nodes = this.factory.informerFor('nodes');
    this.podInformer = this.factory.informerFor('pods');
    this.deployments = this.factory.informerFor('deployments');
    const endpoints = this.factory.informerFor('endpoints');
    const events = this.factory.informerFor('events');
    const eventNamespaces = new Set([...namespaces, 'default']);
    const leases = this.factory.informerFor('leases', { namespace: 'kube-system' });
    this.watch(leases, () => true, (l: Lease) => ({ kind: 'Lease', state: leaseState(l, processOf) }));
    this.watch(this.nodes, () => true, (n) => ({ kind: 'Node', state: nodeState(n) }));
    this.watch(this.podInformer, (p) => this.namespaces.has(p.metadata?.namespace ?? ''), (p) => ({ kind: 'Pod', state: podState(p) }));
    this.watch(endpoints, (e) => this.namespaces.has(e.metadata?.namespace ?? ''), (e: Endpoints) => ({ kind: 'Endpoints', state: endpointsState(e) }));
    this.watch(events, (e) => eventNamespaces.has(e.metadata?.namespace ?? ''), (e: Event) => ({ kind: 'Event', state: eventState(e) }));
    // Deployments only answer waits: not recorded.
    const notify = () => this.notify();
    this.deployments.addEventHandler({ onAdd: notify, onUpdate: notify, onDelete: notify });
  }

  private watch<T extends KubeObject>(informer: SharedIndexInformer<T>, wanted: (o: T) => boolean, summarize: (o: T) => Pick<Change, 'kind' | 'state'>): void {
    const push = (type: ChangeType, o: T) => {
      if (wanted(o)) {
        const s = summarize(o);
        const key = `${s.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
        const json = JSON.stringify(s.state);
        // A relist or a resync repeats states already recorded: keep only real changes.
        if (type === 'MODIFIED' && this.last.get(key) === json) return;
        if (type === 'DELETED') this.last.delete(key);
        else this.last.set(key, json);
        this.changes.push({ t: this.now(), type, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '', ...s } as Change);
      }
      this.notify();
    };
    informer.addEventHandler({
      onAdd: (o, initial) => push(initial ? 'SYNC' : 'ADDED', o),
      onUpdate: (_old, o) => push('MODIFIED', o),
      onDelete: (o) => push('DELETED', deletedObject(o)),
    });
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** Starts the informers and waits until their caches hold the cluster as it is. */
  async start(signal?: AbortSignal): Promise<void> {
    this.factory.start();
    if (!(await this.factory.waitForSync(signal))) throw new Error('the caches did not sync');
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.factory.stop();
  }

  /** Calls `fn` after every change of a cached object; returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  pods(): Pod[] {
    return this.podInformer.indexer.list();
  }

  nodeList(): Node[] {
    return this.nodes.indexer.list();
  }

  node(name: string): Node | undefined {
    return this.nodes.indexer.list().find((n) => n.metadata?.name === name);
  }

  deployment(namespace: string, name: string): Deployment | undefined {
    return this.deployments.indexer.list().find((d) => d.metadata?.namespace === namespace && d.metadata?.name === name);
  }
}
