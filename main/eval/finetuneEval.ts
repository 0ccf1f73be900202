/**
 * `facet eval finetune`: does fine-tuning on a user's named faces help with their own library?
 * LFW plays the library. People with at least `minImages` images are the people a user named: 5 images
 * each are the named faces, the rest are held out in the library; everyone with fewer images is a
 * stranger in it. Every photo is embedded clean and degraded (face ~40 px wide, JPEG quality 20: the
 * paper's Table 4 conditions, see degrade.ts). The adapter is trained as `facet finetune` trains it
 * (adapterTraining.ts) on the named faces, clean and degraded copies both, since a user's photos
 * are of both kinds; then finetuneProtocol.ts scores the library before and after, and LFW's pairs.txt
 * (all 6,000 pairs, none excluded) gives the accuracy the fine-tuning guard watches.
 */
import { ADAPTER_MARGIN } from '../learn/adapterTraining.ts';
import { clusterCautionFor, clusterThresholdFor, DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import type { ProgressListener } from '../core/progress.ts';
import { applyAdapter } from '../learn/adapter.ts';
import { derivedClusterThreshold } from '../people/adapterStore.ts';
import { type AdapterTrainingOptions, gatherRows, trainAdapter } from '../learn/adapterTraining.ts';
import { verificationThresholds } from '../people/fineTune.ts';
import { createRng, shuffled } from '../core/random.ts';
import { lfwIdentities } from './clusterEval.ts';
import { type Degradation, cleanLandmarks, embedClean, embedDegraded } from './degrade.ts';
import { type FaceRole, type ProtocolFaces, type SpaceScores, compareSpaces, rowsWith } from './finetuneProtocol.ts';
import { readPairs } from '../training/lfwPairs.ts';
import { evaluateVerification, squaredDistance } from '../metrics/verification.ts';

export const FINETUNE_DEGRADATION: Degradation = { facePixels: 40, quality: 20 };

/** The margin `facet finetune` uses (adapterTraining.ts explains the choice). */
export const FINETUNE_EVAL_MARGIN = ADAPTER_MARGIN;

export interface FinetuneEvalOptions {
  readonly dataDir: string;
  /** The detection cache and degraded embeddings live here (required: degraded copies reuse the clean landmarks). */
  readonly cacheDir: string;
  /** Default 10: people with this many images are the named ones. */
  readonly minImages?: number;
  /** Default 5 named faces per named person. */
  readonly namedFaces?: number;
  /** Keep only the first N named people and 3N strangers (tests). Default all. */
  readonly people?: number;
  readonly embedder?: string;
  readonly detector?: string;
  readonly backend?: string;
  readonly workers?: number;
  readonly training?: AdapterTrainingOptions;
  readonly seed?: number;
  readonly onProgress?: ProgressListener;
}

export interface FinetuneEvalReport {
  readonly clean: { readonly before: SpaceScores; readonly after: SpaceScores };
  readonly degraded: { readonly before: SpaceScores; readonly after: SpaceScores };
  readonly lfwAccuracyBefore: number;
  readonly lfwAccuracyAfter: number;
  readonly lfwPairs: number;
  readonly namedPeople: number;
  readonly namedFaces: number;
  readonly heldOutFaces: number;
  readonly strangerFaces: number;
  readonly degradation: Degradation;
  readonly adapter: { readonly margin: number; readonly steps: number; readonly firstLoss: number; readonly finalLoss: number; readonly trainedOn: number };
  readonly model: string;
  readonly detector: string;
  readonly backend: string;
  readonly detectFailures: number;
  readonly seconds: number;
}

/** The protocol's split of LFW: every image with its person and role. */
export function splitLibrary(dataDir: string, options: Pick<FinetuneEvalOptions, 'minImages' | 'namedFaces' | 'people' | 'seed'> = {}) {
  const minImages = options.minImages ?? 10;
  const namedFaces = options.namedFaces ?? 5;
  const all = lfwIdentities(dataDir, 1);
  let named = all.filter((identity) => identity.images.length >= minImages);
  let strangers = all.filter((identity) => identity.images.length < minImages);
  if (options.people !== undefined) {
    named = named.slice(0, options.people);
    strangers = strangers.slice(0, 3 * options.people);
  }
  const rng = createRng(options.seed ?? 1);
  const images: string[] = [];
  const identity: number[] = [];
  const role: FaceRole[] = [];
  [...named, ...strangers].forEach((person, index) => {
    const isNamed = index < named.length;
    // Which five a user named is chance: a seeded shuffle, not the first five files.
    shuffled(person.images, rng).forEach((image, k) => {
      images.push(image);
      identity.push(index);
      role.push(!isNamed ? 'stranger' : k < namedFaces ? 'named' : 'heldOut');
    });
  });
  return { images, identity: Int32Array.from(identity), role, namedPeople: named.length };
}

function stack(embeddings: ReadonlyMap<string, Float32Array>, images: readonly string[]): Float32Array {
  const dim = embeddings.get(images[0]!)!.length;
  const out = new Float32Array(images.length * dim);
  images.forEach((image, i) => out.set(embeddings.get(image)!, i * dim));
  return out;
}

export async function evaluateFinetune(options: FinetuneEvalOptions): Promise<FinetuneEvalReport> {
  const started = performance.now();
  const embedder = options.embedder ?? DEFAULT_EMBEDDER;
  const detector = options.detector ?? DEFAULT_DETECTOR;
  const split = splitLibrary(options.dataDir, options);
  const pipeline = { embedder, detector, backend: options.backend, flip: true };
  const clean = await embedClean(split.images, { pipeline, workers: options.workers, cacheDir: options.cacheDir, onProgress: options.onProgress });
  const landmarks = cleanLandmarks(options.cacheDir, clean.detector, split.images);
  const degradedRuns = await embedDegraded(split.images, landmarks, [FINETUNE_DEGRADATION], { pipeline, workers: options.workers, cacheDir: options.cacheDir, onProgress: options.onProgress });
  const cleanVectors = stack(clean.embeddings, split.images);
  const degradedVectors = stack([...degradedRuns.values()][0]!, split.images);
  const dim = cleanVectors.length / split.images.length;
  const faces: ProtocolFaces = { dim, identity: split.identity, role: split.role };

  // The adapter learns from the named faces only, clean and degraded.
  const named = rowsWith(faces, ['named']);
  const trainVectors = new Float32Array([...gatherRows(cleanVectors, dim, named), ...gatherRows(degradedVectors, dim, named)]);
  const trainLabels = Int32Array.from([...named, ...named].map((row) => split.identity[row]!));
  const trained = trainAdapter(trainVectors, dim, trainLabels, { seed: options.seed, margin: FINETUNE_EVAL_MARGIN, ...options.training });
  // Clustering as the app sets it up: the calibrated threshold (scaled after fine-tuning as adapterStore.ts does) and caution.
  const verification = verificationThresholds({ vectors: trainVectors, labels: trainLabels, dim }, trained.adapter, 200_000, createRng(options.seed ?? 1));
  const before = clusterThresholdFor(embedder);
  const thresholds = { before, after: derivedClusterThreshold(embedder, verification.base, verification.adapted), caution: clusterCautionFor(embedder) };

  const lfw = lfwBeforeAfter(options.dataDir, clean.embeddings, (vector) => applyAdapter(trained.adapter, vector));
  const losses = trained.losses;
  return {
    clean: compareSpaces(cleanVectors, faces, trained.adapter, thresholds, options.seed),
    degraded: compareSpaces(degradedVectors, faces, trained.adapter, thresholds, options.seed),
    lfwAccuracyBefore: lfw.before,
    lfwAccuracyAfter: lfw.after,
    lfwPairs: lfw.pairs,
    namedPeople: split.namedPeople,
    namedFaces: named.length,
    heldOutFaces: rowsWith(faces, ['heldOut']).length,
    strangerFaces: rowsWith(faces, ['stranger']).length,
    degradation: FINETUNE_DEGRADATION,
    adapter: { margin: options.training?.margin ?? FINETUNE_EVAL_MARGIN, steps: losses.length, firstLoss: losses[0] ?? 0, finalLoss: losses.slice(-10).reduce((a, b) => a + b, 0) / Math.max(1, Math.min(10, losses.length)), trainedOn: trainLabels.length },
    model: clean.embedder,
    detector: clean.detector,
    backend: clean.backend,
    detectFailures: clean.detectFailures,
    seconds: (performance.now() - started) / 1000,
  };
}

/** 10-fold LFW accuracy on pairs.txt, without and with the adapter, over the pairs whose images were embedded. */
function lfwBeforeAfter(dataDir: string, embeddings: ReadonlyMap<string, Float32Array>, adapt: (v: Float32Array) => Float32Array) {
  const pairs = readPairs(dataDir).filter((pair) => embeddings.has(pair.a) && embeddings.has(pair.b));
  if (pairs.length === 0) return { before: NaN, after: NaN, pairs: 0 };
  const adapted = new Map([...new Set(pairs.flatMap((p) => [p.a, p.b]))].map((image) => [image, adapt(embeddings.get(image)!)]));
  const accuracy = (get: (image: string) => Float32Array) =>
    evaluateVerification(pairs.map((pair) => ({ distance: squaredDistance(get(pair.a), get(pair.b)), same: pair.same, fold: pair.fold }))).accuracy;
  return { before: accuracy((image) => embeddings.get(image)!), after: accuracy((image) => adapted.get(image)!), pairs: pairs.length };
}
