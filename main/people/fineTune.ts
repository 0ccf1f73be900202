/**
 * Fine-tuning to the user's own people: once at least two persons have enough faces named by the user,
 * a linear adapter (adapter.ts) is trained on the frozen base model's stored embeddings of those faces.
 * It is judged on faces it was not trained on: a fraction of each person's faces (20%, at least one) is
 * held out, in turn, so every face is held out once (holdout.ts). The adapter is applied only if
 *   1. held-out verification improves: accuracy over every held-out pair, at the threshold chosen on the
 *      training faces, gains at least `minGain` over the base model, and the gain is consistent across
 *      held-out faces (paired t ≥ `minSignificance`: with a few dozen faces, luck alone moves accuracy
 *      by points, as random labels show); and
 *   2. when an LFW reference is given, LFW accuracy drops by no more than `maxLfwDrop` (0.2 points).
 * The adapter applied is then trained the same way on all the labelled faces, and applied to the whole
 * library by adapterStore.ts (which also rolls it back).
 */
import type { ClusterRunReport } from './clusterLibrary.ts';
import { bestAccuracyThreshold } from '../metrics/verification.ts';
import type { Store } from '../store/index.ts';
import { type LinearAdapter, applyAdapter } from '../learn/adapter.ts';
import { applyAdapterToLibrary, currentModels } from './adapterStore.ts';
import { type AdapterTrainingOptions, gatherRows, trainAdapter } from '../learn/adapterTraining.ts';
import { type HeldOutComparison, type HoldoutSplit, HeldOutTally, heldOutPairs, holdoutFolds, pairsWithin, scorePairs } from '../learn/holdout.ts';
import { type LfwReference, lfwAccuracy } from '../training/lfwReference.ts';
import { type Rng, createRng } from '../core/random.ts';

export interface FineTuneOptions {
  /** Named faces a person needs to take part. Default 5. */
  readonly minFacesPerPerson?: number;
  /** Default 0.2 of each person's faces (at least one), i.e. five folds; at most 0.5. */
  readonly holdoutFraction?: number;
  /** Held-out accuracy gain required, as a fraction (0.01 = one point). Default 0.01. */
  readonly minGain?: number;
  /** Paired t over held-out faces the gain must reach. Default 2; 0 turns the test off. */
  readonly minSignificance?: number;
  /** Largest LFW accuracy drop accepted, as a fraction. Default 0.002 (0.2 points). */
  readonly maxLfwDrop?: number;
  /** Embeddings of LFW pairs by the base model; the LFW check is skipped without one. */
  readonly lfwReference?: LfwReference;
  readonly training?: AdapterTrainingOptions;
  readonly seed?: number;
  /** Train and evaluate, change nothing. */
  readonly dryRun?: boolean;
  /** Pairs scored per evaluation set at most (sampled beyond). Default 200 000. */
  readonly maxPairs?: number;
  /** Re-cluster after applying. Default true. */
  readonly recluster?: boolean;
}

