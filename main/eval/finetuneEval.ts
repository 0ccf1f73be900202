/**
 * `facet eval finetune`: does fine-tuning on a user's named faces help with their own library?
 *
 * LFW plays the library, within one of LFW's development splits of people: `dev` (peopleDevTrain.txt,
 * where every hyper-parameter was chosen) or `test` (peopleDevTest.txt: people disjoint from it, where
 * figures are reported); `all` is the whole of LFW. People with at least `minImages` images are the
 * people a user named: a share of their faces (half by default) is confirmed, the rest wait in the
 * library beside everyone else (strangers). Every photo is embedded clean and degraded (face ~40 px
 * wide, JPEG quality 20: the paper's Table 4 conditions, see degrade.ts).
 *
 * Per seed (which faces are confirmed, the held-back faces, batches, the adapter's initialisation) an
 * adapter is trained by one recipe (learn/adapterDesigns.ts) as `facet finetune` trains it: the
 * confirmed faces, clean and degraded copies both, the library's unlabelled clean faces as hard
 * negatives; finetuneProtocol.ts scores the library before and after, and LFW pairs give the accuracy
 * the fine-tuning guard watches (the split's own pairsDevTrain.txt or pairsDevTest.txt, one fold, so
 * no image beyond the split is needed; pairs.txt's ten folds for 'all'). The report holds
 * the mean over seeds, the standard deviation of each gain and the worst seed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterCautionFor, clusterThresholdFor, DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import type { ProgressListener } from '../core/progress.ts';
import { describePrecisions, type PrecisionMode } from '../embed/precision.ts';
import { applyAdapter } from '../learn/adapter.ts';
import { type AdapterRecipe, DEFAULT_DESIGN, adapterDesign, trainWithRecipe } from '../learn/adapterDesigns.ts';
import { gatherRows } from '../learn/adapterTraining.ts';
import { createRng } from '../core/random.ts';
import { derivedClusterThreshold } from '../people/adapterStore.ts';
import { verificationThresholds } from '../people/fineTune.ts';
import { readPairs } from '../training/lfwPairs.ts';
import { evaluateVerification, squaredDistance } from '../metrics/verification.ts';
import { lfwIdentities } from './clusterEval.ts';
import { type Degradation, cleanLandmarks, embedClean, embedDegraded } from './degrade.ts';
import {
  type FaceRole, type NamedShare, type ProtocolFaces, type SeedFigures, type SpaceScores, type Spread,
  assignRoles, meanScores, rowsWith, scoreSpace, summariseSeeds,
} from './finetuneProtocol.ts';

export const FINETUNE_DEGRADATION: Degradation = { facePixels: 40, quality: 20 };

export type ProtocolSplit = 'dev' | 'test' | 'all';

export interface FinetuneEvalOptions {
  readonly dataDir: string;
  /** The detection cache and degraded embeddings live here (required: degraded copies reuse the clean landmarks). */
  readonly cacheDir: string;
  /** Default 'test'. */
  readonly split?: ProtocolSplit;
  /** Default 10: people with this many images are the named ones. */
  readonly minImages?: number;
  /** Default: half of each named person's faces are confirmed. */
  readonly named?: NamedShare;
  /** Keep only the first N named people and 3N strangers (tests). Default all. */
  readonly people?: number;
  /** Keep this share of the strangers (evenly spaced), for a cheaper library. Default 1. */
  readonly strangerShare?: number;
  /** A design of learn/adapterDesigns.ts. Default DEFAULT_DESIGN. */
  readonly design?: string;
  /** Overrides of the design's training options (--steps, --margin, ...). */
  readonly recipe?: Partial<AdapterRecipe>;
  /** Default 5. */
  readonly seeds?: number;
  /** The first seed; seeds are firstSeed, firstSeed + 1, ... Default 1. */
  readonly firstSeed?: number;
  readonly embedder?: string;
  readonly detector?: string;
  readonly backend?: string;
  /** The ONNX networks' precision (default: FACET_PRECISION, else DEFAULT_PRECISION). */
  readonly precision?: PrecisionMode;
  readonly workers?: number;
  readonly onProgress?: ProgressListener;
}

