/**
 * The adapter designs compared by the personalisation protocol (`facet eval finetune --design NAME`),
 * and the one recipe both that protocol and `facet finetune` train with: labelled faces (several views
 * of a face, such as its clean and degraded embeddings, share a face key), the library's unlabelled
 * faces as a pool of hard negatives, and a share of the labelled faces held back for early stopping.
 * Pure: arrays in, an adapter out.
 */
import { type AdapterTrainingOptions, type AdapterTrainingResult, gatherRows, trainAdapter } from './adapterTraining.ts';
import { LearnInputError } from './errors.ts';
import { type StrangerOptions, strangerCandidates } from './mining.ts';
import { createRng, shuffled } from '../core/random.ts';

export interface AdapterRecipe {
  readonly training: AdapterTrainingOptions;
  /** Hard negatives from the unlabelled pool; false trains on labelled faces alone. */
  readonly strangers: StrangerOptions | false;
  /** Share of each person's faces held back to choose the step (early stopping); 0 for none. */
  readonly validationFraction: number;
}

/**
 * - baseline: the adapter before issue #13 (full linear map, 200 steps, no strangers, no early stop);
 * - linear-mined: the same map with stranger negatives and early stopping on held-back faces;
 * - low-rank: W = I + U Vᵀ of rank 8 with stranger negatives and early stopping.
 * Hyper-parameters of the last two (λ = 1 for linear-mined, rank 8 for low-rank) were chosen on LFW's
 * development people, 2 seeds, by the worst seed's degraded gain (docs/finetune-dev-grid.json, README).
 */
export const ADAPTER_DESIGNS: Readonly<Record<string, AdapterRecipe>> = {
  baseline: { training: { design: 'linear', steps: 200, margin: 0.05, weightDecay: 0.3, learningRate: 0.01 }, strangers: false, validationFraction: 0 },
  'linear-mined': {
    training: { design: 'linear', steps: 400, margin: 0.05, weightDecay: 1, learningRate: 0.01, validateEvery: 25 },
    strangers: { count: 40, minDistance: 0.2 },
    validationFraction: 0.2,
  },
  'low-rank': {
    training: { design: 'low-rank', rank: 8, steps: 400, margin: 0.05, weightDecay: 0.01, learningRate: 0.01, validateEvery: 25 },
    strangers: { count: 40, minDistance: 0.2 },
    validationFraction: 0.2,
  },
};

export const DEFAULT_DESIGN = 'low-rank';

export function adapterDesign(name: string): AdapterRecipe {
  const recipe = ADAPTER_DESIGNS[name];
  if (!recipe) throw new LearnInputError(`unknown adapter design "${name}": one of ${Object.keys(ADAPTER_DESIGNS).join(', ')}`, 'design');
  return recipe;
}

export interface RecipeInput {
  /** [n, dim] labelled rows (every view of every labelled face). */
  readonly vectors: Float32Array;
  readonly labels: ArrayLike<number>;
  /** The face each row is a view of: views of one face are held back together. */
  readonly faceOf: ArrayLike<number>;
  /** [m, dim] the library's unlabelled faces (one view each), for hard negatives. */
  readonly pool?: Float32Array;
}

export interface RecipeResult extends AdapterTrainingResult {
  readonly trainRows: number;
  readonly validationRows: number;
  /** Per label, the pool rows allowed as its negatives (empty without strangers). */
  readonly candidates: ReadonlyMap<number, readonly number[]>;
}

/** Trains one adapter by `recipe`, `seed` choosing the held-back faces, the batches and the initialisation. */
export function trainWithRecipe(input: RecipeInput, dim: number, recipe: AdapterRecipe, seed: number): RecipeResult {
  const n = input.labels.length;
  if (input.faceOf.length !== n) throw new LearnInputError(`${input.faceOf.length} face keys for ${n} labelled rows`, 'faceOf');
  const held = heldBackFaces(input.labels, input.faceOf, recipe.validationFraction, seed);
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  for (let i = 0; i < n; i++) (held.has(input.faceOf[i]!) ? validationRows : trainRows).push(i);
  const trainVectors = gatherRows(input.vectors, dim, trainRows);
  const trainLabels = trainRows.map((i) => input.labels[i]!);
  const candidates = recipe.strangers && input.pool && input.pool.length > 0
    ? strangerCandidates(trainVectors, trainLabels, input.pool, dim, recipe.strangers)
    : new Map<number, number[]>();
  const result = trainAdapter(trainVectors, dim, trainLabels, {
    ...recipe.training,
    seed,
    strangers: candidates.size > 0 ? { vectors: input.pool!, candidates } : undefined,
    validation: validationRows.length > 0 ? { vectors: gatherRows(input.vectors, dim, validationRows), labels: validationRows.map((i) => input.labels[i]!) } : undefined,
  });
  return { ...result, trainRows: trainRows.length, validationRows: validationRows.length, candidates };
}

/** The faces held back: about `fraction` of each person's faces, never leaving a person fewer than two. */
function heldBackFaces(labels: ArrayLike<number>, faceOf: ArrayLike<number>, fraction: number, seed: number): Set<number> {
  if (!(fraction >= 0 && fraction < 1)) throw new LearnInputError(`the held-back fraction must be in [0, 1), got ${fraction}`, 'validationFraction');
  const held = new Set<number>();
  if (fraction === 0) return held;
  const facesByLabel = new Map<number, Set<number>>();
  for (let i = 0; i < labels.length; i++) {
    if (!facesByLabel.has(labels[i]!)) facesByLabel.set(labels[i]!, new Set());
    facesByLabel.get(labels[i]!)!.add(faceOf[i]!);
  }
  const rng = createRng(seed + 104729);
  for (const [, faces] of [...facesByLabel.entries()].sort((a, b) => a[0] - b[0])) {
    const list = [...faces].sort((a, b) => a - b);
    const count = Math.min(Math.round(fraction * list.length), list.length - 2);
    for (const face of shuffled(list, rng).slice(0, Math.max(0, count))) held.add(face);
  }
  return held;
}
