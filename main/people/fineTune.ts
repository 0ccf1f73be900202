/**
 * Fine-tuning to the user's own people: once at least two persons have enough faces confirmed by the
 * user, an adapter (learn/adapterDesigns.ts: a low-rank residual map by default) is trained on the
 * frozen base model's stored embeddings of every confirmed face, with the library's other faces as hard
 * negatives (never those close to a person's confirmed faces: they may be that person, unconfirmed).
 * It is judged on faces it was not trained on: a fraction of each person's faces (20%, at least one) is
 * held out, in turn, so every face is held out once (holdout.ts); and that whole cross-validation is
 * repeated over several seeds (which faces are held back, batches, initialisation). It is applied only if
 *   1. held-out verification improves on every seed, and the mean gain is beyond the seed-to-seed spread
 *      (mean > sd) and at least `minGain`: a gain smaller than what changing the seed does is luck; and
 *   2. when an LFW reference is given, LFW accuracy drops by no more than `maxLfwDrop` (0.2 points).
 * `force` applies it anyway and says so. The adapter applied is trained the same way on all the
 * confirmed faces, and applied to the whole library by adapterStore.ts (which also rolls it back).
 */
import type { ClusterRunReport } from './clusterLibrary.ts';
import { bestAccuracyThreshold } from '../metrics/verification.ts';
import type { Store } from '../store/index.ts';
import { type LinearAdapter, applyAdapter } from '../learn/adapter.ts';
import { applyAdapterToLibrary, currentModels } from './adapterStore.ts';
import { type AdapterTrainingOptions, gatherRows } from '../learn/adapterTraining.ts';
import { type AdapterRecipe, DEFAULT_DESIGN, adapterDesign, trainWithRecipe } from '../learn/adapterDesigns.ts';
import { type HeldOutComparison, type HoldoutSplit, HeldOutTally, heldOutPairs, holdoutFolds, pairsWithin, scorePairs } from '../learn/holdout.ts';
import { type LfwReference, lfwAccuracy } from '../training/lfwReference.ts';
import { type Rng, createRng, shuffled } from '../core/random.ts';

export interface FineTuneOptions {
  /** Named faces a person needs to take part. Default 5. */
  readonly minFacesPerPerson?: number;
  /** Default 0.2 of each person's faces (at least one), i.e. five folds; at most 0.5. */
  readonly holdoutFraction?: number;
  /** Mean held-out accuracy gain required, as a fraction (0.01 = one point). Default 0.002. */
  readonly minGain?: number;
  /** Seeds the held-out check is repeated over, seed k holding out fold k (its spread is what a gain must beat). Default 3, at most the number of folds. */
  readonly seeds?: number;
  /** A design of learn/adapterDesigns.ts. Default DEFAULT_DESIGN. */
  readonly design?: string;
  /** Extra views of confirmed faces (degraded copies' embeddings by the base model), by face id. */
  readonly augmented?: { readonly faceIds: readonly number[]; readonly vectors: Float32Array };
  /** Unlabelled faces used as hard negatives, at most. Default 20 000 (a seeded sample beyond). */
  readonly maxStrangers?: number;
  /** Largest LFW accuracy drop accepted, as a fraction. Default 0.002 (0.2 points). */
  readonly maxLfwDrop?: number;
  /** Embeddings of LFW pairs by the base model; the LFW check is skipped without one. */
  readonly lfwReference?: LfwReference;
  /** Overrides of the design's training options. */
  readonly training?: AdapterTrainingOptions;
  readonly seed?: number;
  /** Train and evaluate, change nothing. */
  readonly dryRun?: boolean;
  /** Pairs scored per evaluation set at most (sampled beyond). Default 50 000. */
  readonly maxPairs?: number;
  /** Re-cluster after applying. Default true. */
  readonly recluster?: boolean;
  /** Apply the adapter even when the held-out check does not accept it (`facet finetune --force`); the report says so. */
  readonly force?: boolean;
}

export type FineTuneStatus = 'applied' | 'not-applied' | 'skipped' | 'dry-run';

/** One seed's cross-validation: held-out accuracy gain and its paired t over held-out faces. */
export interface SeedGain {
  readonly seed: number;
  readonly gain: number;
  readonly t: number;
}

export interface LfwCheck {
  readonly pairs: number;
  readonly base: number;
  readonly adapted: number;
  readonly drop: number;
}

