// The node's heartbeat Lease (kube-node-lease/<node>), renewed every quarter of its
// duration, as the kubelet's node lease controller. The node lifecycle controller reads
// renewTime to tell a live node from a dead one.
import { isAlreadyExists, isConflict, isNotFound, nowMicroTimestamp, type Lease, type Node } from '@kubesim/api';
import type { Client, Clock, Logger } from '@kubesim/client';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export class NodeLeaseRenewer {
  private current: Lease | undefined;

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly durationSeconds: number,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The Node, once registered: the Lease is owned by it (deleted with it). */
    private readonly node: () => Node | undefined,
  ) {}

  private desired(base: Lease | undefined): Lease {
    const now = nowMicroTimestamp(this.clock.wallNow());
    const node = this.node();
    const lease: Lease = base
      ? { ...base, spec: { ...base.spec } }
      : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE }, spec: { acquireTime: now } };
    lease.spec = { ...lease.spec, holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: now };
    if (node?.metadata?.uid && !lease.metadata?.ownerReferences?.length) {
      lease.metadata = { ...lease.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata.uid }] };
    }
    return lease;
  }

  /** One renewal; creates the Lease when it is missing. Throws on failure. */
  async renew(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (!this.current) {
          try {
            this.current = await this.client.get('leases', NODE_LEASE_NAMESPACE, this.nodeName);
          } catch (err) {
            if (!isNotFound(err)) throw err;
            this.current = await this.client.create(this.desired(undefined));
            this.log.info({ lease: `${NODE_LEASE_NAMESPACE}/${this.nodeName}` }, 'created node lease');
            return;
          }
        }
        this.current = await this.client.update(this.desired(this.current));
        return;
      } catch (err) {
        this.current = undefined;
        // Someone else wrote it (or it vanished, or two creates raced): read it again once.
        if (!(isConflict(err) || isNotFound(err) || isAlreadyExists(err)) || attempt === 1) throw err;
      }
    }
  }
}
