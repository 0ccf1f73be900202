/**
 * Training an adapter (adapter.ts) on stored embeddings with the triplet loss: K persons × M faces per
 * batch, plus for each person a few of their nearest strangers (unlabelled library faces, mining.ts's
 * strangerCandidates) as hard negatives; one semi-hard negative per anchor-positive pair; Adam.
 *
 * Two parametrisations of the same linear map y = normalise(W x), stored alike:
 *   - 'linear':   W itself (d × d, from the identity), with λ/2 · |W − I|² pulling it back;
 *   - 'low-rank': W = I + U Vᵀ, U and V d × r (U from zero, V seeded), with λ/2 · (|U|² + |V|²):
 *     a residual that can move only r directions, so a few hundred faces cannot bend the whole space.
 * With a validation set (held-out labelled faces) the run is scored every `validateEvery` steps by the
 * ROC AUC of validation-against-training pairs and the best snapshot is kept (early stopping; step 0,
 * the identity, included, so a run that never helps returns the identity).
 * Pure: no tfjs, no store; the same seed replays the same run.
 */
import { Adam } from './adam.ts';
import { type AdapterForward, type LinearAdapter, adapterForward, adapterGradient, createAdapter, identityAdapter } from './adapter.ts';
import { LearnInputError } from './errors.ts';
import { type Identity, buildBatch, selectTriplets } from './mining.ts';
import { type Rng, createRng } from '../core/random.ts';
import { tripletLossWithGradient } from './tripletLoss.ts';

export type AdapterDesign = 'linear' | 'low-rank';

export interface LabelledRows {
  /** [n, dim] unit rows. */
  readonly vectors: Float32Array;
  readonly labels: ArrayLike<number>;
}

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
  /** λ of the pull towards the identity (see above). Default 0.3. */
  readonly weightDecay?: number;
  /** Default 'linear'. */
  readonly design?: AdapterDesign;
  /** r of the 'low-rank' design. Default 16. */
  readonly rank?: number;
  /** Seeds batches, mining and the low-rank initialisation. Default 1. */
  readonly seed?: number;
  /** Unlabelled faces ([m, dim]) and, per label, the rows of them that may serve as its negatives. */
  readonly strangers?: { readonly vectors: Float32Array; readonly candidates: ReadonlyMap<number, readonly number[]> };
  /** Strangers added to a batch per person in it. Default 4. */
  readonly strangersPerIdentity?: number;
  /** Held-out labelled faces for early stopping. */
  readonly validation?: LabelledRows;
  /** Default 25. */
  readonly validateEvery?: number;
}

/**
 * The adapter's triplet margin. FaceNet's 0.2 suits a network learning its own embedding's scale, but
 * the adapter works in a frozen embedder's space where one person's faces lie within about 0.17
 * (dlib-resnet, squared L2): a 0.2 margin makes it stretch the whole space.
 */
export const ADAPTER_MARGIN = 0.05;

export interface AdapterTrainingResult {
  readonly adapter: LinearAdapter;
  /** Per step: Σ hinge of the mined triplets / anchor-positive pairs. */
  readonly losses: readonly number[];
  /** Per step: anchor-positive pairs with an active triplet / pairs. */
  readonly activeFractions: readonly number[];
  /** The step whose weights were kept (steps when there is no validation set). */
  readonly bestStep: number;
  /** [step, validation AUC] at each check; empty without a validation set. */
  readonly validation: ReadonlyArray<readonly [number, number]>;
}

