/**
 * `facet bench detect`: the small-face pass (faces/smallFaces.ts) against the single whole-image pass,
 * on 12 MP group photos composed from LFW faces (benchDetectPhotos.ts) and on face-api's six demo group
 * photos (ground truth in test/fixtures/faceapi-demo-faces.json). Each of the small-face pass's
 * strategies ('tiles': the pyramid's tiles; 'proposals': BlazeFace proposals verified by SSD in
 * mosaics) is scored beside the single pass. Per photo set: recall of faces of 40-60, 60-90 and 90+ px
 * (geometric mean of the box sides, original pixels), precision, seconds per photo, decode included
 * (the single pass decodes as scans did before the small-face pass: longest side 1600, shrunk on load;
 * the small-face pass as scans do now: whole, up to 4096 px), detector passes and multiply-adds per
 * photo. All run one after the other on each photo, in this process, one onnxruntime thread, so their
 * ratios are fair on a shared machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../library/repoRoot.ts';
import { iou } from '../../native-models/faceapi/boxMath.ts';
import { defaultCacheDir } from '../../native-models/onnx/cache.ts';
import type { Box } from '../core/types.ts';
import { networkPrecisions, resolvePrecision, type Precision, type PrecisionMode } from '../embed/precision.ts';
import { OnnxSsdDetector } from '../faces/onnxDetector.ts';
import { BLAZEFACE_MACS_PER_PIXEL } from '../faces/blazeProposals.ts';
import { SmallFaceDetector, type SmallFaceOptions, type SmallFaceStrategy } from '../faces/smallFaces.ts';
import { decodeImage } from '../library/decode.ts';
import { composeGroupPhotos, type GroundTruthPhoto } from './benchDetectPhotos.ts';

export const SIZE_BANDS = [
  { name: '40-60', min: 40, max: 60 },
  { name: '60-90', min: 60, max: 90 },
  { name: '90+', min: 90, max: Infinity },
] as const;
/** A detection matches a ground-truth face at this IoU or more. */
export const MATCH_IOU = 0.4;
/**
 * Multiply-adds of one SSD MobileNetV1 pass (its graph resizes every input to 512x512), counted by
 * wrapping tfjs's convolution kernels and summing kh·kw·in·out per output pixel: 3.143 G.
 */
export const SSD_MACS_PER_PASS = 3.143e9;