export interface FinetuneEvalReport {
  /** Means over seeds. */
  readonly clean: { readonly before: SpaceScores; readonly after: SpaceScores };
  readonly degraded: { readonly before: SpaceScores; readonly after: SpaceScores };
  readonly lfwAccuracyBefore: number;
  readonly lfwAccuracyAfter: number;
  readonly lfwPairs: number;
  /** Mean gain (after − before) of clean BCubed F, degraded BCubed F and LFW accuracy; their sd over seeds; the worst seed. */
  readonly gain: Spread;
  readonly sd: Spread;
  readonly worst: Spread & { readonly seed: number };
  readonly seeds: ReadonlyArray<SeedFigures & { readonly trainedOn: number; readonly bestStep: number; readonly strangerNegatives: number; readonly contamination: number }>;
  readonly split: ProtocolSplit;
  readonly design: string;
  readonly recipe: AdapterRecipe;
  readonly namedPeople: number;
  /** Mean over seeds. */
  readonly namedFaces: number;
  readonly heldOutFaces: number;
  readonly strangerFaces: number;
  readonly degradation: Degradation;
  readonly adapter: { readonly margin: number; readonly steps: number; readonly trainedOn: number };
  readonly model: string;
  readonly detector: string;
  readonly backend: string;
  /** What the networks ran in: a precision mode, or each network's where no mode says it. */
  readonly precision: string;
  readonly detectFailures: number;
  readonly seconds: number;
}

/** Names listed in one of LFW's people files ("count" then "name<TAB>images" lines). */
export function peopleInFile(file: string): Set<string> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const names = lines.slice(1).map((line) => line.split(/\s+/)[0]!);
  if (names.length !== Number(lines[0])) throw new Error(`${file}: the header says ${lines[0]} people, ${names.length} are listed`);
  return new Set(names);
}

/** Each split's people, and the LFW pairs of its own people that the LFW check uses (one fold each). */
const SPLIT_FILES: Record<ProtocolSplit, { people?: string; pairs: string }> = {
  dev: { people: 'peopleDevTrain.txt', pairs: 'pairsDevTrain.txt' },
  test: { people: 'peopleDevTest.txt', pairs: 'pairsDevTest.txt' },
  all: { pairs: 'pairs.txt' },
};

/** The split's images, person by person (named people first), and each image's person. */
export function splitLibrary(dataDir: string, options: Pick<FinetuneEvalOptions, 'split' | 'minImages' | 'people' | 'strangerShare'> = {}) {
  const minImages = options.minImages ?? 10;
  const file = SPLIT_FILES[options.split ?? 'test'].people;
  const keep = file === undefined ? undefined : peopleInFile(path.join(dataDir, file));
  const all = lfwIdentities(dataDir, 1).filter((identity) => !keep || keep.has(identity.name));
  let named = all.filter((identity) => identity.images.length >= minImages);
  let strangers = all.filter((identity) => identity.images.length < minImages);
  const share = options.strangerShare ?? 1;
  // Evenly spaced in name order: stranger k is kept when ⌊k·share⌋ moves on.
  if (share < 1) strangers = strangers.filter((_, k) => Math.floor((k + 1) * share) > Math.floor(k * share));
  if (options.people !== undefined) {
    named = named.slice(0, options.people);
    strangers = strangers.slice(0, 3 * options.people);
  }
  const images: string[] = [];
  const identity: number[] = [];
  [...named, ...strangers].forEach((person, index) => {
    for (const image of person.images) {
      images.push(image);
      identity.push(index);
    }
  });
  return { images, identity: Int32Array.from(identity), namedPeople: named.length };
}

function stack(embeddings: ReadonlyMap<string, Float32Array>, images: readonly string[]): Float32Array {
  const dim = embeddings.get(images[0]!)!.length;
  const out = new Float32Array(images.length * dim);
  images.forEach((image, i) => out.set(embeddings.get(image)!, i * dim));
  return out;
}

/** A design's recipe with the caller's overrides (training options merged, not replaced). */
export function resolveRecipe(design: string, overrides: Partial<AdapterRecipe> = {}): AdapterRecipe {
  const base = adapterDesign(design);
  return {
    training: { ...base.training, ...overrides.training },
    strangers: overrides.strangers === undefined ? base.strangers : overrides.strangers,
    validationFraction: overrides.validationFraction ?? base.validationFraction,
  };
}

