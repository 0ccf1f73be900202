/**
 * Approximate k-nearest-neighbour search over a leaf partition, one task per leaf so worker
 * threads can share it without locks: a task owns the rows of its leaf's faces.
 *
 * Task for leaf H (faces Q): pick for each face its (probes - 1) nearest other leaves among
 * H's candidate leaves (by centroid), then blocked dot products Q × H and, per probed leaf L,
 * (faces of Q probing L) × L. Only neighbours within the radius are kept, the k nearest.
 */
import { RADIUS_SLACK } from './epsilonGraph.ts';
import { distanceFromDot, forEachCloseDot, minDotForRadius } from './vectorMath.ts';

export interface KnnJob {
  /** Face vectors in leaf order, [n, dim]: row r is face order[r]. */
  vectors: Float32Array;
  n: number;
  dim: number;
  radius: number;
  k: number;
  probes: number;
  leaves: number;
  leafStart: Int32Array;
  centroids: Float32Array;
  /** Per leaf, `candidates` leaves nearest by centroid, itself first: [leaves, candidates]. */
  leafCandidates: Int32Array;
  candidates: number;
  /** Output, by row: the k nearest rows within the radius (ascending distance), -1 = empty. */
  knnRow: Int32Array;
  knnDistance: Float32Array;
}

/** Fills job.leafCandidates from the leaf centroids. */
export function nearestLeaves(
  centroids: Float32Array,
  leaves: number,
  dim: number,
  candidates: number,
  out: Int32Array,
): void {
  const dots = new Float64Array(leaves * leaves);
  forEachCloseDot(centroids, 0, leaves, centroids, 0, leaves, dim, -Infinity, (i, j, dot) => {
    dots[i * leaves + j] = i === j ? Infinity : dot;
  });
  const order = Array.from({ length: leaves }, (_, j) => j);
  for (let l = 0; l < leaves; l++) {
    const row = dots.subarray(l * leaves, (l + 1) * leaves);
    order.sort((a, b) => row[b] - row[a] || a - b);
    for (let c = 0; c < candidates; c++) out[l * candidates + c] = order[c];
  }
}

export function runKnnTask(job: KnnJob, leaf: number): void {
  const { vectors, dim, leafStart } = job;
  const qs = leafStart[leaf];
  const qe = leafStart[leaf + 1];
  const minDot = minDotForRadius(job.radius + RADIUS_SLACK);
  const insert = (row: number, other: number, dot: number) => insertNearest(job, row, other, distanceFromDot(dot));

  forEachCloseDot(vectors, qs, qe, vectors, qs, qe, dim, minDot, (i, j, dot) => {
    if (i !== j) insert(i, j, dot);
  });

  const probedBy = chooseProbes(job, leaf);
  for (const [other, rows] of probedBy) {
    const block = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => block.set(vectors.subarray(r * dim, (r + 1) * dim), i * dim));
    forEachCloseDot(block, 0, rows.length, vectors, leafStart[other], leafStart[other + 1], dim, minDot, (i, j, dot) =>
      insert(rows[i], j, dot),
    );
  }
}

/** For each face of the leaf, its (probes - 1) nearest candidate leaves: leaf → rows probing it. */
function chooseProbes(job: KnnJob, leaf: number): Map<number, number[]> {
  const { vectors, dim, leafStart, candidates } = job;
  const extra = Math.min(job.probes - 1, candidates - 1);
  const probedBy = new Map<number, number[]>();
  if (extra <= 0) return probedBy;
  const others = job.leafCandidates.subarray(leaf * candidates + 1, (leaf + 1) * candidates);
  const centroids = new Float32Array(others.length * dim);
  others.forEach((l, c) => centroids.set(job.centroids.subarray(l * dim, (l + 1) * dim), c * dim));
  const qs = leafStart[leaf];
  const qe = leafStart[leaf + 1];
  const width = others.length;
  const dots = new Float64Array((qe - qs) * width);
  forEachCloseDot(vectors, qs, qe, centroids, 0, width, dim, -Infinity, (i, c, dot) => {
    dots[(i - qs) * width + c] = dot;
  });
  const picked = new Int32Array(extra);
  for (let r = qs; r < qe; r++) {
    const row = dots.subarray((r - qs) * width, (r - qs + 1) * width);
    topIndices(row, picked);
    for (const c of picked) {
      const l = others[c];
      const rows = probedBy.get(l);
      if (rows) rows.push(r);
      else probedBy.set(l, [r]);
    }
  }
  return probedBy;
}

/** Indices of the out.length largest values, largest first (ties: lower index). */
function topIndices(values: Float64Array, out: Int32Array): void {
  const m = out.length;
  let filled = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (filled === m && v <= values[out[m - 1]]) continue;
    let p = filled < m ? filled++ : m - 1;
    while (p > 0 && values[out[p - 1]] < v) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = i;
  }
}

/** Keeps row's k nearest, ascending; first come wins ties. */
function insertNearest(job: KnnJob, row: number, other: number, distance: number): void {
  const { k, knnRow, knnDistance } = job;
  const base = row * k;
  if (knnRow[base + k - 1] >= 0 && distance >= knnDistance[base + k - 1]) return;
  let p = k - 1;
  while (p > 0 && (knnRow[base + p - 1] < 0 || knnDistance[base + p - 1] > distance)) {
    knnRow[base + p] = knnRow[base + p - 1];
    knnDistance[base + p] = knnDistance[base + p - 1];
    p--;
  }
  knnRow[base + p] = other;
  knnDistance[base + p] = distance;
}