/** `vectors` [n, dim] (unit rows of the base model), `labels[i]` the person of row i. */
export function trainAdapter(vectors: Float32Array, dim: number, labels: ArrayLike<number>, options: AdapterTrainingOptions = {}): AdapterTrainingResult {
  const steps = options.steps ?? 200;
  const margin = options.margin ?? ADAPTER_MARGIN;
  const learningRate = options.learningRate ?? 0.01;
  const weightDecay = options.weightDecay ?? 0.3;
  const design = options.design ?? 'linear';
  const rank = options.rank ?? Math.min(16, dim);
  if (!(Number.isInteger(steps) && steps >= 0)) throw new LearnInputError(`steps must be an integer ≥ 0, got ${steps}`, 'steps');
  if (!(learningRate > 0)) throw new LearnInputError(`learning rate must be > 0, got ${learningRate}`, 'learningRate');
  if (!(weightDecay >= 0)) throw new LearnInputError(`weight decay must be ≥ 0, got ${weightDecay}`, 'weightDecay');
  if (design !== 'linear' && design !== 'low-rank') throw new LearnInputError(`unknown adapter design "${String(design)}"`, 'design');
  if (design === 'low-rank' && !(Number.isInteger(rank) && rank >= 1 && rank <= dim)) throw new LearnInputError(`rank must be a whole number in [1, ${dim}], got ${rank}`, 'rank');
  if (labels.length * dim !== vectors.length) throw new LearnInputError(`${labels.length} labels for ${vectors.length / dim} vectors`, 'labels');
  const identities = groupByLabel(labels);
  const eligible = identities.filter((identity) => identity.faces.length >= 2).length;
  if (eligible < 2) throw new LearnInputError(`training needs two persons with two or more faces, ${eligible} have them`, 'labels');
  const K = Math.min(options.identitiesPerBatch ?? 8, eligible);
  const M = options.facesPerIdentity ?? 8;
  const perIdentity = options.strangersPerIdentity ?? 4;
  const validateEvery = options.validateEvery ?? 25;

  const rng = createRng(options.seed ?? 1);
  const params = design === 'linear' ? new LinearParams(dim) : new LowRankParams(dim, rank, rng);
  const adam = new Adam(params.values.length, learningRate);
  const validator = options.validation ? new Validator(vectors, labels, options.validation, dim, createRng((options.seed ?? 1) + 7919)) : undefined;
  const checks: Array<[number, number]> = [];
  let best = { step: steps, auc: -Infinity, weights: undefined as Float64Array | undefined };
  const check = (step: number) => {
    if (!validator) return;
    const weights = params.weights();
    const auc = validator.auc(weights);
    checks.push([step, auc]);
    if (auc > best.auc) best = { step, auc, weights };
  };
  const losses: number[] = [];
  const activeFractions: number[] = [];
  check(0);
  for (let step = 0; step < steps; step++) {
    const batch = buildBatch(identities, K, M, rng);
    const rows = gatherRows(vectors, dim, batch.faces);
    const batchLabels = Array.from(batch.labels);
    const strangerRows = pickStrangers(batch.identityIds, options.strangers, perIdentity, rng);
    // Strangers get labels of their own: never a positive, always a candidate negative.
    strangerRows.forEach((_, k) => batchLabels.push(K + k));
    const inputs = strangerRows.length === 0 ? rows : concat(rows, gatherRows(options.strangers!.vectors, dim, strangerRows));
    const forward = params.forward(inputs);
    const mined = selectTriplets(forward.outputs, dim, batchLabels, rng, { margin });
    const { loss, gradient, activeTriplets } = tripletLossWithGradient(forward.outputs, dim, mined.triplets, { margin, reduction: 'mean' });
    adam.step(params.values, params.gradient(inputs, forward, gradient, weightDecay));
    losses.push(mined.pairs > 0 ? (loss * mined.triplets.length) / mined.pairs : 0);
    activeFractions.push(mined.pairs > 0 ? activeTriplets / mined.pairs : 0);
    if ((step + 1) % validateEvery === 0 || step + 1 === steps) check(step + 1);
  }
  const kept = best.weights ?? params.weights();
  return { adapter: createAdapter(dim, kept), losses, activeFractions, bestStep: validator ? best.step : steps, validation: checks };
}

/** W itself, from the identity. */
class LinearParams {
  readonly values: Float64Array;
  constructor(private readonly dim: number) {
    this.values = Float64Array.from(identityAdapter(dim).weights);
  }
  weights(): Float64Array {
    return this.values.slice();
  }
  forward(inputs: Float32Array): AdapterForward {
    return adapterForward(this.values, this.dim, inputs);
  }
  /** ∂L/∂W + λ (W − I). */
  gradient(inputs: Float32Array, forward: AdapterForward, outputGradient: Float32Array, lambda: number): Float64Array {
    const d = this.dim;
    const gradW = adapterGradient(d, inputs, forward, outputGradient);
    for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) gradW[k * d + j] += lambda * (this.values[k * d + j]! - (k === j ? 1 : 0));
    return gradW;
  }
}

/**
 * W = I + U Vᵀ; values = [U (d × r), V (d × r)], row-major. Forward and backward go through the
 * rank-r bottleneck h = Vᵀ x, never forming W: 2dr operations a row instead of d².
 */
