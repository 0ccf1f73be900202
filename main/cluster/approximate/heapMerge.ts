/**
 * Merging on the approximate k-nearest-neighbour graph: greedy "closest adjacent pair first"
 * with a lazy heap. A graph that holds only part of each cluster's neighbours makes the linkage
 * non-reducible, so the nearest-neighbour chain would rescan a large cluster's whole
 * neighbourhood after every face it absorbs; here an entry is only re-evaluated when it reaches
 * the top of the heap (average linkage: distances of a large cluster change by ~1/size per
 * merge, so the heap order barely moves).
 *
 * Entry (key, a, b, sizes): current when a and b are still clusters of those sizes; a stale
 * entry is re-evaluated and pushed back. When the heap runs dry above the cap, the leftover
 * stale entries are swept once more (a merge can pull two clusters back within reach).
 * Each connected component of the graph is merged on its own heap.
 */
import type { ClusterState } from '../clusterState.ts';
import type { NeighbourGraph } from '../graph.ts';
import type { Linkage } from '../types.ts';
import { averageLinkageFromSums, distanceFromDot, dotAt } from '../vectorMath.ts';

export type Recorder = (a: number, b: number, height: number) => void;

/** Entry sizes are encoded as countA · 2^26 + countB (exact in a double for counts < 2^26). */
const SIZE_SHIFT = 2 ** 26;

export function mergeOnGraph(
  state: ClusterState,
  vectors: Float32Array,
  graph: NeighbourGraph,
  linkage: Linkage,
  cap: number,
  record: Recorder,
  onMerge: () => void,
): void {
  const { sets, count } = state;
  const dim = state.dim;
  const distance = (a: number, b: number) =>
    averageLinkageFromSums(state.sums!, a * dim, count[a], b * dim, count[b], dim);
  const sizes = (a: number, b: number) => count[a] * SIZE_SHIFT + count[b];
  // Several face edges can lead to one cluster pair; after a merge each would be re-evaluated
  // and pushed again. Each cluster remembers the last partner it was pushed with (and their
  // sizes then), which catches nearly all such repeats.
  const lastPartner = new Int32Array(state.n).fill(-1);
  const lastSizes = new Float64Array(state.n);
  const heap = new EdgeHeap(1024);
  const pushPair = (a: number, b: number) => {
    const code = sizes(a, b);
    if (lastPartner[b] === a && lastSizes[b] === code) return;
    lastPartner[b] = a;
    lastSizes[b] = code;
    heap.push(distance(a, b), a, b, code);
  };
  const mergeIfAllowed = (a: number, b: number, height: number) => {
    if (state.conflicted(a, b)) return;
    const ma = state.minIndex[a];
    const mb = state.minIndex[b];
    state.merge(a, b);
    record(Math.min(ma, mb), Math.max(ma, mb), height);
    onMerge();
  };

  // Clusters in different connected components never meet, so each component runs on its own
  // heap: small heaps stay in cache, and the order across components does not matter.
  const { start, faces } = components(graph, state);
  for (let c = 0; c + 1 < start.length; c++) {
    if (start[c + 1] - start[c] < 2) continue;
    for (let p = start[c]; p < start[c + 1]; p++) {
      const i = faces[p];
      for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
        const j = graph.neighbours[e];
        if (j <= i) continue;
        const a = sets.find(i);
        const b = sets.find(j);
        if (a === b) continue;
        if (linkage === 'single') heap.push(distanceFromDot(dotAt(vectors, i * dim, vectors, j * dim, dim)), i, j, -1);
        else heap.push(distance(a, b), a, b, sizes(a, b));
      }
    }
    for (;;) {
      while (heap.size > 0 && heap.topKey() <= cap) {
        const entry = heap.pop();
        const { key, a, b } = entry;
        const ra = sets.find(a);
        const rb = sets.find(b);
        if (ra === rb) continue;
        if (linkage === 'single') {
          // Kruskal: an edge's distance never changes; the single-linkage height is the edge's.
          mergeIfAllowed(ra, rb, key);
        } else if (ra === a && rb === b && sizes(a, b) === entry.sizes) {
          mergeIfAllowed(a, b, key);
        } else if (!state.conflicted(ra, rb)) {
          pushPair(Math.min(ra, rb), Math.max(ra, rb));
        }
      }
      if (linkage === 'single' || sweep(heap, state, distance, sizes, cap) === 0) break;
    }
    heap.size = 0;
  }
}

