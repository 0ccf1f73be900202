/**
 * The nearest-neighbour chain (Benzécri; Murtagh; Müllner 2011, "Modern hierarchical,
 * agglomerative clustering algorithms"). Follow nearest neighbours until two clusters are each
 * other's nearest, merge them, continue from the rest of the chain. For reducible linkages
 * (average, single, complete, and these with cannot-links and a distance cap) it merges exactly
 * the pairs the greedy "closest pair first" algorithm merges, in O(n) chain memory.
 *
 * Ties: a space compares candidates by (distance, key) with a key that makes the order strict
 * (see reference.ts), so chains never cycle and the result is deterministic.
 */

export interface LinkageSpace {
  /** Number of slots (faces). */
  readonly n: number;
  /** Slot still to be processed (not merged away, not isolated), scanning upward from `from`; -1 when none. */
  nextOpen(from: number): number;
  /**
   * Nearest cluster to slot a whose linkage distance is within the cap and that a may merge
   * with, or -1. The distance is then in `lastDistance`.
   */
  nearest(a: number): number;
  readonly lastDistance: number;
  /** Merges a and b, returns the surviving slot. */
  merge(a: number, b: number): number;
  /** a has no mergeable cluster within the cap and never will again (reducibility). */
  isolate(a: number): void;
  /** Smallest face index of the cluster in a slot. */
  minIndexOf(slot: number): number;
}

/** a < b: smallest face indices of the merged clusters. */
export type MergeRecorder = (a: number, b: number, height: number) => void;

/** Runs the chain until no two clusters within the cap may merge. */
export function runNnChain(space: LinkageSpace, record: MergeRecorder, onMerge?: () => void): void {
  const chain = new Int32Array(space.n + 1);
  let length = 0;
  let scan = 0;
  for (;;) {
    if (length === 0) {
      scan = space.nextOpen(scan);
      if (scan < 0) return;
      chain[length++] = scan;
    }
    const a = chain[length - 1];
    const b = space.nearest(a);
    if (b < 0) {
      space.isolate(a);
      length--;
      continue;
    }
    if (length >= 2 && chain[length - 2] === b) {
      const height = space.lastDistance;
      const ma = space.minIndexOf(a);
      const mb = space.minIndexOf(b);
      space.merge(a, b);
      record(Math.min(ma, mb), Math.max(ma, mb), height);
      length -= 2;
      onMerge?.();
    } else {
      chain[length++] = b;
    }
  }
}
