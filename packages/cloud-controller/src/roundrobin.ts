// Round robin over a changing set of backends. The position is remembered as the name of
// the node last used, not an index, so nodes joining or leaving do not make the rotation
// skip or repeat the others.

/**
 * The order to try `names` (sorted) in: starting with the first name after `last`,
 * wrapping round. The rest of the list is the fallback when a connection fails.
 */
export function rotation(names: readonly string[], last: string | undefined): string[] {
  if (last === undefined) return [...names];
  let i = names.findIndex((n) => n > last);
  if (i < 0) i = 0;
  return [...names.slice(i), ...names.slice(0, i)];
}

/** The rotation state of one listener, and how many connections each node got. */
export class RoundRobin {
  private last: string | undefined;
  readonly counts = new Map<string, number>();

  /** The order to try the backends (sorted by name) for the next connection. */
  order<T extends { node: string }>(backends: readonly T[]): T[] {
    const byName = new Map(backends.map((b) => [b.node, b]));
    return rotation(
      backends.map((b) => b.node),
      this.last,
    ).map((n) => byName.get(n)!);
  }

  /** Records that a connection went to `node`: the next one starts after it. */
  used(node: string): void {
    this.last = node;
    this.counts.set(node, (this.counts.get(node) ?? 0) + 1);
  }

  /** The per-node counts as a plain object (for logs). */
  countsObject(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