export interface FineTuneReport {
  readonly status: FineTuneStatus;
  /** Why it was (or would be) applied or not, in a sentence for the user. */
  readonly reason: string;
  readonly wouldApply: boolean;
  readonly baseModelId: string;
  readonly derivedModelId: string | null;
  readonly persons: number;
  readonly trainFaces: number;
  readonly heldOutFaces: number;
  /** Every seed's held-out fold, pooled. */
  readonly heldOut: HeldOutComparison | null;
  /** Every seed's gain; their mean and sample standard deviation. */
  readonly seeds: readonly SeedGain[];
  readonly gainMean: number;
  readonly gainSd: number;
  /** True when applied by `force` although the checks said no. */
  readonly forced: boolean;
  readonly design: string;
  /** null when no reference was given (see lfwSkipped). */
  readonly lfw: LfwCheck | null;
  readonly lfwSkipped: string | null;
  /** The final adapter's run; seconds also count the folds' runs. */
  readonly training: { readonly steps: number; readonly bestStep: number; readonly firstLoss: number; readonly finalLoss: number; readonly strangers: number; readonly seconds: number } | null;
  readonly embeddingsWritten: number;
  readonly cluster: ClusterRunReport | null;
}

interface LabelledFaces {
  readonly faceIds: number[];
  readonly personIds: number[];
  /** [faces, dim] base embeddings. */
  readonly vectors: Float32Array;
  readonly labels: Int32Array;
  readonly dim: number;
  /** Named faces per person with an embedding, eligible or not. */
  readonly counts: Map<number, number>;
}

/** The user's named faces that have a `modelId` embedding, for persons with at least `minFaces` of them. */
export function collectLabelledFaces(store: Store, modelId: string, minFaces: number): LabelledFaces {
  const { faceIds, vectors, dimensions } = store.embeddings.listVectors(modelId);
  const row = new Map<number, number>();
  faceIds.forEach((id, i) => row.set(id, i));
  const byPerson = new Map<number, number[]>();
  for (const decision of store.assignments.listUserDecisions()) {
    const i = row.get(decision.faceId);
    if (decision.personId === null || i === undefined) continue;
    if (!byPerson.has(decision.personId)) byPerson.set(decision.personId, []);
    byPerson.get(decision.personId)!.push(i);
  }
  const counts = new Map([...byPerson].map(([person, rows]) => [person, rows.length]));
  const eligible = [...byPerson.entries()].filter(([, rows]) => rows.length >= minFaces).sort((a, b) => a[0] - b[0]);
  const rows = eligible.flatMap(([, personRows]) => personRows);
  return {
    faceIds: rows.map((i) => faceIds[i]!),
    personIds: eligible.map(([person]) => person),
    vectors: gatherRows(vectors, dimensions, rows),
    labels: Int32Array.from(eligible.flatMap(([, personRows], label) => personRows.map(() => label))),
    dim: dimensions,
    counts,
  };
}

