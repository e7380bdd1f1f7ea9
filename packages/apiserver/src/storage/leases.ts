// etcd leases for objects that expire (Events), shared between writes as kube-apiserver
// does: one lease is reused for a short window, so writing many events does not mean
// granting many leases. An object may thus live up to the window longer than its TTL.
import type { Etcd3 } from 'etcd3';
import { storageError } from './store.js';

export class LeaseManager {
  private current?: { id: string; grantedAt: number };
  private pending?: Promise<string>;
  private readonly reuseMs: number;

  constructor(
    private readonly etcd: Etcd3,
    private readonly ttlSeconds: number,
  ) {
    // Reuse a lease for 5% of the TTL (at most a minute), like --lease-reuse-duration-seconds.
    this.reuseMs = Math.min(60, Math.max(1, Math.floor(ttlSeconds * 0.05))) * 1000;
  }

  /** A lease ID that keeps a key at least `ttlSeconds` from now. */
  async lease(): Promise<string> {
    const c = this.current;
    if (c && Date.now() - c.grantedAt < this.reuseMs) return c.id;
    if (!this.pending) {
      this.pending = (async () => {
        const grantedAt = Date.now();
        try {
          const res = await this.etcd.leaseClient.leaseGrant({ TTL: this.ttlSeconds + Math.ceil(this.reuseMs / 1000) });
          this.current = { id: res.ID, grantedAt };
          return res.ID;
        } catch (err) {
          throw storageError(err);
        } finally {
          this.pending = undefined;
        }
      })();
    }
    return this.pending;
  }

  /** Forgets the current lease (etcd said it is gone). */
  invalidate(): void {
    this.current = undefined;
  }
}
