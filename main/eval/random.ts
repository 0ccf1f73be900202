/** Seeded random numbers and random unit vectors for synthetic data and tests. */
import { Random } from '../core/random.ts';

export { Random };

/** Scales row r of a [*, dim] array to unit length. */
export function normalizeRow(values: Float32Array | Float64Array, row: number, dim: number): void {
  let norm = 0;
  for (let d = row * dim; d < (row + 1) * dim; d++) norm += values[d] * values[d];
  const scale = 1 / Math.sqrt(norm);
  for (let d = row * dim; d < (row + 1) * dim; d++) values[d] *= scale;
}

/** n random unit vectors, uniform on the sphere. */
export function randomUnitVectors(n: number, dim: number, seed: number): Float32Array {
  const random = new Random(seed);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = random.gaussian();
    normalizeRow(vectors, i, dim);
  }
  return vectors;
}