export const DEMO_TRUTH = path.join(REPO_ROOT, 'test', 'fixtures', 'faceapi-demo-faces.json');
const DEMO_DIR = path.join(REPO_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');

export interface BenchDetectOptions {
  lfwDir: string;
  seed: number;
  photos: number;
  minConfidence?: number;
  /** Small-face settings shared by every strategy (its `strategy` field is ignored: see strategies). */
  smallFaces?: SmallFaceOptions;
  /** The small-face strategies to score beside the single pass (default both: tiles, proposals). */
  strategies?: readonly SmallFaceStrategy[];
  /** Skip the face-api demo photos. */
  skipDemo?: boolean;
  cacheDir?: string;
  /** The precision mode, of which the SSD's part counts here (default: FACET_PRECISION, else DEFAULT_PRECISION); the ground truth of the composed photos is always found in fp32. */
  precision?: PrecisionMode;
  log?: (line: string) => void;
}

export interface PassScore {
  /** Recall per size band: found / faces. */
  recall: Record<string, number | null>;
  found: Record<string, number>;
  faces: Record<string, number>;
  /** Faces below 40 px in the ground truth (the demo photos have none; listed for completeness). */
  detections: number;
  truePositives: number;
  precision: number | null;
  /** Decode + detect (+ landmarks), mean per photo. */
  secondsPerPhoto: number;
  detectSecondsPerPhoto: number;
}

/** A small-face strategy's score on a set, with what it cost beside the single pass. */
export interface StrategyScore extends PassScore {
  strategy: SmallFaceStrategy;
  /** secondsPerPhoto / the single pass's. */
  timeRatio: number;
  /** SSD passes per photo: whole image + tiles, or whole image + mosaics (a small photo: the one pass). */
  passesPerPhoto: number;
  /** BlazeFace passes per photo (proposals only). */
  proposalPassesPerPhoto: number;
  /** Proposals sent to verification (not found by the whole-image pass), those SSD confirmed, and mosaics, per photo. */
  proposalsPerPhoto: number;
  verifiedPerPhoto: number;
  mosaicsPerPhoto: number;
  /** Detector multiply-adds per photo, G (SSD passes and BlazeFace; the landmark net, the same for all, left out). */
  gmacPerPhoto: number;
  /** gmacPerPhoto / the single pass's. */
  gmacRatio: number;
}

export interface SetResult {
  name: string;
  photos: number;
  faces: number;
  single: PassScore & { gmacPerPhoto: number };
  /** In the order asked for. */
  strategies: StrategyScore[];
}

export interface BenchDetectResult {
  detector: string;
  runtime: string;
  precision: Precision;
  minConfidence: number;
  /** The small-face settings (strategy: the default, which scans use). */
  smallFaces: Required<SmallFaceOptions>;
  seed: number;
  composedFolder: string;
  poolRejected: number;
  poolTried: number;
  sets: SetResult[];
}

export interface Tally {
  found: Record<string, number>;
  faces: Record<string, number>;
  detections: number;
  truePositives: number;
  seconds: number;
  detectSeconds: number;
}

export async function benchDetect(options: BenchDetectOptions): Promise<BenchDetectResult> {
  const log = options.log ?? (() => {});
  const minConfidence = options.minConfidence ?? 0.5;
  const precision = networkPrecisions(resolvePrecision(options.precision).precision).detector;
  const strategies = options.strategies ?? (['tiles', 'proposals'] as const);
  const single = new OnnxSsdDetector({ minConfidence }, undefined, precision);
  await single.load();
  // Every strategy wraps the same loaded SSD (dispose is idempotent).
  const passes = strategies.map((strategy) => new SmallFaceDetector(single, { ...options.smallFaces, strategy }));
  try {
    for (const pass of passes) {
      await pass.load();
      if (pass.strategyInUse !== pass.settings.strategy) throw new Error(`bench detect: strategy ${pass.settings.strategy} cannot run here (onnxruntime-node is needed)`);
    }
    const composed = await composedPhotos(options, minConfidence, log);
    const sets: SetResult[] = [await scoreSet(`composed 12 MP, seed ${options.seed}`, composed.photos, single, passes, log)];
    if (!options.skipDemo) sets.push(await scoreSet('face-api demo photos', demoPhotos(), single, passes, log));
    const settings = new SmallFaceDetector(single, { ...options.smallFaces, strategy: undefined }).settings;
    return {
      detector: single.id, runtime: 'onnx', precision, minConfidence, smallFaces: { ...settings }, seed: options.seed,
      composedFolder: composed.folder, poolRejected: composed.poolRejected, poolTried: composed.poolTried, sets,
    };
  } finally {
    for (const pass of passes) pass.dispose();
    single.dispose();
  }
}

/** The composed group photos of options.seed (made once, cached), their ground truth found by the fp32 detector. */
export async function composedPhotos(options: Pick<BenchDetectOptions, 'lfwDir' | 'seed' | 'photos' | 'cacheDir'>, minConfidence: number, log: (line: string) => void) {
  const truthDetector = new OnnxSsdDetector({ minConfidence });
  await truthDetector.load();
  try {
    return await composeGroupPhotos({
      lfwDir: options.lfwDir, seed: options.seed, photos: options.photos,
      cacheDir: path.join(options.cacheDir ?? defaultCacheDir(), 'bench-detect'), detector: truthDetector, log,
    });
  } finally {
    truthDetector.dispose();
  }
}

/** The six face-api demo photos with their ground truth (see the fixture's note on how it was made). */
export function demoPhotos(): GroundTruthPhoto[] {
  const truth = JSON.parse(readFileSync(DEMO_TRUTH, 'utf8')) as { photos: Array<{ file: string; width: number; height: number; faces: Box[] }> };
  return truth.photos.map((photo) => {
    const file = path.join(DEMO_DIR, photo.file);
    if (!existsSync(file)) throw new Error(`${file}: face-api demo photo missing (is @vladmandic/face-api installed?)`);
    return { ...photo, file };
  });
}

async function scoreSet(name: string, photos: GroundTruthPhoto[], single: OnnxSsdDetector, passes: SmallFaceDetector[], log: (line: string) => void): Promise<SetResult> {
  const singleTally = emptyTally();
  const tallies = passes.map(() => emptyTally());
  // One untimed photo first: the first runs pay for onnxruntime's set-up.
  if (photos[0]) for (const pass of passes) await runPass(photos[0], pass, Infinity);
  const before = passes.map((pass) => ({ ...pass.stats }));
  for (const [i, photo] of photos.entries()) {
    score(photo, await runPass(photo, single, 1600), singleTally);
    for (const [p, pass] of passes.entries()) score(photo, await runPass(photo, pass, Infinity), tallies[p]!);
    log(`${name}: ${i + 1}/${photos.length}`);
  }
  const count = Math.max(1, photos.length);
  const singleScore = { ...summarise(singleTally, photos.length), gmacPerPhoto: SSD_MACS_PER_PASS / 1e9 };
  const strategies = passes.map((pass, p): StrategyScore => {
    const stats = pass.stats, was = before[p]!;
    const perPhoto = (key: keyof typeof stats) => (stats[key] - was[key]) / count;
    const gmacPerPhoto = (perPhoto('passes') * SSD_MACS_PER_PASS + perPhoto('proposalInputPixels') * BLAZEFACE_MACS_PER_PIXEL) / 1e9;
    const passScore = summarise(tallies[p]!, photos.length);
    return {
      strategy: pass.settings.strategy, ...passScore,
      timeRatio: passScore.secondsPerPhoto / singleScore.secondsPerPhoto,
      passesPerPhoto: perPhoto('passes'), proposalPassesPerPhoto: perPhoto('proposalPasses'),
      proposalsPerPhoto: perPhoto('proposals'), verifiedPerPhoto: perPhoto('verified'), mosaicsPerPhoto: perPhoto('mosaics'),
      gmacPerPhoto, gmacRatio: gmacPerPhoto / singleScore.gmacPerPhoto,
    };
  });
  return { name, photos: photos.length, faces: photos.reduce((sum, p) => sum + p.faces.length, 0), single: singleScore, strategies };
}

export interface PassRun {
  boxes: Box[];
  seconds: number;
  detectSeconds: number;
}

/** Decodes (longest side maxSide) and detects; boxes in original pixels. */
export async function runPass(photo: GroundTruthPhoto, detector: { detect: OnnxSsdDetector['detect'] }, maxSide: number): Promise<PassRun> {
  const started = performance.now();
  const decoded = await decodeImage(photo.file, { maxSide });
  if (decoded instanceof Error) throw decoded;
  const detectStarted = performance.now();
  const faces = await detector.detect(decoded.image);
  const ended = performance.now();
  const toOriginal = 1 / decoded.scale;
  return {
    boxes: faces.map(({ box }) => ({ x: box.x * toOriginal, y: box.y * toOriginal, width: box.width * toOriginal, height: box.height * toOriginal })),
    seconds: (ended - started) / 1000,
    detectSeconds: (ended - detectStarted) / 1000,
  };
}

export function emptyTally(): Tally {
  return { found: {}, faces: {}, detections: 0, truePositives: 0, seconds: 0, detectSeconds: 0 };
}

/** Face size: the geometric mean of the box sides. */
export function faceSize(box: Box): number {
  return Math.sqrt(box.width * box.height);
}

export function bandOf(box: Box): string | null {
  const size = faceSize(box);
  return SIZE_BANDS.find((band) => size >= band.min && size < band.max)?.name ?? null;
}

/**
 * Greedy one-to-one matching, best IoU first: each ground-truth face takes at most one detection and
 * each detection at most one face; pairs below MATCH_IOU do not match. Returns the matched truth indices.
 */
export function matchFaces(truth: readonly Box[], found: readonly Box[], minIou = MATCH_IOU): Set<number> {
  const pairs: Array<[number, number, number]> = [];
  truth.forEach((t, i) => found.forEach((f, j) => {
    const overlap = iou(t, f);
    if (overlap >= minIou) pairs.push([overlap, i, j]);
  }));
  pairs.sort((a, b) => b[0] - a[0]);
  const usedTruth = new Set<number>(), usedFound = new Set<number>();
  for (const [, i, j] of pairs) {
    if (usedTruth.has(i) || usedFound.has(j)) continue;
    usedTruth.add(i);
    usedFound.add(j);
  }
  return usedTruth;
}

export function score(photo: GroundTruthPhoto, run: PassRun, tally: Tally): void {
  const matched = matchFaces(photo.faces, run.boxes);
  photo.faces.forEach((face, i) => {
    const band = bandOf(face) ?? 'under-40';
    tally.faces[band] = (tally.faces[band] ?? 0) + 1;
    if (matched.has(i)) tally.found[band] = (tally.found[band] ?? 0) + 1;
  });
  tally.detections += run.boxes.length;
  tally.truePositives += matched.size;
  tally.seconds += run.seconds;
  tally.detectSeconds += run.detectSeconds;
}

export function summarise(tally: Tally, photos: number): PassScore {
  const recall: Record<string, number | null> = {};
  for (const band of [...SIZE_BANDS.map((b) => b.name), 'under-40']) {
    const faces = tally.faces[band] ?? 0;
    if (faces > 0 || band !== 'under-40') recall[band] = faces > 0 ? (tally.found[band] ?? 0) / faces : null;
  }
  return {
    recall, found: tally.found, faces: tally.faces, detections: tally.detections, truePositives: tally.truePositives,
    precision: tally.detections > 0 ? tally.truePositives / tally.detections : null,
    secondsPerPhoto: tally.seconds / Math.max(1, photos), detectSecondsPerPhoto: tally.detectSeconds / Math.max(1, photos),
  };
}
