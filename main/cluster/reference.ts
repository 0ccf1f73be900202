/**
 * Brute-force agglomerative clustering: a full cluster-distance matrix, the globally closest
 * pair merged at each step. O(n^3) time, O(n^2) memory: for tests (n up to a few thousand).
 * It defines the exact result the fast paths must reproduce, tie-breaking included:
 *
 *  - every cluster pair has a value (distance, key) compared lexicographically;
 *  - average and complete: key = (smaller, larger) of the two clusters' smallest face indices;
 *  - single: key = the face pair (lo, hi) that realises the minimum distance, smallest first;
 *  - cannot-linked pairs and pairs above the threshold are never merged.
 */
import type { PreparedConstraints } from './constraints.ts';
import type { Linkage } from './types.ts';
import { averageLinkageFromSums, distanceFromDot, dotAt } from './vectorMath.ts';

export interface ReferenceMerge {
  /** Smallest face index of each merged cluster, a < b. */
  a: number;
  b: number;
  /** Linkage distance; -Infinity for must-link seeding. */
  height: number;
}

export interface ReferenceResult {
  merges: ReferenceMerge[];
  /** Smallest face index of each face's final cluster. */
  root: Int32Array;
}

export function referenceAgglomerative(
  vectors: Float32Array,
  n: number,
  dim: number,
  threshold: number,
  linkage: Linkage,
  constraints: PreparedConstraints,
): ReferenceResult {
  // Cluster ids are their smallest face index, so the pair (i < j) is the key for average and
  // complete linkage. dist/key/blocked are indexed i * n + j for i < j.
  const dist = new Float64Array(n * n);
  const key = new Float64Array(linkage === 'single' ? n * n : 0);
  const blocked = new Uint8Array(n * n);
  const sums = Float64Array.from(vectors.subarray(0, n * dim));
  const size = new Int32Array(n).fill(1);
  const alive = new Uint8Array(n).fill(1);
  const root = new Int32Array(n);
  for (let i = 0; i < n; i++) root[i] = i;
  const person = Int32Array.from(constraints.personOf);
  const at = (i: number, j: number) => (i < j ? i * n + j : j * n + i);

  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      dist[i * n + j] = distanceFromDot(dotAt(vectors, i * dim, vectors, j * dim, dim));
      if (key.length) key[i * n + j] = i * n + j;
    }
  }
  const cl = constraints.cannotLink;
  for (let p = 0; p < cl.length; p += 2) blocked[at(cl[p], cl[p + 1])] = 1;

  const merges: ReferenceMerge[] = [];
  const merge = (i: number, j: number, height: number) => {
    // i < j; the merged cluster keeps id i.
    merges.push({ a: i, b: j, height });
    for (let d = 0; d < dim; d++) sums[i * dim + d] += sums[j * dim + d];
    size[i] += size[j];
    alive[j] = 0;
    if (person[i] < 0) person[i] = person[j];
    for (let f = 0; f < n; f++) if (root[f] === j) root[f] = i;
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === i) continue;
      const ik = at(i, k);
      const jk = at(j, k);
      blocked[ik] |= blocked[jk];
      if (linkage === 'average') {
        dist[ik] = averageLinkageFromSums(sums, i * dim, size[i], k * dim, size[k], dim);
      } else if (linkage === 'complete') {
        dist[ik] = Math.max(dist[ik], dist[jk]);
      } else if (dist[jk] < dist[ik] || (dist[jk] === dist[ik] && key[jk] < key[ik])) {
        dist[ik] = dist[jk];
        key[ik] = key[jk];
      }
    }
  };

  for (const group of constraints.mustLink) {
    for (let g = 1; g < group.length; g++) merge(group[0], group[g], -Infinity);
  }

  for (;;) {
    let bestI = -1;
    let bestJ = -1;
    let bestD = Infinity;
    let bestKey = Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!alive[j]) continue;
        const ij = i * n + j;
        const d = dist[ij];
        if (d > threshold || blocked[ij]) continue;
        if (person[i] >= 0 && person[j] >= 0 && person[i] !== person[j]) continue;
        const k = key.length ? key[ij] : ij;
        if (d < bestD || (d === bestD && k < bestKey)) {
          bestD = d;
          bestKey = k;
          bestI = i;
          bestJ = j;
        }
      }
    }
    if (bestI < 0) break;
    merge(bestI, bestJ, bestD);
  }
  return { merges, root };
}
