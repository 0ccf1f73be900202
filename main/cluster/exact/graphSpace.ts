/**
 * Linkage over a neighbour graph: a cluster's candidates are the clusters its faces have edges
 * to. Exact when the graph holds every pair within the cap, because a linkage distance <= cap
 * needs at least one face pair <= cap (average and single) or all of them (complete).
 *
 * Each slot owns a list of edge entries; a merge appends the absorbed list, and a lookup
 * resolves entries to current clusters, folds duplicates together and drops internal ones.
 * Per entry, single linkage keeps (min distance, its face-pair key); complete keeps
 * (max distance, face-pair count). Average linkage needs no per-edge data: cluster sums.
 */
import type { ClusterState } from '../clusterState.ts';
import type { NeighbourGraph } from '../graph.ts';
import type { LinkageSpace } from './nnChain.ts';
import type { Linkage } from '../types.ts';
import { averageLinkageFromSums } from '../vectorMath.ts';

const NONE = new Int32Array(0);
const NO_STATS = new Float64Array(0);

export class GraphSpace implements LinkageSpace {
  readonly n: number;
  lastDistance = Infinity;
  private readonly state: ClusterState;
  private readonly linkage: Linkage;
  private readonly cap: number;
  private readonly open: Uint8Array;
  private readonly lists: Int32Array[];
  private readonly stats: Float64Array[];
  private readonly start: Int32Array;
  private readonly length: Int32Array;
  private readonly owned: Uint8Array;
  private readonly stamp: Int32Array;
  private readonly position: Int32Array;
  private epoch = 0;

  /** The graph must hold every face pair within the cap (see the file comment). */
  constructor(state: ClusterState, graph: NeighbourGraph, linkage: Linkage, cap: number) {
    const n = (this.n = state.n);
    this.state = state;
    this.linkage = linkage;
    this.cap = cap;
    this.open = new Uint8Array(n).fill(1);
    this.lists = new Array<Int32Array>(n).fill(graph.neighbours);
    this.start = graph.offsets.slice(0, n);
    this.length = new Int32Array(n);
    for (let f = 0; f < n; f++) this.length[f] = graph.offsets[f + 1] - graph.offsets[f];
    this.owned = new Uint8Array(n);
    this.stamp = new Int32Array(n);
    this.position = new Int32Array(n);
    this.stats = new Array<Float64Array>(n).fill(linkage === 'average' ? NO_STATS : initialStats(graph, linkage));
  }

  nextOpen(from: number): number {
    for (let s = from; s < this.n; s++) if (this.open[s]) return s;
    return -1;
  }

  minIndexOf(slot: number): number {
    return this.state.minIndex[slot];
  }

  isolate(a: number): void {
    this.open[a] = 0;
  }

  merge(a: number, b: number): number {
    const keep = this.state.merge(a, b);
    const gone = keep === a ? b : a;
    this.append(keep, gone);
    this.open[gone] = 0;
    return keep;
  }

  nearest(a: number): number {
    const count = this.compact(a);
    const { state, cap, linkage } = this;
    const list = this.lists[a];
    const stats = this.stats[a];
    const s0 = this.start[a];
    const sums = state.sums;
    const dim = state.dim;
    let best = -1;
    let bestDistance = Infinity;
    let bestKey = Infinity;
    for (let e = s0; e < s0 + count; e++) {
      const k = list[e];
      if (!this.open[k] || state.conflicted(a, k)) continue;
      let distance: number;
      let key: number;
      if (linkage === 'average') {
        distance = averageLinkageFromSums(sums!, a * dim, state.count[a], k * dim, state.count[k], dim);
        key = state.minIndex[k];
      } else if (linkage === 'single') {
        distance = stats[2 * e];
        key = stats[2 * e + 1];
      } else {
        // Complete linkage is within the cap only when every face pair is an edge.
        distance = stats[2 * e + 1] === state.count[a] * state.count[k] ? stats[2 * e] : Infinity;
        key = state.minIndex[k];
      }
      if (distance > cap) continue;
      if (distance < bestDistance || (distance === bestDistance && key < bestKey)) {
        best = k;
        bestDistance = distance;
        bestKey = key;
      }
    }
    this.lastDistance = bestDistance;
    return best;
  }

