// A fixed-size ring of the most recent items, oldest first.
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new Error('ring capacity must be at least 1');
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends an item; returns the item it pushed out when full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.start + i) % this.capacity] as T;
  }

  /** Items from the first one that `pred` accepts to the newest (pred must be monotone). */
  *from(pred: (item: T) => boolean): IterableIterator<T> {
    // Binary search for the first accepted item: the ring is ordered.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(this.items[(this.start + mid) % this.capacity] as T)) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < this.count; i++) yield this.items[(this.start + i) % this.capacity] as T;
  }
}
