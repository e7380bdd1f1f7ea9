// Kubernetes' (UID-tracking) ControllerExpectations: before a controller issues N pod
// creates (or deletes of named pods) for a key, it records them; the informer lowers the
// count as it observes each. While a key has unmet expectations the controller does not
// act on it, so a cache that has not yet seen its own writes never makes it create (or
// delete) twice. Expectations that are never met (a lost watch event) expire after
// five minutes, and the controller acts again on what its cache says.
import { realClock, type Clock } from '@kubesim/client';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record_ {
  add: number;
  del: number;
  /** Keys of pods whose deletion is expected, so one deletion is counted only once. */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Record_>();

  constructor(
    private readonly clock: Clock = realClock,
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** True when the controller may act on `key`: nothing pending, or pending too long. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.at > this.timeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.set(key, { add: n, del: 0, deleting: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** A pod of `key` was seen deleted (or terminating); counts only pods that were expected to go. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (!r || !r.deleting.delete(podKey)) return;
    r.del--;
  }

  /** Forgets `key` (its owner is gone). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** Pending counts (for logs and tests). */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }

  private set(key: string, r: Record_): void {
    this.records.set(key, r);
  }
}
