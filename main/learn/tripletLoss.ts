/**
 * The FaceNet triplet loss (Schroff et al. 2015, eq. 3) and its gradient, as pure functions.
 *
 * Embeddings are an n × d row-major Float32Array of L2-normalised rows. A triplet names three rows:
 * anchor a, positive p (same identity) and negative n (another identity). Its loss is the hinge
 *   [ |a-p|² - |a-n|² + α ]_+
 * and the batch loss is the sum over triplets (or their mean, on request). Arithmetic is in float64;
 * the gradient comes back as float32 to match the embeddings.
 */
import { LearnInputError } from './errors.ts';

/** The paper's margin α. */
export const DEFAULT_MARGIN = 0.2;

export interface Triplet {
  readonly anchor: number;
  readonly positive: number;
  readonly negative: number;
}

export interface TripletLossOptions {
  /** Margin α between positive and negative squared distances. Default 0.2. */
  readonly margin?: number;
  /** 'sum' is the paper's Σ; 'mean' divides by the number of triplets so the step size does not depend on it. */
  readonly reduction?: 'sum' | 'mean';
}

export interface TripletLossResult {
  readonly loss: number;
  /** ∂loss/∂embeddings, n × d like the input. */
  readonly gradient: Float32Array;
  /** Triplets whose hinge is above zero: the only ones that move the embeddings. */
  readonly activeTriplets: number;
}

/** Rows in an n × d matrix, after checking the shape adds up. */
export function rowCount(embeddings: Float32Array, dim: number): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new LearnInputError(`dimension must be a positive integer, got ${dim}`, 'dim');
  if (embeddings.length % dim !== 0) {
    throw new LearnInputError(`${embeddings.length} values do not make rows of ${dim}`, 'embeddings');
  }
  return embeddings.length / dim;
}

/** |row i - row j|², summed as differences (not 2 - 2·dot) so small distances keep their precision. */
export function squaredDistance(embeddings: Float32Array, dim: number, i: number, j: number): number {
  const a = i * dim;
  const b = j * dim;
  let sum = 0;
  for (let k = 0; k < dim; k++) {
    const diff = embeddings[a + k]! - embeddings[b + k]!;
    sum += diff * diff;
  }
  return sum;
}

/** All pairwise squared distances: n × n, row-major, symmetric, zero diagonal. */
export function squaredDistances(embeddings: Float32Array, dim: number): Float64Array {
  const n = rowCount(embeddings, dim);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = squaredDistance(embeddings, dim, i, j);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}

/** Options with defaults filled in, after checking them. */
export function resolveLossOptions(options: TripletLossOptions): { margin: number; reduction: 'sum' | 'mean' } {
  const margin = options.margin ?? DEFAULT_MARGIN;
  if (!Number.isFinite(margin) || margin < 0) throw new LearnInputError(`margin must be ≥ 0, got ${margin}`, 'margin');
  const reduction = options.reduction ?? 'sum';
  if (reduction !== 'sum' && reduction !== 'mean') {
    throw new LearnInputError(`reduction must be 'sum' or 'mean', got ${String(reduction)}`, 'reduction');
  }
  return { margin, reduction };
}

function checkTriplets(triplets: readonly Triplet[], n: number): void {
  for (const [index, t] of triplets.entries()) {
    for (const row of [t.anchor, t.positive, t.negative]) {
      if (!Number.isInteger(row) || row < 0 || row >= n) {
        throw new LearnInputError(`triplet ${index} names row ${row}, outside 0..${n - 1}`, 'triplets');
      }
    }
  }
}

/** The hinge of one triplet before clipping: |a-p|² - |a-n|² + α. */
export function tripletHinge(embeddings: Float32Array, dim: number, t: Triplet, margin = DEFAULT_MARGIN): number {
  return squaredDistance(embeddings, dim, t.anchor, t.positive) - squaredDistance(embeddings, dim, t.anchor, t.negative) + margin;
}

/** L = Σ [ |a-p|² - |a-n|² + α ]_+ over the triplets (÷ count with reduction 'mean'; 0 for no triplets). */
export function tripletLoss(
  embeddings: Float32Array,
  dim: number,
  triplets: readonly Triplet[],
  options: TripletLossOptions = {},
): number {
  const n = rowCount(embeddings, dim);
  const { margin, reduction } = resolveLossOptions(options);
  checkTriplets(triplets, n);
  let loss = 0;
  for (const t of triplets) loss += Math.max(0, tripletHinge(embeddings, dim, t, margin));
  return reduction === 'mean' && triplets.length > 0 ? loss / triplets.length : loss;
}

/** ∂L/∂embeddings alone. */
export function tripletLossGradient(
  embeddings: Float32Array,
  dim: number,
  triplets: readonly Triplet[],
  options: TripletLossOptions = {},
): Float32Array {
  return tripletLossWithGradient(embeddings, dim, triplets, options).gradient;
}

/**
 * Loss and analytic gradient in one pass. For an active triplet (hinge > 0):
 *   ∂/∂a = 2(n - p),  ∂/∂p = 2(p - a),  ∂/∂n = 2(a - n)
 * and rows used by several triplets accumulate. A hinge of exactly 0 counts as inactive (subgradient 0),
 * the same choice ReLU makes in tfjs, so the tensor version agrees.
 */
export function tripletLossWithGradient(
  embeddings: Float32Array,
  dim: number,
  triplets: readonly Triplet[],
  options: TripletLossOptions = {},
): TripletLossResult {
  const n = rowCount(embeddings, dim);
  const { margin, reduction } = resolveLossOptions(options);
  checkTriplets(triplets, n);
  const scale = reduction === 'mean' && triplets.length > 0 ? 1 / triplets.length : 1;
  const gradient = new Float64Array(embeddings.length);
  let loss = 0;
  let activeTriplets = 0;
  for (const t of triplets) {
    const hinge = tripletHinge(embeddings, dim, t, margin);
    if (hinge <= 0) continue;
    loss += hinge;
    activeTriplets++;
    const a = t.anchor * dim;
    const p = t.positive * dim;
    const q = t.negative * dim;
    for (let k = 0; k < dim; k++) {
      const ak = embeddings[a + k]!;
      const pk = embeddings[p + k]!;
      const nk = embeddings[q + k]!;
      gradient[a + k] += 2 * scale * (nk - pk);
      gradient[p + k] += 2 * scale * (pk - ak);
      gradient[q + k] += 2 * scale * (ak - nk);
    }
  }
  return { loss: loss * scale, gradient: Float32Array.from(gradient), activeTriplets };
}