class LowRankParams {
  readonly values: Float64Array;
  private hidden = new Float64Array(0);
  constructor(private readonly dim: number, private readonly rank: number, rng: Rng) {
    this.values = new Float64Array(2 * dim * rank);
    // U = 0 keeps W = I at the start; V random so that U's gradient is not zero.
    const scale = 1 / Math.sqrt(dim);
    for (let i = dim * rank; i < 2 * dim * rank; i++) this.values[i] = scale * gaussian(rng);
  }
  weights(): Float64Array {
    const { dim: d, rank: r, values } = this;
    const w = new Float64Array(d * d);
    for (let k = 0; k < d; k++) {
      w[k * d + k] = 1;
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let c = 0; c < r; c++) sum += values[k * r + c]! * values[d * r + j * r + c]!;
        w[k * d + j] += sum;
      }
    }
    return w;
  }
  forward(inputs: Float32Array): AdapterForward {
    const { dim: d, rank: r, values } = this;
    const n = inputs.length / d;
    const hidden = new Float64Array(n * r); // [n, r] Vᵀ x
    const outputs = new Float32Array(n * d);
    const norms = new Float64Array(n);
    const z = new Float64Array(d);
    const V = d * r;
    for (let i = 0; i < n; i++) {
      const x = i * d;
      for (let j = 0; j < d; j++) {
        const xj = inputs[x + j]!;
        for (let c = 0; c < r; c++) hidden[i * r + c] += values[V + j * r + c]! * xj;
      }
      let norm = 0;
      for (let k = 0; k < d; k++) {
        let sum = inputs[x + k]!;
        for (let c = 0; c < r; c++) sum += values[k * r + c]! * hidden[i * r + c]!;
        z[k] = sum;
        norm += sum * sum;
      }
      norm = Math.sqrt(norm);
      norms[i] = norm;
      const scale = norm > 0 ? 1 / norm : 0;
      for (let k = 0; k < d; k++) outputs[x + k] = z[k]! * scale;
    }
    this.hidden = hidden;
    return { outputs, norms };
  }
  /** With g = ∂L/∂z (through the normalisation): ∂L/∂U = Σ g hᵀ + λU, ∂L/∂V = Σ x (Uᵀ g)ᵀ + λV. */
  gradient(inputs: Float32Array, forward: AdapterForward, outputGradient: Float32Array, lambda: number): Float64Array {
    const { dim: d, rank: r, values, hidden } = this;
    const n = inputs.length / d;
    const V = d * r;
    const out = new Float64Array(values.length);
    const dz = new Float64Array(d);
    const back = new Float64Array(r);
    for (let i = 0; i < n; i++) {
      const x = i * d;
      let dot = 0;
      let any = false;
      for (let k = 0; k < d; k++) {
        dot += forward.outputs[x + k]! * outputGradient[x + k]!;
        if (outputGradient[x + k] !== 0) any = true;
      }
      if (!any || forward.norms[i] === 0) continue;
      back.fill(0);
      for (let k = 0; k < d; k++) {
        const g = (outputGradient[x + k]! - forward.outputs[x + k]! * dot) / forward.norms[i]!;
        dz[k] = g;
        for (let c = 0; c < r; c++) {
          out[k * r + c] += g * hidden[i * r + c]!;
          back[c] += values[k * r + c]! * g;
        }
      }
      for (let j = 0; j < d; j++) {
        const xj = inputs[x + j]!;
        for (let c = 0; c < r; c++) out[V + j * r + c] += xj * back[c]!;
      }
    }
    for (let i = 0; i < values.length; i++) out[i] += lambda * values[i]!;
    return out;
  }
}

/**
 * Validation faces against training faces: for each validation face up to 8 same-person and 8
 * other-person training faces, drawn once; the AUC of their distances in a candidate space.
 */
class Validator {
  private readonly pairs: Array<[number, number, boolean]> = [];
  constructor(
    private readonly train: Float32Array,
    trainLabels: ArrayLike<number>,
    private readonly held: LabelledRows,
    private readonly dim: number,
    rng: Rng,
  ) {
    const byLabel = new Map<number, number[]>();
    for (let i = 0; i < trainLabels.length; i++) {
      if (!byLabel.has(trainLabels[i]!)) byLabel.set(trainLabels[i]!, []);
      byLabel.get(trainLabels[i]!)!.push(i);
    }
    for (let v = 0; v < held.labels.length; v++) {
      const same = byLabel.get(held.labels[v]!) ?? [];
      for (let k = 0; k < Math.min(8, same.length); k++) this.pairs.push([v, same[rng.int(same.length)]!, true]);
      for (let k = 0; k < 8; k++) {
        const other = rng.int(trainLabels.length);
        if (trainLabels[other] !== held.labels[v]) this.pairs.push([v, other, false]);
      }
    }
  }

  auc(weights: Float64Array): number {
    const held = adapterForward(weights, this.dim, this.held.vectors).outputs;
    const train = adapterForward(weights, this.dim, this.train).outputs;
    const scored = this.pairs.map(([v, t, same]) => ({ distance: distanceAcross(held, v, train, t, this.dim), same }));
    return aucOf(scored);
  }
}

function distanceAcross(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) {
    const diff = a[i * dim + k]! - b[j * dim + k]!;
    sum += diff * diff;
  }
  return sum;
}

/** P(a same-person pair is nearer than an other-person pair), ties counting half. */
export function aucOf(pairs: ReadonlyArray<{ distance: number; same: boolean }>): number {
  const sorted = [...pairs].sort((a, b) => a.distance - b.distance);
  const positives = sorted.filter((p) => p.same).length;
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.distance === sorted[i]!.distance) j++;
    const sameHere = sorted.slice(i, j).filter((p) => p.same).length;
    rankSum += sameHere * ((i + j + 1) / 2);
    i = j;
  }
  // Mann–Whitney on "nearer": same pairs should have low ranks.
  const u = rankSum - (positives * (positives + 1)) / 2;
  return 1 - u / (positives * negatives);
}

function pickStrangers(identityIds: readonly string[], strangers: AdapterTrainingOptions['strangers'], perIdentity: number, rng: Rng): number[] {
  if (!strangers || perIdentity === 0) return [];
  const out = new Set<number>();
  for (const id of identityIds) {
    const candidates = strangers.candidates.get(Number(id)) ?? [];
    for (let k = 0; k < Math.min(perIdentity, candidates.length); k++) out.add(candidates[rng.int(candidates.length)]!);
  }
  return [...out];
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

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
