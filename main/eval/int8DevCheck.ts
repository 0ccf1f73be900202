/**
 * Chooses each calibration table's range method on LFW's development split only (never on pairs.txt
 * or the report seed): min/max unless it loses accuracy, then the percentile ranges if they lose less.
 *  - dlib ResNet: verification accuracy on pairsDevTest.txt at the threshold chosen on pairsDevTrain.txt,
 *    fp32 against int8 with each method, and the mean squared distance of int8 vectors from fp32 ones.
 *  - SSD: recall and precision of the small-face pass on the tuning seed's composed photos that
 *    calibration did not record (the second half of the set).
 */
import { rangesOf, type CalibrationTable, type RangeMethod } from '../../native-models/onnx/calibration.ts';
import { convertModel } from '../../native-models/onnx/cache.ts';
import { foldConvAffine, quantizeGraph, QUANTIZER_VERSION, type Precision } from '../../native-models/onnx/quantize.ts';
import { OnnxDlibResnetEmbedder } from '../embed/onnxEmbedder.ts';
import { OnnxSsdDetector } from '../faces/onnxDetector.ts';
import { SmallFaceDetector } from '../faces/smallFaces.ts';
import { bestAccuracyThreshold, squaredDistance, type ScoredPair } from '../metrics/verification.ts';
import { readPairs } from '../training/lfwPairs.ts';
import { emptyTally, runPass, score, summarise, type PassScore } from './benchDetect.ts';
import { composedPhotos } from './benchDetect.ts';
import { alignedCrops, cachedLandmarks, CALIBRATION_SEED } from './int8Calibration.ts';

/** LFW accuracy may drop this much (0.1 point) and detection recall 0.5 point before min/max gives way. */
export const ACCURACY_TOLERANCE = 0.001;
export const RECALL_TOLERANCE = 0.005;
const METHODS: readonly RangeMethod[] = ['minmax', 'percentile'];

/** The int8 graph a table makes with a given method, serialised (not cached: a candidate). */
export function candidateGraph(table: CalibrationTable, method: RangeMethod): Uint8Array {
  const graph = quantizeGraph(foldConvAffine(convertModel(table.model)), rangesOf({ ...table, method }));
  return graph.encode({ name: 'facet', version: String(QUANTIZER_VERSION) });
}

export interface EmbedderVariant {
  name: Precision | `int8-${RangeMethod}`;
  /** Accuracy on pairsDevTest.txt at the threshold best on pairsDevTrain.txt. */
  accuracy: number;
  threshold: number;
  /** Mean squared L2 distance from the fp32 vector of the same face (0 for fp32). */
  meanDrift: number;
}

export interface EmbedderDevCheck {
  pairs: { train: number; test: number; skipped: number };
  variants: EmbedderVariant[];
  chosen: RangeMethod;
}

/** Picks min/max unless it loses more than the tolerance and the other method loses less; ties go to the lower drift. */
function choose<T extends { loss: number; tieBreak: number }>(minmax: T, percentile: T, tolerance: number): RangeMethod {
  if (minmax.loss <= tolerance) return 'minmax';
  if (percentile.loss !== minmax.loss) return percentile.loss < minmax.loss ? 'percentile' : 'minmax';
  return percentile.tieBreak < minmax.tieBreak ? 'percentile' : 'minmax';
}