export type FineTuneStatus = 'applied' | 'not-applied' | 'skipped' | 'dry-run';

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
  readonly heldOut: HeldOutComparison | null;
  /** null when no reference was given (see lfwSkipped). */
  readonly lfw: LfwCheck | null;
  readonly lfwSkipped: string | null;
  /** The final adapter's run; seconds also count the folds' runs. */
  readonly training: { readonly steps: number; readonly firstLoss: number; readonly finalLoss: number; readonly seconds: number } | null;
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
  const { base } = currentModels(store);
  const labelled = collectLabelledFaces(store, base, Math.max(3, minFaces));
  const empty = {
    baseModelId: base, derivedModelId: null, wouldApply: false, persons: labelled.personIds.length, trainFaces: 0, heldOutFaces: 0,
    heldOut: null, lfw: null, lfwSkipped: null, training: null, embeddingsWritten: 0, cluster: null,
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

  const rng = createRng(options.seed ?? 1);
  const folds = holdoutFolds(labelled.labels, options.holdoutFraction ?? 0.2, rng);
  const started = performance.now();
  const heldOut = crossValidate(labelled, folds, options, rng);
  const trained = trainOn(labelled, Array.from(labelled.labels, (_, i) => i), options);
  const training = {
    steps: trained.losses.length,
    firstLoss: trained.losses[0] ?? 0,
    finalLoss: mean(trained.losses.slice(-10)),
    seconds: (performance.now() - started) / 1000,
  };
  const { lfw, lfwSkipped } = checkLfw(options.lfwReference, base, trained.adapter);
  const verdict = decide(heldOut, lfw, options);
  const report = {
    ...empty,
    wouldApply: verdict.accept,
    trainFaces: labelled.faceIds.length,
    heldOutFaces: heldOut.faces,
    heldOut,
    lfw,
    lfwSkipped,
    training,
  };
  if (options.dryRun) return { ...report, status: 'dry-run', reason: `dry run: ${verdict.reason}` };
  if (!verdict.accept) return { ...report, status: 'not-applied', reason: verdict.reason };
  const thresholds = verificationThresholds(labelled, trained.adapter, options.maxPairs ?? 200_000, rng);
  const metrics = { heldOut, lfw, lfwSkipped, training, persons: labelled.personIds.length };
  const applied = applyAdapterToLibrary(store, base, trained.adapter, thresholds, metrics, { recluster: options.recluster });
  return { ...report, status: 'applied', reason: verdict.reason, derivedModelId: applied.derivedModelId, embeddingsWritten: applied.written, cluster: applied.cluster };
}

function trainOn(labelled: LabelledFaces, rows: readonly number[], options: FineTuneOptions) {
  return trainAdapter(gatherRows(labelled.vectors, labelled.dim, rows), labelled.dim, rows.map((i) => labelled.labels[i]!), { seed: options.seed, ...options.training });
}

/** Trains an adapter per fold on its training faces and tallies base against adapted on its held-out pairs. */
function crossValidate(labelled: LabelledFaces, folds: readonly HoldoutSplit[], options: FineTuneOptions, rng: Rng): HeldOutComparison {
  const maxPairs = options.maxPairs ?? 200_000;
  const tally = new HeldOutTally();
  for (const split of folds) {
    if (split.heldOut.length === 0) continue;
    const { adapter } = trainOn(labelled, split.train, options);
    const trainPairs = pairsWithin(split.train, maxPairs, rng);
    const testPairs = heldOutPairs(split, maxPairs, rng);
    const scores = (vectors: Float32Array) => ({
      train: scorePairs(vectors, labelled.dim, labelled.labels, trainPairs),
      test: scorePairs(vectors, labelled.dim, labelled.labels, testPairs),
    });
    tally.addFold(split, testPairs, scores(labelled.vectors), scores(applyAdapter(adapter, labelled.vectors)));
  }
  return tally.result();
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

function decide(heldOut: HeldOutComparison, lfw: LfwCheck | null, options: FineTuneOptions): { accept: boolean; reason: string } {
  const minGain = options.minGain ?? 0.01;
  const minT = options.minSignificance ?? 2;
  const maxDrop = options.maxLfwDrop ?? 0.002;
  const points = (x: number) => `${(100 * x).toFixed(2)} points`;
  const { gain, t } = heldOut;
  if (!(gain > 0 && gain >= minGain)) {
    return { accept: false, reason: `held-out accuracy changed by ${points(gain)}, short of the ${points(minGain)} gain required` };
  }
  if (t < minT) {
    return { accept: false, reason: `held-out accuracy gained ${points(gain)}, but not consistently across the ${heldOut.faces} held-out faces (t = ${t.toFixed(2)} < ${minT}): too little evidence` };
  }
  if (lfw && lfw.drop > maxDrop) {
    return { accept: false, reason: `held-out accuracy gained ${points(gain)} but LFW accuracy dropped ${points(lfw.drop)}, over the ${points(maxDrop)} allowed` };
  }
  return { accept: true, reason: `held-out accuracy gained ${points(gain)} (t = ${t.toFixed(1)})${lfw ? `, LFW changed by ${points(-lfw.drop)}` : ''}` };
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
