/**
 * The exact threshold graph: every face pair within `radius`, by blocked all-pairs dot products
 * (n²/2 · dim multiply-adds). Split into row-block tasks so worker threads can share it.
 */
import { distanceFromDot, forEachCloseDot, minDotForRadius } from '../vectorMath.ts';

/** Rows per task; columns are walked in tiles of the same size to stay in cache. */
export const EPSILON_BLOCK = 128;

/** Kept above the radius so rounding can never drop a pair the linkage needs. */
export const RADIUS_SLACK = 1e-9;

export interface EpsilonJob {
  vectors: Float32Array;
  n: number;
  dim: number;
  radius: number;
  withDistances: boolean;
}

/** Growable list of face pairs (and their distances). */
export class EdgeList {
  pairs: Int32Array = new Int32Array(1024);
  distances: Float64Array | null;
  count = 0;

  constructor(withDistances: boolean) {
    this.distances = withDistances ? new Float64Array(512) : null;
  }

  push(i: number, j: number, distance: number): void {
    if (2 * this.count === this.pairs.length) this.grow();
    this.pairs[2 * this.count] = i;
    this.pairs[2 * this.count + 1] = j;
    if (this.distances) this.distances[this.count] = distance;
    this.count++;
  }

  private grow(): void {
    const pairs = new Int32Array(this.pairs.length * 2);
    pairs.set(this.pairs);
    this.pairs = pairs;
    if (this.distances) {
      const distances = new Float64Array(this.distances.length * 2);
      distances.set(this.distances);
      this.distances = distances;
    }
  }
}

export function epsilonTaskCount(n: number): number {
  return Math.ceil(n / EPSILON_BLOCK);
}

/**
 * Runs row-block task `task`: pairs (i, j), i in the block, j > i, with distance <= radius
 * (+ slack). Early tasks are the largest (more columns to their right), so handing tasks out in
 * order balances the threads.
 */
export function runEpsilonTask(job: EpsilonJob, task: number, out: EdgeList): void {
  const { vectors, n, dim } = job;
  const minDot = minDotForRadius(job.radius + RADIUS_SLACK);
  const r0 = task * EPSILON_BLOCK;
  const r1 = Math.min(n, r0 + EPSILON_BLOCK);
  const onPair = (i: number, j: number, dot: number) => {
    if (j > i) out.push(i, j, distanceFromDot(dot));
  };
  for (let c0 = r0; c0 < n; c0 += EPSILON_BLOCK) {
    forEachCloseDot(vectors, r0, r1, vectors, c0, Math.min(n, c0 + EPSILON_BLOCK), dim, minDot, onPair);
  }
}