export async function checkEmbedderMethods(table: CalibrationTable, dataDir: string, cacheDir: string, log: (line: string) => void): Promise<EmbedderDevCheck> {
  const train = readPairs(dataDir, 'pairsDevTrain.txt');
  const test = readPairs(dataDir, 'pairsDevTest.txt');
  const files = [...new Set([...train, ...test].flatMap((pair) => [pair.a, pair.b]))];
  const crops = await alignedCrops(files, Infinity, cachedLandmarks(cacheDir), log);
  const faces = [...crops.values()];
  const usable = (pair: { a: string; b: string }) => crops.has(pair.a) && crops.has(pair.b);
  const vectorsBy = new Map<string, Map<string, Float32Array>>();
  const variants: Array<{ name: EmbedderVariant['name']; embedder: OnnxDlibResnetEmbedder }> = [
    { name: 'fp32', embedder: new OnnxDlibResnetEmbedder({ flip: true, threads: 1 }) },
    ...METHODS.map((method) => ({ name: `int8-${method}` as const, embedder: new OnnxDlibResnetEmbedder({ flip: true, threads: 1, precision: 'int8', graph: candidateGraph(table, method) }) })),
  ];
  for (const { name, embedder } of variants) {
    await embedder.load();
    try {
      const vectors = await embedder.embed(faces);
      vectorsBy.set(name, new Map([...crops.keys()].map((file, i) => [file, vectors[i]!])));
      log(`dev check: ${name} embedded ${faces.length} faces`);
    } finally {
      embedder.dispose();
    }
  }
  const fp32 = vectorsBy.get('fp32')!;
  const scored = (vectors: Map<string, Float32Array>, pairs: typeof train): ScoredPair[] =>
    pairs.filter(usable).map((pair) => ({ distance: squaredDistance(vectors.get(pair.a)!, vectors.get(pair.b)!), same: pair.same, fold: 0 }));
  const results: EmbedderVariant[] = variants.map(({ name }) => {
    const vectors = vectorsBy.get(name)!;
    const threshold = bestAccuracyThreshold(scored(vectors, train));
    const testPairs = scored(vectors, test);
    const accuracy = testPairs.filter((pair) => (pair.distance <= threshold) === pair.same).length / testPairs.length;
    let drift = 0;
    for (const [file, vector] of vectors) drift += squaredDistance(vector, fp32.get(file)!);
    return { name, accuracy, threshold, meanDrift: drift / vectors.size };
  });
  const lossOf = (name: string) => {
    const variant = results.find((r) => r.name === name)!;
    return { loss: results[0]!.accuracy - variant.accuracy, tieBreak: variant.meanDrift };
  };
  return {
    pairs: { train: train.filter(usable).length, test: test.filter(usable).length, skipped: [...train, ...test].filter((pair) => !usable(pair)).length },
    variants: results,
    chosen: choose(lossOf('int8-minmax'), lossOf('int8-percentile'), ACCURACY_TOLERANCE),
  };
}

export interface DetectorVariant {
  name: Precision | `int8-${RangeMethod}`;
  score: PassScore;
  /** Faces found over faces, all sizes together. */
  recall: number;
}

export interface DetectorDevCheck {
  photos: number;
  faces: number;
  variants: DetectorVariant[];
  chosen: RangeMethod;
}

/** The small-face pass on the composed photos of the tuning seed that calibration did not record. */
export async function checkDetectorMethods(table: CalibrationTable, dataDir: string, cacheDir: string, groupPhotos: number, log: (line: string) => void): Promise<DetectorDevCheck> {
  const composed = await composedPhotos({ lfwDir: dataDir, seed: CALIBRATION_SEED, photos: 2 * groupPhotos, cacheDir }, 0.5, log);
  const photos = composed.photos.slice(groupPhotos);
  const variants = [
    { name: 'fp32' as const, detector: new OnnxSsdDetector({}, 1, 'fp32') },
    ...METHODS.map((method) => ({ name: `int8-${method}` as const, detector: new OnnxSsdDetector({}, 1, 'int8', candidateGraph(table, method)) })),
  ];
  const results: DetectorVariant[] = [];
  for (const { name, detector } of variants) {
    const small = new SmallFaceDetector(detector);
    await small.load();
    try {
      const tally = emptyTally();
      for (const photo of photos) score(photo, await runPass(photo, small, Infinity), tally);
      const found = Object.values(tally.found).reduce((a, b) => a + b, 0);
      const faces = Object.values(tally.faces).reduce((a, b) => a + b, 0);
      results.push({ name, score: summarise(tally, photos.length), recall: found / faces });
      log(`dev check: ${name} detected on ${photos.length} photos`);
    } finally {
      small.dispose();
    }
  }
  const lossOf = (name: string) => {
    const variant = results.find((r) => r.name === name)!;
    return { loss: results[0]!.recall - variant.recall, tieBreak: -(variant.score.precision ?? 0) };
  };
  return {
    photos: photos.length,
    faces: photos.reduce((sum, photo) => sum + photo.faces.length, 0),
    variants: results,
    chosen: choose(lossOf('int8-minmax'), lossOf('int8-percentile'), RECALL_TOLERANCE),
  };
}
