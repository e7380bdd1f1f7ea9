// Registers the Node (create, or update of an existing one) and posts its status
// periodically, as the kubelet's node status manager. Ready follows the runtime's health.
import { deepCopy, isAlreadyExists, isConflict, isNotFound, type Node } from '@kubesim/api';
import type { Client, Clock, EventRecorder, Logger } from '@kubesim/client';
import { newNode, nodeLabels, nodeStatus, type NodeFacts } from './status.js';

export class NodeRegistration {
  node: Node | undefined;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Reports Ready changes on the Node ("Node X status is now: NodeReady"), as the kubelet does. */
    private readonly recorder?: EventRecorder,
  ) {}

  /** Creates the Node, or brings an existing one's labels and status up to date. */
  async register(facts: NodeFacts): Promise<Node> {
    const now = this.clock.wallNow();
    try {
      this.node = await this.client.create(newNode(facts, now));
      this.log.info('registered node');
      return this.node;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    for (let attempt = 0; ; attempt++) {
      const existing = await this.client.get('nodes', '', facts.nodeName);
      const want = { ...existing.metadata?.labels, ...nodeLabels(facts) };
      let node = existing;
      if (JSON.stringify(want) !== JSON.stringify(existing.metadata?.labels ?? {})) {
        const next = deepCopy(existing);
        next.metadata = { ...next.metadata, labels: want };
        try {
          node = await this.client.update(next);
        } catch (e) {
          if (isConflict(e) && attempt < 5) continue;
          throw e;
        }
      }
      this.node = node;
      await this.postStatus(facts);
      this.log.info('node already registered; updated it');
      return this.node;
    }
  }

  /** Posts the current status (a merge patch of the status subresource). */
  async postStatus(facts: NodeFacts): Promise<void> {
    if (!this.node) {
      await this.register(facts);
      return;
    }
    const status = nodeStatus(facts, this.node.status, this.clock.wallNow());
    const was = readyStatus(this.node);
    try {
      this.node = await this.client.patch('nodes', '', facts.nodeName, { status }, { subresource: 'status' });
      const now = readyStatus(this.node);
      if (this.recorder && now !== was && (now === 'True' || was === 'True')) {
        const what = now === 'True' ? 'NodeReady' : 'NodeNotReady';
        this.recorder.event(this.node, 'Normal', what, `Node ${facts.nodeName} status is now: ${what}`);
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Deleted under us (as `kubectl delete node`): register again, as the kubelet does.
      this.node = undefined;
      await this.register(facts);
    }
  }
}

function readyStatus(node: Node | undefined): string | undefined {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}
