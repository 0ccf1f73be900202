/**
 * Incremental assignment: new faces against the clusters of an earlier run. Each new face joins
 * the existing cluster with the smallest average-linkage distance when it is within the
 * threshold and allowed (no face of its photo there, not rejected from it); the faces that join
 * nothing are clustered among themselves.
 */
import { attachToClusters } from './attach.ts';
import { clusterFaces } from './clusterFaces.ts';
import { ClusterInputError } from './errors.ts';
import type { ClusterInput, ClusterResult, ClusterSummary } from './types.ts';

export interface ExistingCluster {
  /** Sum of the cluster's (unit) face vectors, dim values. */
  sum: ArrayLike<number>;
  /** Faces in the cluster. */
  count: number;
  /** Photos the cluster already has a face in: a new face of one of them cannot join. */
  photoIds?: ArrayLike<number>;
}

export interface IncrementalInput {
  existing: ReadonlyArray<ExistingCluster>;
  /** The new faces, [n, dim], unit rows. */
  vectors: Float32Array;
  dim: number;
  n?: number;
  threshold: number;
  /** Photo of each new face (negative = unknown). */
  photoIds?: ArrayLike<number>;
  /** Pairs of new faces that must not share a cluster. */
  cannotLink?: ReadonlyArray<readonly [number, number]>;
  /** New faces the user rejected from an existing cluster. */
  rejections?: ReadonlyArray<{ face: number; cluster: number }>;
  /** Options for clustering the rest (threshold, photos and cannot-links carry over). */
  rest?: Omit<ClusterInput, 'vectors' | 'dim' | 'n' | 'threshold' | 'photoIds' | 'cannotLink'>;
}

export interface IncrementalResult {
  /** Per new face: index of the existing cluster it joined, -1 if none. */
  joined: Int32Array;
  /**
   * Per new face: existing cluster e as e, new cluster j as existing.length + j, -1 = noise.
   */
  labels: Int32Array;
  /** The clusters formed among the faces that joined nothing; members are new-face indices. */
  newClusters: ClusterSummary[];
  /** True when clustering the rest took the approximate path. */
  approximate: boolean;
}

export function assignIncremental(input: IncrementalInput): IncrementalResult {
  const { vectors, dim, threshold, existing } = input;
  const n = input.n ?? vectors.length / dim;
  if (!Number.isInteger(n) || n * dim > vectors.length) {
    throw new ClusterInputError('n', `${n} faces of ${dim} values do not fit ${vectors.length} values`);
  }
  const k = existing.length;
  const sums = new Float64Array(k * dim);
  const counts = new Float64Array(k);
  existing.forEach((cluster, c) => {
    if (cluster.sum.length !== dim) throw new ClusterInputError('existing', `cluster ${c} sum has ${cluster.sum.length} values, not ${dim}`);
    if (!(cluster.count > 0)) throw new ClusterInputError('existing', `cluster ${c} has count ${cluster.count}`);
    for (let d = 0; d < dim; d++) sums[c * dim + d] = cluster.sum[d];
    counts[c] = cluster.count;
  });

  const photosOf = existing.map((cluster) => new Set(Array.from(cluster.photoIds ?? [])));
  const rejected = new Set((input.rejections ?? []).map(({ face, cluster }) => face * k + cluster));
  const pairs = newFacePairs(input, n);
  const joined = attachToClusters({
    vectors,
    m: n,
    dim,
    sums,
    counts,
    threshold,
    caution: input.rest?.caution,
    forbidden: (face, c) => rejected.has(face * k + c) || (input.photoIds !== undefined && photosOf[c].has(input.photoIds[face])),
    pairs,
  });

  const rest = clusterRest(input, n, joined, pairs);
  const labels = new Int32Array(n).fill(-1);
  for (let f = 0; f < n; f++) if (joined[f] >= 0) labels[f] = joined[f];
  rest.clusters.forEach((cluster) => {
    for (const f of cluster.members) labels[f] = k + cluster.label;
  });
  return { joined, labels, newClusters: rest.clusters, approximate: rest.approximate };
}

/** Cannot-link pairs among the new faces: explicit pairs and faces of one photo. */
function newFacePairs(input: IncrementalInput, n: number): Int32Array {
  const pairs: number[] = [];
  for (const [i, j] of input.cannotLink ?? []) pairs.push(i, j);
  if (input.photoIds) {
    const byPhoto = new Map<number, number[]>();
    for (let f = 0; f < n; f++) {
      const photo = input.photoIds[f];
      if (photo < 0) continue;
      const faces = byPhoto.get(photo);
      if (!faces) {
        byPhoto.set(photo, [f]);
        continue;
      }
      for (const other of faces) pairs.push(other, f);
      faces.push(f);
    }
  }
  return Int32Array.from(pairs);
}

/** Clusters the faces that joined nothing; members mapped back to new-face indices. */
function clusterRest(
  input: IncrementalInput,
  n: number,
  joined: Int32Array,
  pairs: Int32Array,
): { clusters: ClusterSummary[]; approximate: boolean } {
  const rows: number[] = [];
  const rowOf = new Int32Array(n).fill(-1);
  for (let f = 0; f < n; f++) if (joined[f] < 0) rowOf[f] = rows.push(f) - 1;
  if (rows.length === 0) return { clusters: [], approximate: false };
  const { dim } = input;
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((f, r) => vectors.set(input.vectors.subarray(f * dim, (f + 1) * dim), r * dim));
  const cannotLink: Array<[number, number]> = [];
  for (let p = 0; p < pairs.length; p += 2) {
    const [a, b] = [rowOf[pairs[p]], rowOf[pairs[p + 1]]];
    if (a >= 0 && b >= 0) cannotLink.push([a, b]);
  }
  const result: ClusterResult = clusterFaces({ ...input.rest, vectors, dim, threshold: input.threshold, cannotLink });
  const clusters = result.clusters.map((cluster) => ({ ...cluster, members: cluster.members.map((r) => rows[r]) }));
  return { clusters, approximate: result.approximate };
}

/** Vector sums and sizes of labelled clusters (labels 0..k-1, -1 ignored): input for `existing`. */
export function clusterSums(
  vectors: Float32Array,
  dim: number,
  labels: ArrayLike<number>,
): { sums: Float64Array; counts: Int32Array } {
  let k = 0;
  for (let f = 0; f < labels.length; f++) k = Math.max(k, labels[f] + 1);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let f = 0; f < labels.length; f++) {
    const c = labels[f];
    if (c < 0) continue;
    counts[c]++;
    for (let d = 0; d < dim; d++) sums[c * dim + d] += vectors[f * dim + d];
  }
  return { sums, counts };
}