export function fineTune(store: Store, options: FineTuneOptions = {}): FineTuneReport {
  const minFaces = options.minFacesPerPerson ?? 5;
  const design = options.design ?? DEFAULT_DESIGN;
  const recipe = recipeFor(design, options.training);
  const { base } = currentModels(store);
  const labelled = collectLabelledFaces(store, base, Math.max(3, minFaces));
  const empty = {
    baseModelId: base, derivedModelId: null, wouldApply: false, persons: labelled.personIds.length, trainFaces: 0, heldOutFaces: 0,
    heldOut: null, seeds: [], gainMean: 0, gainSd: 0, forced: false, design, lfw: null, lfwSkipped: null, training: null, embeddingsWritten: 0, cluster: null,
  };
  if (labelled.personIds.length < 2) {
    const have = [...labelled.counts.values()].sort((a, b) => b - a);
    return {
      ...empty,
      status: 'skipped',
      reason: `fine-tuning needs at least 2 persons with ${minFaces} or more named faces embedded by ${base}; ` +
        (have.length === 0 ? 'no face is named yet' : `named faces per person: ${have.join(', ')}`),
    };
  }

  const seed = options.seed ?? 1;
  const started = performance.now();
  const pool = strangerPool(store, base, labelled, options.maxStrangers ?? 20_000, seed);
  const views = withViews(labelled, options.augmented);
  // Seed k holds out fold k of one partition of each person's faces, and trains with seed + k: the
  // spread over seeds is what a change of held-out faces, batches and initialisation does.
  const folds = holdoutFolds(labelled.labels, options.holdoutFraction ?? 0.2, createRng(seed));
  const pooled = new HeldOutTally();
  const seeds: SeedGain[] = [];
  for (let k = 0; k < Math.min(options.seeds ?? 3, folds.length); k++) {
    const own = new HeldOutTally();
    crossValidate(labelled, views, pool, folds[k]!, recipe, seed + k, options, createRng(seed + k), [own, pooled]);
    const comparison = own.result();
    seeds.push({ seed: seed + k, gain: comparison.gain, t: comparison.t });
  }
  const heldOut = pooled.result();
  const trained = trainWithRecipe(views.all(pool), labelled.dim, recipe, seed);
  const training = {
    steps: trained.losses.length,
    bestStep: trained.bestStep,
    firstLoss: trained.losses[0] ?? 0,
    finalLoss: mean(trained.losses.slice(-10)),
    strangers: pool.rows,
    seconds: (performance.now() - started) / 1000,
  };
  const { lfw, lfwSkipped } = checkLfw(options.lfwReference, base, trained.adapter);
  const gains = seeds.map((s) => s.gain);
  const verdict = decide(gains, lfw, options);
  const forced = !verdict.accept && options.force === true;
  const report = {
    ...empty,
    wouldApply: verdict.accept,
    trainFaces: labelled.faceIds.length,
    heldOutFaces: heldOut.faces,
    heldOut,
    seeds,
    gainMean: mean(gains),
    gainSd: sd(gains),
    lfw,
    lfwSkipped,
    training,
  };
  if (options.dryRun) return { ...report, status: 'dry-run', reason: `dry run: ${verdict.reason}` };
  if (!verdict.accept && !forced) return { ...report, status: 'not-applied', reason: verdict.reason };
  const thresholds = verificationThresholds(labelled, trained.adapter, options.maxPairs ?? 50_000, createRng(seed));
  const metrics = { heldOut, seeds, lfw, lfwSkipped, training, persons: labelled.personIds.length, design, forced };
  const applied = applyAdapterToLibrary(store, base, trained.adapter, thresholds, metrics, { recluster: options.recluster });
  const reason = forced ? `applied because forced, although ${verdict.reason}` : verdict.reason;
  return { ...report, forced, status: 'applied', reason, derivedModelId: applied.derivedModelId, embeddingsWritten: applied.written, cluster: applied.cluster };
}

/** The same function under the name the app's API calls it by. */
export const fineTuneLibrary = fineTune;

function recipeFor(design: string, training: AdapterTrainingOptions | undefined): AdapterRecipe {
  const recipe = adapterDesign(design);
  return { ...recipe, training: { ...recipe.training, ...training } };
}

interface StrangerPool {
  /** [rows, dim] base embeddings of faces nobody confirmed. */
  readonly vectors: Float32Array;
  readonly rows: number;
}

/** The library's faces the user has not confirmed, as hard-negative candidates; a seeded sample beyond `max`. */
function strangerPool(store: Store, base: string, labelled: LabelledFaces, max: number, seed: number): StrangerPool {
  const { faceIds, vectors, dimensions } = store.embeddings.listVectors(base);
  const confirmed = new Set(labelled.faceIds);
  let rows = Array.from(faceIds, (id, i) => (confirmed.has(id) ? -1 : i)).filter((i) => i >= 0);
  if (rows.length > max) rows = shuffled(rows, createRng(seed + 31)).slice(0, max).sort((a, b) => a - b);
  return { vectors: gatherRows(vectors, dimensions, rows), rows: rows.length };
}

/** Labelled rows plus their extra views (degraded copies), each view keyed by its face's row. */
function withViews(labelled: LabelledFaces, augmented: FineTuneOptions['augmented']) {
  const rowOf = new Map(labelled.faceIds.map((id, i) => [id, i]));
  const extra: Array<[number, number]> = []; // [labelled row, augmented row]
  augmented?.faceIds.forEach((id, j) => {
    const row = rowOf.get(id);
    if (row !== undefined) extra.push([row, j]);
  });
  const dim = labelled.dim;
  /** The recipe's input for the labelled rows in `rows` (and their views). */
  const subset = (rows: readonly number[], pool: StrangerPool) => {
    const keep = new Set(rows);
    const views = extra.filter(([row]) => keep.has(row));
    const vectors = new Float32Array((rows.length + views.length) * dim);
    vectors.set(gatherRows(labelled.vectors, dim, rows));
    views.forEach(([, j], k) => vectors.set(augmented!.vectors.subarray(j * dim, (j + 1) * dim), (rows.length + k) * dim));
    const faceOf = Int32Array.from([...rows, ...views.map(([row]) => row)]);
    return { vectors, labels: Int32Array.from(faceOf, (row) => labelled.labels[row]!), faceOf, pool: pool.vectors };
  };
  return { subset, all: (pool: StrangerPool) => subset(Array.from(labelled.labels, (_, i) => i), pool) };
}

