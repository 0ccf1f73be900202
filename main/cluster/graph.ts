/**
 * An undirected neighbour graph in compressed rows: the candidate pairs the merging looks at.
 * Exact path: every pair within the tree height. Approximate path: each face's k nearest
 * within the tree height, symmetrised.
 */
import type { EdgeList } from './exact/epsilonGraph.ts';

export interface NeighbourGraph {
  n: number;
  /** Row f is neighbours[offsets[f] .. offsets[f + 1]). */
  offsets: Int32Array;
  neighbours: Int32Array;
  /** Distance of each entry (single and complete linkage only). */
  distances?: Float64Array;
  /** Undirected edges (each stored in both rows). */
  edges: number;
}

/** What the graph stage hands to the merging: the graph (null when too dense to hold) and its cost. */
export interface BuiltGraph {
  graph: NeighbourGraph | null;
  seconds: number;
  /** Approximate path: the share of true neighbours a sample of faces found. */
  sampledRecall?: number;
}

/** Builds the graph from undirected edge lists (each pair once, any orientation). */
export function graphFromPairs(n: number, lists: ReadonlyArray<EdgeList>): NeighbourGraph {
  const offsets = new Int32Array(n + 1);
  let edges = 0;
  for (const { pairs, count } of lists) {
    edges += count;
    for (let p = 0; p < 2 * count; p++) offsets[pairs[p] + 1]++;
  }
  for (let f = 0; f < n; f++) offsets[f + 1] += offsets[f];
  const fill = offsets.slice(0, n);
  const neighbours = new Int32Array(offsets[n]);
  const withDistances = lists.length > 0 && lists[0].distances !== null;
  const dist = withDistances ? new Float64Array(offsets[n]) : undefined;
  for (const { pairs, count, distances } of lists) {
    for (let p = 0; p < count; p++) {
      const i = pairs[2 * p];
      const j = pairs[2 * p + 1];
      const ei = fill[i]++;
      const ej = fill[j]++;
      neighbours[ei] = j;
      neighbours[ej] = i;
      if (dist && distances) {
        dist[ei] = distances[p];
        dist[ej] = distances[p];
      }
    }
  }
  return { n, offsets, neighbours, distances: dist, edges };
}

/**
 * Symmetrises k-nearest-neighbour lists (rows of k entries, -1 = empty) into a graph,
 * each undirected edge once per row.
 */
export function graphFromKnn(n: number, k: number, knn: Int32Array): NeighbourGraph {
  // Directed entries i→j; the reverse j→i is added unless j already lists i.
  const listed = (i: number, j: number) => {
    for (let e = j * k; e < j * k + k; e++) if (knn[e] === i) return true;
    return false;
  };
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let e = i * k; e < i * k + k; e++) {
      const j = knn[e];
      if (j < 0) break;
      offsets[i + 1]++;
      if (!listed(i, j)) offsets[j + 1]++;
    }
  }
  for (let f = 0; f < n; f++) offsets[f + 1] += offsets[f];
  const fill = offsets.slice(0, n);
  const neighbours = new Int32Array(offsets[n]);
  for (let i = 0; i < n; i++) {
    for (let e = i * k; e < i * k + k; e++) {
      const j = knn[e];
      if (j < 0) break;
      neighbours[fill[i]++] = j;
      if (!listed(i, j)) neighbours[fill[j]++] = i;
    }
  }
  return { n, offsets, neighbours, edges: offsets[n] / 2 };
}
