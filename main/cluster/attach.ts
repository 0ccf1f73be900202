/**
 * Places faces into existing clusters without re-clustering: each face joins the cluster with
 * the smallest average-linkage distance (2 - 2·dot(face, clusterSum) / clusterSize) when it is
 * within the threshold and allowed. Used for low-quality faces after clustering and for new
 * faces against clusters from an earlier run. Cluster sums are not updated while placing, so
 * the result does not depend on the order of the faces.
 */
import { mergeLimit } from './tree.ts';
import { forEachCloseDot, minDotForRadius } from './vectorMath.ts';

export interface AttachRequest {
  /** Faces to place, [m, dim]. */
  vectors: Float32Array;
  m: number;
  dim: number;
  /** Cluster vector sums [k, dim] and sizes. */
  sums: Float64Array;
  counts: ArrayLike<number>;
  threshold: number;
  /** Small-cluster caution (ClusterInput.caution): a face joins a cluster of c faces within mergeLimit(threshold, caution, 1, c). */
  caution?: number;
  /** True when face `row` may not join `cluster` (cannot-linked with one of its members). */
  forbidden?: (row: number, cluster: number) => boolean;
  /** Cannot-link pairs among the faces to place [r0, s0, r1, s1, ...]: never placed together. */
  pairs?: Int32Array;
}

/** Float32 cluster means lose a little precision; candidates are re-checked in float64. */
const MEAN_SLACK = 1e-4;

/** Cluster index per face row, -1 when no allowed cluster is within the threshold. */
export function attachToClusters(request: AttachRequest): Int32Array {
  const { vectors, m, dim, sums, counts, threshold } = request;
  const k = counts.length;
  const means = new Float32Array(k * dim);
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < dim; d++) means[c * dim + d] = sums[c * dim + d] / counts[c];
  }

  // Candidates (row, cluster, distance) within the threshold, closest first.
  const rows: number[] = [];
  const clusters: number[] = [];
  const distances: number[] = [];
  forEachCloseDot(vectors, 0, m, means, 0, k, dim, minDotForRadius(threshold + MEAN_SLACK), (r, c) => {
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += vectors[r * dim + d] * sums[c * dim + d];
    const distance = 2 - (2 * dot) / counts[c];
    if (distance > mergeLimit(threshold, request.caution ?? 1, 1, counts[c]) || request.forbidden?.(r, c)) return;
    rows.push(r);
    clusters.push(c);
    distances.push(distance);
  });
  const order = Array.from(rows.keys()).sort(
    (x, y) => distances[x] - distances[y] || rows[x] - rows[y] || clusters[x] - clusters[y],
  );

  const partners = partnerLists(request.pairs, m);
  const placed = new Int32Array(m).fill(-1);
  for (const x of order) {
    const r = rows[x];
    const c = clusters[x];
    if (placed[r] >= 0) continue;
    if (partners.get(r)?.some((p) => placed[p] === c)) continue;
    placed[r] = c;
  }
  return placed;
}

function partnerLists(pairs: Int32Array | undefined, m: number): Map<number, number[]> {
  const partners = new Map<number, number[]>();
  if (!pairs) return partners;
  for (let p = 0; p < pairs.length; p += 2) {
    const a = pairs[p];
    const b = pairs[p + 1];
    if (a < 0 || b < 0 || a >= m || b >= m) continue;
    (partners.get(a) ?? partners.set(a, []).get(a)!).push(b);
    (partners.get(b) ?? partners.set(b, []).get(b)!).push(a);
  }
  return partners;
}
