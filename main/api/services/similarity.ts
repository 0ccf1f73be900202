/**
 * Nearest faces and nearest persons by brute force over one model's vectors: pure functions over arrays,
 * no store. Vectors are L2-normalised, so squared distance is 2 - 2·dot; 100k faces × 128 dimensions is
 * 12.8 M multiply-adds, a few tens of milliseconds.
 */

export interface VectorBlock {
  dimensions: number;
  /** faceIds[i] owns vectors[i·dimensions .. (i+1)·dimensions). */
  faceIds: ArrayLike<number>;
  vectors: Float32Array;
}

export interface Neighbour {
  faceId: number;
  /** Squared Euclidean distance, in [0, 4]. */
  distance: number;
}

function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dimensions: number): number {
  let sum = 0;
  for (let d = 0; d < dimensions; d++) sum += a[aOffset + d]! * b[bOffset + d]!;
  return sum;
}

/** The `k` faces nearest to `query`, nearest first, leaving out `exclude`. */
export function nearestFaces(block: VectorBlock, query: Float32Array, k: number, exclude: ReadonlySet<number> = new Set()): Neighbour[] {
  const { dimensions, faceIds, vectors } = block;
  if (query.length !== dimensions) throw new RangeError(`query has ${query.length} dimensions, the vectors ${dimensions}`);
  // A bounded list kept sorted by insertion: k is small (tens to hundreds), n large.
  const best: Neighbour[] = [];
  for (let i = 0; i < faceIds.length; i++) {
    const faceId = faceIds[i]!;
    if (exclude.has(faceId)) continue;
    const distance = Math.max(0, 2 - 2 * dot(vectors, i * dimensions, query, 0, dimensions));
    if (best.length === k && distance >= best[k - 1]!.distance) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.distance > distance) at--;
    best.splice(at, 0, { faceId, distance });
    if (best.length > k) best.pop();
  }
  return best;
}

/** The mean direction of each group's vectors, re-normalised; groups with no vector are left out. */
export function centroids(block: VectorBlock, groups: ReadonlyMap<number, readonly number[]>): Map<number, Float32Array> {
  const { dimensions, faceIds, vectors } = block;
  const rowOf = new Map<number, number>();
  for (let i = 0; i < faceIds.length; i++) rowOf.set(faceIds[i]!, i);
  const result = new Map<number, Float32Array>();
  for (const [key, members] of groups) {
    const sum = new Float32Array(dimensions);
    let count = 0;
    for (const faceId of members) {
      const row = rowOf.get(faceId);
      if (row === undefined) continue;
      for (let d = 0; d < dimensions; d++) sum[d]! += vectors[row * dimensions + d]!;
      count++;
    }
    if (count === 0) continue;
    const norm = Math.hypot(...sum);
    if (norm === 0) continue;
    for (let d = 0; d < dimensions; d++) sum[d]! /= norm;
    result.set(key, sum);
  }
  return result;
}

/** The centroid nearest to `vector`, skipping the keys in `forbidden`; undefined when none is left. */
export function nearestCentroid(
  vector: Float32Array,
  vectorOffset: number,
  candidates: ReadonlyMap<number, Float32Array>,
  forbidden: ReadonlySet<number> | undefined,
): { key: number; distance: number } | undefined {
  let best: { key: number; distance: number } | undefined;
  for (const [key, centroid] of candidates) {
    if (forbidden?.has(key)) continue;
    const distance = Math.max(0, 2 - 2 * dot(vector, vectorOffset, centroid, 0, centroid.length));
    if (!best || distance < best.distance) best = { key, distance };
  }
  return best;
}

/** The row of `faceId` in the block, by binary search (faceIds ascend), or -1. */
export function rowOfFace(faceIds: ArrayLike<number>, faceId: number): number {
  let lo = 0, hi = faceIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = faceIds[mid]!;
    if (value === faceId) return mid;
    if (value < faceId) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Whole years between a birth date (YYYY-MM-DD) and the day a photo was taken (ISO 8601, date first);
 * null when either is unknown or the photo predates the birth.
 */
export function ageAt(birthDate: string | null, takenAt: string | null): number | null {
  if (!birthDate || !takenAt) return null;
  const born = /^(\d{4})-(\d{2})-(\d{2})/u.exec(birthDate);
  const taken = /^(\d{4})-(\d{2})-(\d{2})/u.exec(takenAt);
  if (!born || !taken) return null;
  const [by, bm, bd] = born.slice(1).map(Number) as [number, number, number];
  const [ty, tm, td] = taken.slice(1).map(Number) as [number, number, number];
  let years = ty - by;
  if (tm < bm || (tm === bm && td < bd)) years--;
  return years < 0 ? null : years;
}
