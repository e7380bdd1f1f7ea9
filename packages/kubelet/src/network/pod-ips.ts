// Pod IPs from the node's pod CIDR. The first address is the node's own (on the cluster
// bridge), the last the broadcast; pods get the ones between, lowest free first.
//
// An address chosen for a sandbox stays reserved until a listing of the runtime that
// started after the choice shows it in use: two sandboxes started at once never get the
// same address, and no lock is held across the (slow) container start.
import { addressAt, type CIDR } from '@kubesim/api';

/** The lowest address of the CIDR a pod may take that is not in `taken`. Pure. */
export function pickPodIP(cidr: CIDR, taken: (ip: string) => boolean): string | undefined {
  for (let off = 2; off <= cidr.size - 2; off++) {
    const ip = addressAt(cidr, off);
    if (!taken(ip)) return ip;
  }
  return undefined;
}

export class PodIPAllocator {
  /** ip -> when it was chosen (epoch ms). */
  private readonly reserved = new Map<string, number>();

  constructor(
    readonly cidr: CIDR,
    private readonly now: () => number = Date.now,
    /** A reservation never seen in use is dropped after this long (its sandbox died at birth). */
    private readonly maxReserveMs = 120_000,
  ) {}

  /**
   * Chooses an address given the ones a runtime listing showed in use; `listedAt` is when
   * that listing started. Returns undefined when the CIDR is full.
   */
  reserve(inUse: ReadonlySet<string>, listedAt: number): string | undefined {
    for (const [ip, at] of this.reserved) {
      if ((inUse.has(ip) && at < listedAt) || this.now() - at > this.maxReserveMs) this.reserved.delete(ip);
    }
    const ip = pickPodIP(this.cidr, (a) => inUse.has(a) || this.reserved.has(a));
    if (ip) this.reserved.set(ip, this.now());
    return ip;
  }

  /** Gives back an address whose sandbox could not be started. */
  release(ip: string): void {
    this.reserved.delete(ip);
  }
}
