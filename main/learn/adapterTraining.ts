/**
 * Training a linear adapter (adapter.ts) on stored embeddings with the triplet loss: K persons × M
 * faces per batch, one semi-hard negative per anchor-positive pair (mining.ts), Adam on W, and a pull
 * of W towards the identity (weight decay on W − I) so that what the labelled faces do not constrain
 * stays as the base model had it. Pure: no tfjs, no store; the same seed replays the same run.
 */
import { type LinearAdapter, adapterForward, adapterGradient, createAdapter, identityAdapter } from './adapter.ts';
import { LearnInputError } from './errors.ts';
import { type Identity, buildBatch, selectTriplets } from './mining.ts';
import { createRng } from '../core/random.ts';
import { tripletLossWithGradient } from './tripletLoss.ts';

export interface AdapterTrainingOptions {
  /** Default 200. */
  readonly steps?: number;
  /** K persons per batch, capped at the persons available. Default 8. */
  readonly identitiesPerBatch?: number;
  /** M faces per person. Default 8. */
  readonly facesPerIdentity?: number;
  readonly margin?: number;
  /** Adam's step size. Default 0.01. */
  readonly learningRate?: number;
  /** λ in λ/2 · |W − I|². Default 0.3: a few dozen faces per person easily overfit a d × d map. */
  readonly weightDecay?: number;
  readonly seed?: number;
}

/**
 * The adapter's triplet margin. FaceNet's 0.2 suits a network learning its own embedding's scale, but
 * the adapter works in a frozen embedder's space where one person's faces lie within about 0.17
 * (dlib-resnet, squared L2): a 0.2 margin makes it stretch the whole space, and on the
 * personalisation protocol (`facet eval finetune`) it lowered every figure (LFW 0.9912 → 0.9847),
 * while 0.05 raised them (README).
 */
export const ADAPTER_MARGIN = 0.05;

export interface AdapterTrainingResult {
  readonly adapter: LinearAdapter;
  /** Per step: Σ hinge of the mined triplets / anchor-positive pairs. */
  readonly losses: readonly number[];
  /** Per step: anchor-positive pairs with an active triplet / pairs. */
  readonly activeFractions: readonly number[];
}

/** `vectors` [n, dim] (unit rows of the base model), `labels[i]` the person of row i. */
export function trainAdapter(vectors: Float32Array, dim: number, labels: ArrayLike<number>, options: AdapterTrainingOptions = {}): AdapterTrainingResult {
  const steps = options.steps ?? 200;
  const margin = options.margin ?? ADAPTER_MARGIN;
  const learningRate = options.learningRate ?? 0.01;
  const weightDecay = options.weightDecay ?? 0.3;
  if (!(Number.isInteger(steps) && steps >= 0)) throw new LearnInputError(`steps must be an integer ≥ 0, got ${steps}`, 'steps');
  if (!(learningRate > 0)) throw new LearnInputError(`learning rate must be > 0, got ${learningRate}`, 'learningRate');
  if (!(weightDecay >= 0)) throw new LearnInputError(`weight decay must be ≥ 0, got ${weightDecay}`, 'weightDecay');
  if (labels.length * dim !== vectors.length) throw new LearnInputError(`${labels.length} labels for ${vectors.length / dim} vectors`, 'labels');
  const identities = groupByLabel(labels);
  const eligible = identities.filter((identity) => identity.faces.length >= 2).length;
  if (eligible < 2) throw new LearnInputError(`training needs two persons with two or more faces, ${eligible} have them`, 'labels');
  const K = Math.min(options.identitiesPerBatch ?? 8, eligible);
  const M = options.facesPerIdentity ?? 8;

  const rng = createRng(options.seed ?? 1);
  const weights = Float64Array.from(identityAdapter(dim).weights);
  const adam = new Adam(weights.length, learningRate);
  const losses: number[] = [];
  const activeFractions: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = buildBatch(identities, K, M, rng);
    const inputs = gatherRows(vectors, dim, batch.faces); // [K·M, dim]
    const forward = adapterForward(weights, dim, inputs);
    const mined = selectTriplets(forward.outputs, dim, batch.labels, rng, { margin });
    const { loss, gradient, activeTriplets } = tripletLossWithGradient(forward.outputs, dim, mined.triplets, { margin, reduction: 'mean' });
    const gradW = adapterGradient(dim, inputs, forward, gradient);
    for (let k = 0; k < dim; k++) {
      for (let j = 0; j < dim; j++) gradW[k * dim + j] += weightDecay * (weights[k * dim + j]! - (k === j ? 1 : 0));
    }
    adam.step(weights, gradW);
    losses.push(mined.pairs > 0 ? (loss * mined.triplets.length) / mined.pairs : 0);
    activeFractions.push(mined.pairs > 0 ? activeTriplets / mined.pairs : 0);
  }
  return { adapter: createAdapter(dim, weights), losses, activeFractions };
}

function groupByLabel(labels: ArrayLike<number>): Identity<number>[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label)!.push(i);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([label, faces]) => ({ id: String(label), faces }));
}

export function gatherRows(vectors: Float32Array, dim: number, rowIndices: readonly number[]): Float32Array {
  const out = new Float32Array(rowIndices.length * dim);
  rowIndices.forEach((row, i) => out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}

/** Adam (Kingma & Ba 2015) over one flat parameter array, updated in place. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Float64Array, gradient: Float64Array): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = gradient[i]!;
      this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g;
      params[i] -= (this.learningRate * (this.m[i]! / c1)) / (Math.sqrt(this.v[i]! / c2) + this.epsilon);
    }
  }
}