export async function evaluateFinetune(options: FinetuneEvalOptions): Promise<FinetuneEvalReport> {
  const design = options.design ?? DEFAULT_DESIGN;
  const [report] = await evaluateFinetuneDesigns(options, [{ label: design, design, recipe: options.recipe }]);
  return report!;
}

/** One entry of a comparison: a design of learn/adapterDesigns.ts with overrides, under a label. */
export interface DesignEntry {
  readonly label: string;
  readonly design: string;
  readonly recipe?: Partial<AdapterRecipe>;
}

/**
 * Several designs on the same embeddings, seeds and splits: each seed's "before" figures are computed
 * once and shared, so a comparison costs little more than its adapters.
 */
export async function evaluateFinetuneDesigns(options: FinetuneEvalOptions, entries: readonly DesignEntry[]): Promise<FinetuneEvalReport[]> {
  const started = performance.now();
  const embedder = options.embedder ?? DEFAULT_EMBEDDER;
  const detector = options.detector ?? DEFAULT_DETECTOR;
  const split = options.split ?? 'test';
  const recipes = entries.map((entry) => resolveRecipe(entry.design, entry.recipe));
  const library = splitLibrary(options.dataDir, options);
  const pipeline = { embedder, detector, backend: options.backend, precision: options.precision, flip: true };
  const pairsFile = SPLIT_FILES[split].pairs;
  // The LFW check's images too (the split's own pairs; pairs.txt for 'all').
  // (A partial library, --people or --stranger-share, checks the pairs within it and embeds no more.)
  const partial = options.people !== undefined || (options.strangerShare ?? 1) < 1;
  const pairImages = partial ? [] : readPairs(options.dataDir, pairsFile).flatMap((p) => [p.a, p.b]);
  const clean = await embedClean([...new Set([...library.images, ...pairImages])], { pipeline, workers: options.workers, cacheDir: options.cacheDir, onProgress: options.onProgress });
  const landmarks = cleanLandmarks(options.cacheDir, clean.detector, library.images, clean.precisions.detector);
  const degradedRuns = await embedDegraded(library.images, landmarks, [FINETUNE_DEGRADATION], { pipeline, workers: options.workers, cacheDir: options.cacheDir, onProgress: options.onProgress });
  const cleanVectors = stack(clean.embeddings, library.images);
  const degradedVectors = stack([...degradedRuns.values()][0]!, library.images);
  const dim = cleanVectors.length / library.images.length;
  const lfw = lfwPairVectors(options.dataDir, pairsFile, clean.embeddings);
  const thresholdBefore = clusterThresholdFor(embedder);
  const caution = clusterCautionFor(embedder);

  const perEntry: Array<Array<FinetuneEvalReport['seeds'][number]>> = entries.map(() => []);
  const counts: Array<Record<FaceRole, number>> = [];
  const count = options.seeds ?? 5;
  for (let k = 0; k < count; k++) {
    const seed = (options.firstSeed ?? 1) + k;
    const role = assignRoles(library.identity, library.namedPeople, options.named ?? {}, seed);
    const faces: ProtocolFaces = { dim, identity: library.identity, role };
    counts.push({ named: rowsWith(faces, ['named']).length, heldOut: rowsWith(faces, ['heldOut']).length, stranger: rowsWith(faces, ['stranger']).length });
    const before = {
      clean: scoreSpace(cleanVectors, faces, thresholdBefore, seed, caution),
      degraded: scoreSpace(degradedVectors, faces, thresholdBefore, seed, caution),
    };
    recipes.forEach((recipe, e) => {
      const result = trainForSeed(cleanVectors, degradedVectors, faces, recipe, seed);
      // Clustering as the app sets it up: the calibrated threshold, scaled after fine-tuning as adapterStore.ts does, and caution.
      const verification = verificationThresholds(result.training, result.adapter, 200_000, createRng(seed));
      const after = derivedClusterThreshold(embedder, verification.base, verification.adapted);
      perEntry[e]!.push({
        seed,
        clean: { before: before.clean, after: scoreSpace(applyAdapter(result.adapter, cleanVectors), faces, after, seed, caution) },
        degraded: { before: before.degraded, after: scoreSpace(applyAdapter(result.adapter, degradedVectors), faces, after, seed, caution) },
        lfwAccuracyBefore: lfw.before,
        lfwAccuracyAfter: lfw.accuracy((v) => applyAdapter(result.adapter, v)),
        trainedOn: result.trainedOn,
        bestStep: result.bestStep,
        strangerNegatives: result.strangerNegatives,
        contamination: result.contamination,
      });
      options.onProgress?.({ stage: 'seeds × designs', done: k * entries.length + e + 1, total: count * entries.length });
    });
  }
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return entries.map((entry, e) => {
    const seeds = perEntry[e]!;
    const recipe = recipes[e]!;
    const average = (pick: (s: SeedFigures) => SpaceScores) => meanScores(seeds.map(pick));
    return {
      clean: { before: average((s) => s.clean.before), after: average((s) => s.clean.after) },
      degraded: { before: average((s) => s.degraded.before), after: average((s) => s.degraded.after) },
      lfwAccuracyBefore: lfw.before,
      lfwAccuracyAfter: meanOf(seeds.map((s) => s.lfwAccuracyAfter)),
      lfwPairs: lfw.pairs,
      ...summariseSeeds(seeds),
      seeds,
      split,
      design: entry.label,
      recipe,
      namedPeople: library.namedPeople,
      namedFaces: meanOf(counts.map((c) => c.named)),
      heldOutFaces: meanOf(counts.map((c) => c.heldOut)),
      strangerFaces: meanOf(counts.map((c) => c.stranger)),
      degradation: FINETUNE_DEGRADATION,
      adapter: { margin: recipe.training.margin ?? 0.05, steps: recipe.training.steps ?? 200, trainedOn: meanOf(seeds.map((s) => s.trainedOn)) },
      model: clean.embedder,
      detector: clean.detector,
      backend: clean.backend,
      precision: describePrecisions(clean.precisions),
      detectFailures: clean.detectFailures,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/**
 * One seed's adapter: the confirmed faces, clean and degraded views of each (a user's library holds
 * both kinds of photo), and the library's clean faces as the unlabelled pool of hard negatives.
 * `contamination` is the share of allowed stranger negatives that are in fact the person's own
 * unconfirmed faces (known here, not in a real library).
 */
export function trainForSeed(cleanVectors: Float32Array, degradedVectors: Float32Array, faces: ProtocolFaces, recipe: AdapterRecipe, seed: number) {
  const { dim, identity } = faces;
  const named = rowsWith(faces, ['named']);
  const pool = rowsWith(faces, ['heldOut', 'stranger']);
  const vectors = new Float32Array([...gatherRows(cleanVectors, dim, named), ...gatherRows(degradedVectors, dim, named)]);
  const labels = Int32Array.from([...named, ...named].map((row) => identity[row]!));
  const faceOf = Int32Array.from([...named, ...named]);
  const result = trainWithRecipe({ vectors, labels, faceOf, pool: gatherRows(cleanVectors, dim, pool) }, dim, recipe, seed);
  let allowed = 0;
  let own = 0;
  for (const [label, rows] of result.candidates) {
    for (const row of rows) {
      allowed++;
      if (identity[pool[row]!] === label) own++;
    }
  }
  return {
    adapter: result.adapter,
    training: { vectors, labels, dim },
    trainedOn: result.trainRows,
    bestStep: result.bestStep,
    strangerNegatives: allowed,
    contamination: allowed === 0 ? 0 : own / allowed,
  };
}

/** LFW pairs whose images were embedded, and 10-fold (or single-fold) accuracy with an optional adapter. */
function lfwPairVectors(dataDir: string, file: string, embeddings: ReadonlyMap<string, Float32Array>) {
  const pairs = readPairs(dataDir, file).filter((pair) => embeddings.has(pair.a) && embeddings.has(pair.b));
  const accuracy = (adapt?: (v: Float32Array) => Float32Array): number => {
    if (pairs.length === 0) return NaN;
    const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const adapted = new Map(images.map((image) => [image, adapt ? adapt(embeddings.get(image)!) : embeddings.get(image)!]));
    return evaluateVerification(pairs.map((pair) => ({ distance: squaredDistance(adapted.get(pair.a)!, adapted.get(pair.b)!), same: pair.same, fold: pair.fold }))).accuracy;
  };
  return { before: accuracy(), accuracy, pairs: pairs.length };
}
