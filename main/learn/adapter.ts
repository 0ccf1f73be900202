/**
 * A light adapter on top of a frozen embedder: a linear map W (d × d, starting at the identity) and
 * L2 normalisation,
 *   y = W x / |W x|
 * so adapted embeddings stay on the unit sphere and keep every distance rule (thresholds in squared L2).
 * Pure functions over Float32Arrays: forward, the gradient with respect to W, and a compact encoding.
 */
import { LearnInputError } from './errors.ts';

export interface LinearAdapter {
  readonly kind: 'linear';
  readonly dim: number;
  /** d × d row-major: output k is Σ_j weights[k·d + j] · x_j. */
  readonly weights: Float32Array;
}

export function identityAdapter(dim: number): LinearAdapter {
  if (!(Number.isInteger(dim) && dim > 0)) throw new LearnInputError(`adapter dimension must be a positive integer, got ${dim}`, 'dim');
  const weights = new Float32Array(dim * dim);
  for (let k = 0; k < dim; k++) weights[k * dim + k] = 1;
  return { kind: 'linear', dim, weights };
}

export function createAdapter(dim: number, weights: ArrayLike<number>): LinearAdapter {
  if (weights.length !== dim * dim) throw new LearnInputError(`a ${dim}-D adapter has ${dim * dim} weights, got ${weights.length}`, 'weights');
  return { kind: 'linear', dim, weights: Float32Array.from(weights) };
}

/** What the backward pass needs from the forward one. */
export interface AdapterForward {
  /** [n, d] adapted, unit rows. */
  readonly outputs: Float32Array;
  /** |W x| of each row, before normalisation. */
  readonly norms: Float64Array;
}

/** Rows of `inputs` ([n, d]) through W and L2 normalisation. `weights` may be a float64 working copy. */
export function adapterForward(weights: ArrayLike<number>, dim: number, inputs: Float32Array): AdapterForward {
  const n = rows(inputs, dim);
  const outputs = new Float32Array(n * dim);
  const norms = new Float64Array(n);
  const z = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const x = i * dim;
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const w = k * dim;
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += weights[w + j]! * inputs[x + j]!;
      z[k] = sum;
      norm += sum * sum;
    }
    norm = Math.sqrt(norm);
    norms[i] = norm;
    const scale = norm > 0 ? 1 / norm : 0;
    for (let k = 0; k < dim; k++) outputs[x + k] = z[k]! * scale;
  }
  return { outputs, norms };
}

/** Adapted embeddings of `inputs` ([n, d] row-major). */
export function applyAdapter(adapter: LinearAdapter, inputs: Float32Array): Float32Array {
  return adapterForward(adapter.weights, adapter.dim, inputs).outputs;
}

/**
 * ∂L/∂W from ∂L/∂outputs. Through the normalisation y = z/|z|:  ∂L/∂z = (g − y (y·g)) / |z|;
 * through z = W x:  ∂L/∂W = Σ_i (∂L/∂z_i) x_iᵀ. Returned as d × d float64, row-major like W.
 */
export function adapterGradient(dim: number, inputs: Float32Array, forward: AdapterForward, outputGradient: Float32Array): Float64Array {
  const n = rows(inputs, dim);
  const gradient = new Float64Array(dim * dim);
  const dz = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const x = i * dim;
    let dot = 0;
    let any = false;
    for (let k = 0; k < dim; k++) {
      dot += forward.outputs[x + k]! * outputGradient[x + k]!;
      if (outputGradient[x + k] !== 0) any = true;
    }
    if (!any || forward.norms[i] === 0) continue; // rows outside every triplet add nothing
    for (let k = 0; k < dim; k++) dz[k] = (outputGradient[x + k]! - forward.outputs[x + k]! * dot) / forward.norms[i]!;
    for (let k = 0; k < dim; k++) {
      const g = dz[k]!;
      if (g === 0) continue;
      const w = k * dim;
      for (let j = 0; j < dim; j++) gradient[w + j] += g * inputs[x + j]!;
    }
  }
  return gradient;
}

/** Weights as base64 of little-endian float32, for a JSON setting. */
export function encodeWeights(weights: Float32Array): string {
  return Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64');
}

export function decodeWeights(base64: string, dim: number): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== dim * dim * 4) throw new LearnInputError(`adapter weights hold ${bytes.length / 4} values, a ${dim}-D adapter needs ${dim * dim}`, 'weights');
  const out = new Float32Array(dim * dim);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function rows(values: Float32Array, dim: number): number {
  if (values.length % dim !== 0) throw new LearnInputError(`${values.length} values do not make rows of ${dim}`, 'inputs');
  return values.length / dim;
}