/** Trains an adapter on a fold's training faces and tallies base against adapted on its held-out pairs. */
function crossValidate(
  labelled: LabelledFaces, views: ReturnType<typeof withViews>, pool: StrangerPool, split: HoldoutSplit,
  recipe: AdapterRecipe, seed: number, options: FineTuneOptions, rng: Rng, tallies: readonly HeldOutTally[],
): void {
  if (split.heldOut.length === 0) return;
  const maxPairs = options.maxPairs ?? 50_000;
  const { adapter } = trainWithRecipe(views.subset(split.train, pool), labelled.dim, recipe, seed);
  const trainPairs = pairsWithin(split.train, maxPairs, rng);
  const testPairs = heldOutPairs(split, maxPairs, rng);
  const scores = (vectors: Float32Array) => ({
    train: scorePairs(vectors, labelled.dim, labelled.labels, trainPairs),
    test: scorePairs(vectors, labelled.dim, labelled.labels, testPairs),
  });
  const base = scores(labelled.vectors);
  const adapted = scores(applyAdapter(adapter, labelled.vectors));
  for (const tally of tallies) tally.addFold(split, testPairs, base, adapted);
}

function checkLfw(reference: LfwReference | undefined, base: string, adapter: LinearAdapter): { lfw: LfwCheck | null; lfwSkipped: string | null } {
  if (!reference) return { lfw: null, lfwSkipped: 'no LFW reference embeddings were given: the LFW check was skipped' };
  if (reference.modelId !== base || reference.dimensions !== adapter.dim) {
    return { lfw: null, lfwSkipped: `the LFW reference is of ${reference.modelId} (${reference.dimensions}-D), not ${base}: the LFW check was skipped` };
  }
  const before = lfwAccuracy(reference);
  const after = lfwAccuracy(reference, adapter);
  return { lfw: { pairs: reference.pairs.length, base: before, adapted: after, drop: before - after }, lfwSkipped: null };
}

function decide(gains: readonly number[], lfw: LfwCheck | null, options: FineTuneOptions): { accept: boolean; reason: string } {
  const minGain = options.minGain ?? 0.002;
  const maxDrop = options.maxLfwDrop ?? 0.002;
  const points = (x: number) => `${(100 * x).toFixed(2)} points`;
  const m = mean(gains);
  const spread = sd(gains);
  const worst = Math.min(...gains);
  const summary = `held-out accuracy changed by ${points(m)} on average over ${gains.length} seeds (sd ${points(spread)}, worst ${points(worst)})`;
  if (!(m >= minGain && m > 0)) return { accept: false, reason: `${summary}, short of the ${points(minGain)} gain required` };
  if (!(worst > 0)) return { accept: false, reason: `${summary}: not a gain on every seed` };
  if (!(m > spread)) return { accept: false, reason: `${summary}: the gain is within the seed-to-seed spread, too little evidence` };
  if (lfw && lfw.drop > maxDrop) return { accept: false, reason: `${summary}, but LFW accuracy dropped ${points(lfw.drop)}, over the ${points(maxDrop)} allowed` };
  return { accept: true, reason: `${summary}${lfw ? `; LFW changed by ${points(-lfw.drop)}` : ''}` };
}

/** Best-accuracy verification thresholds over pairs of all labelled faces, before and after the adapter. */
export function verificationThresholds(labelled: Pick<LabelledFaces, 'vectors' | 'labels' | 'dim'>, adapter: LinearAdapter, maxPairs: number, rng: Rng): { base: number; adapted: number } {
  const pairs = pairsWithin(Array.from(labelled.labels, (_, i) => i), maxPairs, rng);
  const threshold = (vectors: Float32Array) => bestAccuracyThreshold(scorePairs(vectors, labelled.dim, labelled.labels, pairs));
  return { base: threshold(labelled.vectors), adapted: threshold(applyAdapter(adapter, labelled.vectors)) };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation; 0 for fewer than two values. */
function sd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, x) => a + (x - m) ** 2, 0) / (values.length - 1));
}
