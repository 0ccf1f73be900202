/**
 * Average linkage over all open clusters, O(n) memory beyond the vectors: the fallback of the
 * exact path when the threshold graph would not fit. Each lookup scans every open cluster
 * (O(open · dim)), so it is only fast enough up to a few tens of thousands of faces.
 */
import type { ClusterState } from '../clusterState.ts';
import type { LinkageSpace } from './nnChain.ts';
import { averageLinkageFromSums } from '../vectorMath.ts';

export class DenseAverageSpace implements LinkageSpace {
  readonly n: number;
  lastDistance = Infinity;
  private readonly state: ClusterState;
  private readonly cap: number;
  /** Open slots, unordered; where[slot] = index in `open`, -1 when closed. */
  private readonly openSlots: Int32Array;
  private readonly where: Int32Array;
  private openCount: number;

  constructor(state: ClusterState, cap: number) {
    if (!state.sums) throw new Error('DenseAverageSpace needs cluster sums');
    const n = (this.n = state.n);
    this.state = state;
    this.cap = cap;
    this.openSlots = new Int32Array(n);
    this.where = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      this.openSlots[s] = s;
      this.where[s] = s;
    }
    this.openCount = n;
  }

  nextOpen(from: number): number {
    for (let s = from; s < this.n; s++) if (this.where[s] >= 0) return s;
    return -1;
  }

  minIndexOf(slot: number): number {
    return this.state.minIndex[slot];
  }

  isolate(a: number): void {
    this.close(a);
  }


  merge(a: number, b: number): number {
    const keep = this.state.merge(a, b);
    this.close(keep === a ? b : a);
    return keep;
  }

  nearest(a: number): number {
    const { state, cap, openSlots } = this;
    const sums = state.sums!;
    const dim = state.dim;
    const countA = state.count[a];
    const offsetA = a * dim;
    let best = -1;
    let bestDistance = Infinity;
    let bestKey = Infinity;
    for (let p = 0; p < this.openCount; p++) {
      const k = openSlots[p];
      if (k === a) continue;
      const distance = averageLinkageFromSums(sums, offsetA, countA, k * dim, state.count[k], dim);
      if (distance > cap || distance > bestDistance) continue;
      const key = state.minIndex[k];
      if (distance === bestDistance && key > bestKey) continue;
      if (state.conflicted(a, k)) continue;
      best = k;
      bestDistance = distance;
      bestKey = key;
    }
    this.lastDistance = bestDistance;
    return best;
  }

  private close(slot: number): void {
    const p = this.where[slot];
    if (p < 0) return;
    const last = this.openSlots[--this.openCount];
    this.openSlots[p] = last;
    this.where[last] = p;
    this.where[slot] = -1;
  }
}
