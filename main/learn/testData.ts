/** Small data builders shared by the learn tests. */
import { type Rng, createRng } from '../core/random.ts';

/** n random unit vectors of dimension d, row-major. */
export function randomUnitRows(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < d; k++) {
      const value = gaussian(rng);
      out[i * d + k] = value;
      norm += value * value;
    }
    for (let k = 0; k < d; k++) out[i * d + k] = out[i * d + k]! / Math.sqrt(norm);
  }
  return out;
}

/** Points on the unit circle at the given angles (degrees): hand-checkable squared distances 2 - 2cos(Δ). */
export function circlePoints(degrees: readonly number[]): Float32Array {
  return Float32Array.from(degrees.flatMap((deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]));
}

/** Labels 0,0,…,1,1,… for k identities of m faces each. */
export function blockLabels(k: number, m: number): Int32Array {
  return Int32Array.from({ length: k * m }, (_, i) => Math.floor(i / m));
}

/** Central differences of `loss`, one coordinate at a time; the steps are the float32 values actually stored. */
export function numericGradient(embeddings: Float32Array, loss: (e: Float32Array) => number, h = 1e-3): Float64Array {
  const e = embeddings.slice();
  return Float64Array.from(embeddings, (original, i) => {
    e[i] = original + h;
    const up = e[i]!;
    const lossUp = loss(e);
    e[i] = original - h;
    const down = e[i]!;
    const lossDown = loss(e);
    e[i] = original;
    return (lossUp - lossDown) / (up - down);
  });
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

export interface SubspaceFaces {
  /** [persons · perPerson, dim] unit rows, person by person. */
  readonly vectors: Float32Array;
  readonly labels: Int32Array;
}

/**
 * Embeddings whose persons differ only in the first two dimensions: persons evenly spaced on a circle
 * of radius `signal` there, faces spread 0.3 · signal around them; in the other dimensions isotropic
 * noise of unit total variance. Distances are dominated by the noise, so the base space verifies poorly, yet a linear map
 * that stretches the two dimensions separates the persons: what an adapter should find.
 */
export function subspaceFaces(persons: number, perPerson: number, dim: number, seed: number, signal = 0.35): SubspaceFaces {
  const rng = createRng(seed);
  const centres = Array.from({ length: persons }, (_, p) => [Math.cos((2 * Math.PI * p) / persons), Math.sin((2 * Math.PI * p) / persons)]);
  const vectors = new Float32Array(persons * perPerson * dim);
  const labels = new Int32Array(persons * perPerson);
  for (let p = 0; p < persons; p++) {
    for (let k = 0; k < perPerson; k++) {
      const i = p * perPerson + k;
      labels[i] = p;
      let norm = 0;
      for (let d = 0; d < dim; d++) {
        const value = d < 2 ? signal * (centres[p]![d]! + 0.3 * gaussian(rng)) : gaussian(rng) / Math.sqrt(dim);
        vectors[i * dim + d] = value;
        norm += value * value;
      }
      for (let d = 0; d < dim; d++) vectors[i * dim + d] = vectors[i * dim + d]! / Math.sqrt(norm);
    }
  }
  return { vectors, labels };
}
