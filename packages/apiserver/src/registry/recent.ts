// Pods this apiserver created a moment ago and nobody has bound yet, so that the Bind
// that follows almost every pod create can go straight to its one guarded transaction
// instead of reading the pod back from etcd first. The entry is only a guess: the
// transaction compares the mod revision, and a lost compare hands back the current
// pod (another apiserver, or a change since, simply costs a retry).
import type { StoredObject } from '../storage/store.js';

export class RecentObjects {
  private readonly entries = new Map<string, StoredObject>();

  constructor(private readonly capacity: number) {}

  /** Remembers `stored` under `key`, forgetting the oldest entry when full. */
  remember(key: string, stored: StoredObject): void {
    this.entries.delete(key);
    this.entries.set(key, stored);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** The entry under `key`, removed. */
  take(key: string): StoredObject | undefined {
    const s = this.entries.get(key);
    if (s) this.entries.delete(key);
    return s;
  }

  get size(): number {
    return this.entries.size;
  }
}
