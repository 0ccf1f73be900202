/**
 * Approximate k-nearest-neighbour search over a k-means tree's leaves, one task per leaf so
 * worker threads can share it without locks: a task owns the rows of its leaf's faces.
 *
 * Task for leaf H (faces Q): for each face, a best-bin-first search of the tree (nodes by dot
 * product with their centroid, best first) names its (probes - 1) nearest other leaves; then
 * blocked dot products Q × H and, per probed leaf L, (faces of Q probing L) × L. Only
 * neighbours within the radius are kept, the k nearest.
 */
import { RADIUS_SLACK } from '../exact/epsilonGraph.ts';
import { gather } from './kmeansTree.ts';
import { distanceFromDot, dotAt, forEachCloseDot, minDotForRadius } from '../vectorMath.ts';

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
  /** The k-means tree (see KMeansTree): node centroids, children, leaf of each node. */
  nodeCentroids: Float32Array;
  childStart: Int32Array;
  children: Int32Array;
  leafOf: Int32Array;
  /** Output, by row: the k nearest rows within the radius (ascending distance), -1 = empty. */
  knnRow: Int32Array;
  knnDistance: Float32Array;
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
    const block = gather(vectors, dim, rows);
    forEachCloseDot(block, 0, rows.length, vectors, leafStart[other], leafStart[other + 1], dim, minDot, (i, j, dot) =>
      insert(rows[i], j, dot),
    );
  }
}

/** For each face of the leaf, its (probes - 1) nearest other leaves: leaf → rows probing it. */
function chooseProbes(job: KnnJob, leaf: number): Map<number, number[]> {
  const probedBy = new Map<number, number[]>();
  const extra = Math.min(job.probes - 1, job.leaves - 1);
  if (extra <= 0) return probedBy;
  const queue = new BestFirstQueue();
  for (let r = job.leafStart[leaf]; r < job.leafStart[leaf + 1]; r++) {
    let found = 0;
    queue.clear();
    expand(job, r, 0, queue);
    // Bounded: a face with no clear direction stops after a few dozen nodes.
    for (let steps = 0; found < extra && queue.size > 0 && steps < 16 * job.probes; steps++) {
      const node = queue.pop();
      const l = job.leafOf[node];
      if (l < 0) {
        expand(job, r, node, queue);
      } else if (l !== leaf) {
        found++;
        const rows = probedBy.get(l);
        if (rows) rows.push(r);
        else probedBy.set(l, [r]);
      }
    }
  }
  return probedBy;
}

/** Queues node's children, scored by dot product with row r. */
function expand(job: KnnJob, r: number, node: number, queue: BestFirstQueue): void {
  const { vectors, dim, nodeCentroids, children } = job;
  for (let c = job.childStart[node]; c < job.childStart[node + 1]; c++) {
    const child = children[c];
    queue.push(dotAt(vectors, r * dim, nodeCentroids, child * dim, dim), child);
  }
}

/** Max-heap of (score, node). */
class BestFirstQueue {
  size = 0;
  private scores = new Float64Array(256);
  private nodes = new Int32Array(256);

  clear(): void {
    this.size = 0;
  }

  push(score: number, node: number): void {
    if (this.size === this.scores.length) {
      const scores = new Float64Array(2 * this.size);
      const nodes = new Int32Array(2 * this.size);
      scores.set(this.scores);
      nodes.set(this.nodes);
      [this.scores, this.nodes] = [scores, nodes];
    }
    let i = this.size++;
    while (i > 0 && this.scores[(i - 1) >> 1] < score) {
      const parent = (i - 1) >> 1;
      this.scores[i] = this.scores[parent];
      this.nodes[i] = this.nodes[parent];
      i = parent;
    }
    this.scores[i] = score;
    this.nodes[i] = node;
  }

  pop(): number {
    const top = this.nodes[0];
    const last = --this.size;
    const score = this.scores[last];
    const node = this.nodes[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.scores[child + 1] > this.scores[child]) child++;
      if (this.scores[child] <= score) break;
      this.scores[i] = this.scores[child];
      this.nodes[i] = this.nodes[child];
      i = child;
    }
    this.scores[i] = score;
    this.nodes[i] = node;
    return top;
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
