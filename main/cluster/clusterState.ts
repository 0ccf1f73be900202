/**
 * The clusters while they merge. Each cluster lives in a slot (the union-find root of its
 * faces); `minIndex` (its smallest face index) is its identity for tie-breaking, so results do
 * not depend on which slot survives a merge.
 */
import { UnionFind } from './unionFind.ts';

export class ClusterState {
  readonly n: number;
  readonly dim: number;
  readonly sets: UnionFind;
  readonly count: Int32Array;
  readonly minIndex: Int32Array;
  /** Named person of the cluster in a slot, -1 for none. Two persons never merge. */
  readonly person: Int32Array;
  /** Slot → slots it must never merge with (only slots that have cannot-links). */
  readonly conflicts: Array<Set<number> | undefined>;
  /** Vector sum per slot, float64 [n, dim]; null when the linkage does not need sums. */
  readonly sums: Float64Array | null;

  constructor(vectors: Float32Array, n: number, dim: number, withSums: boolean, personOf: Int32Array) {
    this.n = n;
    this.dim = dim;
    this.sets = new UnionFind(n);
    this.count = new Int32Array(n).fill(1);
    this.minIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) this.minIndex[i] = i;
    this.person = Int32Array.from(personOf);
    this.conflicts = new Array(n);
    this.sums = withSums ? new Float64Array(n * dim) : null;
    this.sums?.set(vectors.subarray(0, n * dim));
  }

  /** Registers cannot-link pairs given as a flat list [i0, j0, i1, j1, ...] of singleton slots. */
  addCannotLinks(pairs: Int32Array): void {
    for (let p = 0; p < pairs.length; p += 2) {
      const a = this.sets.find(pairs[p]);
      const b = this.sets.find(pairs[p + 1]);
      (this.conflicts[a] ??= new Set()).add(b);
      (this.conflicts[b] ??= new Set()).add(a);
    }
  }

  /** True when slots a and b may never merge. */
  conflicted(a: number, b: number): boolean {
    const pa = this.person[a];
    if (pa >= 0 && pa !== this.person[b] && this.person[b] >= 0) return true;
    const set = this.conflicts[a];
    return set !== undefined && set.has(b);
  }

  /**
   * Merges slots a and b (both roots) and returns the surviving slot; the other is gone.
   * The larger cluster survives so conflict bookkeeping moves the smaller side only.
   */
  merge(a: number, b: number): number {
    const keep = this.count[a] >= this.count[b] ? a : b;
    const gone = keep === a ? b : a;
    this.sets.attach(gone, keep);
    this.count[keep] += this.count[gone];
    this.minIndex[keep] = Math.min(this.minIndex[keep], this.minIndex[gone]);
    if (this.person[keep] < 0) this.person[keep] = this.person[gone];
    if (this.sums) {
      const sums = this.sums;
      const ko = keep * this.dim;
      const go = gone * this.dim;
      for (let d = 0; d < this.dim; d++) sums[ko + d] += sums[go + d];
    }
    this.moveConflicts(gone, keep);
    return keep;
  }

  private moveConflicts(gone: number, keep: number): void {
    const moving = this.conflicts[gone];
    if (!moving) return;
    const kept = (this.conflicts[keep] ??= new Set());
    for (const other of moving) {
      const back = this.conflicts[other]!;
      back.delete(gone);
      if (other === keep) continue; // a must-link seed joined cannot-linked faces: dropped
      back.add(keep);
      kept.add(other);
    }
    kept.delete(gone);
    this.conflicts[gone] = undefined;
  }
}