  /** Resolves a's entries to current clusters, folds duplicates, drops internal edges. */
  private compact(a: number): number {
    const sets = this.state.sets;
    const list = this.lists[a];
    const stats = this.stats[a];
    const s0 = this.start[a];
    const end = s0 + this.length[a];
    const withStats = this.linkage !== 'average';
    const single = this.linkage === 'single';
    const epoch = this.nextEpoch();
    let write = s0;
    for (let e = s0; e < end; e++) {
      const k = sets.find(list[e]);
      if (k === a) continue;
      if (this.stamp[k] === epoch) {
        if (!withStats) continue;
        const p = this.position[k];
        if (single) {
          const d = stats[2 * e];
          const key = stats[2 * e + 1];
          if (d < stats[2 * p] || (d === stats[2 * p] && key < stats[2 * p + 1])) {
            stats[2 * p] = d;
            stats[2 * p + 1] = key;
          }
        } else {
          stats[2 * p] = Math.max(stats[2 * p], stats[2 * e]);
          stats[2 * p + 1] += stats[2 * e + 1];
        }
        continue;
      }
      this.stamp[k] = epoch;
      this.position[k] = write;
      list[write] = k;
      if (withStats) {
        stats[2 * write] = stats[2 * e];
        stats[2 * write + 1] = stats[2 * e + 1];
      }
      write++;
    }
    this.length[a] = write - s0;
    return write - s0;
  }

  /** Appends gone's entries to keep's list, moving keep to a buffer of its own when needed. */
  private append(keep: number, gone: number): void {
    const withStats = this.linkage !== 'average';
    const lk = this.length[keep];
    const lg = this.length[gone];
    const need = lk + lg;
    if (!this.owned[keep] || this.lists[keep].length < need) {
      const capacity = Math.max(need, 2 * lk, 8);
      const list = new Int32Array(capacity);
      list.set(this.lists[keep].subarray(this.start[keep], this.start[keep] + lk));
      if (withStats) {
        const stats = new Float64Array(2 * capacity);
        stats.set(this.stats[keep].subarray(2 * this.start[keep], 2 * (this.start[keep] + lk)));
        this.stats[keep] = stats;
      }
      this.lists[keep] = list;
      this.start[keep] = 0;
      this.owned[keep] = 1;
    }
    const gs = this.start[gone];
    this.lists[keep].set(this.lists[gone].subarray(gs, gs + lg), lk);
    if (withStats) this.stats[keep].set(this.stats[gone].subarray(2 * gs, 2 * (gs + lg)), 2 * lk);
    this.length[keep] = need;
    this.lists[gone] = NONE;
    this.stats[gone] = NO_STATS;
    this.length[gone] = 0;
  }

  private nextEpoch(): number {
    if (this.epoch === 0x7fffffff) {
      this.stamp.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
}

/** Per entry: single (distance, face-pair key lo * n + hi); complete (distance, 1 pair). */
function initialStats(graph: NeighbourGraph, linkage: Linkage): Float64Array {
  const { n, offsets, neighbours, distances } = graph;
  if (!distances) throw new Error('single and complete linkage need edge distances');
  const stats = new Float64Array(2 * neighbours.length);
  for (let f = 0; f < n; f++) {
    for (let e = offsets[f]; e < offsets[f + 1]; e++) {
      stats[2 * e] = distances[e];
      const g = neighbours[e];
      stats[2 * e + 1] = linkage === 'single' ? Math.min(f, g) * n + Math.max(f, g) : 1;
    }
  }
  return stats;
}