/** Faces grouped by connected component of the graph (must-link seeds count as connected). */
function components(graph: NeighbourGraph, state: ClusterState): { start: Int32Array; faces: Int32Array } {
  const n = graph.n;
  const parent = new Int32Array(n);
  for (let f = 0; f < n; f++) parent[f] = state.sets.find(f);
  const find = (x: number) => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (let i = 0; i < n; i++) {
    for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
      const a = find(i);
      const b = find(graph.neighbours[e]);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  // Counting sort of faces by component root.
  const size = new Int32Array(n);
  for (let f = 0; f < n; f++) size[find(f)]++;
  const roots: number[] = [];
  for (let r = 0; r < n; r++) if (size[r] > 0) roots.push(r);
  const start = new Int32Array(roots.length + 1);
  const slot = new Int32Array(n);
  roots.forEach((r, c) => {
    slot[r] = start[c];
    start[c + 1] = start[c] + size[r];
  });
  const faces = new Int32Array(n);
  for (let f = 0; f < n; f++) faces[slot[find(f)]++] = f;
  return { start, faces };
}

/** Re-evaluates stale entries above the cap; returns how many came back within it. */
function sweep(
  heap: EdgeHeap,
  state: ClusterState,
  distance: (a: number, b: number) => number,
  sizes: (a: number, b: number) => number,
  cap: number,
): number {
  const { sets } = state;
  const entries = heap.drain();
  let within = 0;
  for (const entry of entries) {
    const ra = sets.find(entry.a);
    const rb = sets.find(entry.b);
    if (ra === rb || state.conflicted(ra, rb)) continue;
    if (ra === entry.a && rb === entry.b && sizes(ra, rb) === entry.sizes) {
      heap.push(entry.key, ra, rb, entry.sizes);
      continue;
    }
    const d = distance(ra, rb);
    if (d <= cap) within++;
    heap.push(d, ra, rb, sizes(ra, rb));
  }
  return within;
}

interface Entry {
  key: number;
  a: number;
  b: number;
  sizes: number;
}

/** Binary min-heap of (key, a, b, sizes code) in parallel typed arrays. */
class EdgeHeap {
  size = 0;
  private keys: Float64Array;
  private as: Int32Array;
  private bs: Int32Array;
  private sizes: Float64Array;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.as = new Int32Array(capacity);
    this.bs = new Int32Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  topKey(): number {
    return this.keys[0];
  }

  push(key: number, a: number, b: number, sizes: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, key, a, b, sizes);
  }

  pop(): Entry {
    const top = { key: this.keys[0], a: this.as[0], b: this.bs[0], sizes: this.sizes[0] };
    const last = --this.size;
    if (last > 0) {
      const key = this.keys[last];
      const [a, b, sizes] = [this.as[last], this.bs[last], this.sizes[last]];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        if (child + 1 < last && this.keys[child + 1] < this.keys[child]) child++;
        if (this.keys[child] >= key) break;
        this.move(child, i);
        i = child;
      }
      this.set(i, key, a, b, sizes);
    }
    return top;
  }

  /** Removes and returns every entry. */
  drain(): Entry[] {
    const out: Entry[] = [];
    for (let i = 0; i < this.size; i++) out.push({ key: this.keys[i], a: this.as[i], b: this.bs[i], sizes: this.sizes[i] });
    this.size = 0;
    return out;
  }

  private set(i: number, key: number, a: number, b: number, sizes: number): void {
    this.keys[i] = key;
    this.as[i] = a;
    this.bs[i] = b;
    this.sizes[i] = sizes;
  }

  private move(from: number, to: number): void {
    this.set(to, this.keys[from], this.as[from], this.bs[from], this.sizes[from]);
  }

  private grow(): void {
    const capacity = this.keys.length * 2;
    const keys = new Float64Array(capacity);
    const as = new Int32Array(capacity);
    const bs = new Int32Array(capacity);
    const sizes = new Float64Array(capacity);
    keys.set(this.keys);
    as.set(this.as);
    bs.set(this.bs);
    sizes.set(this.sizes);
    [this.keys, this.as, this.bs, this.sizes] = [keys, as, bs, sizes];
  }
}
