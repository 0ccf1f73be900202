/**
 * LFW verification with the real pipeline: detect, align, embed every image of the pairs file,
 * then the standard ten-fold protocol (threshold chosen on nine folds, applied to the tenth).
 * Where detection finds no face near the centre, the image is embedded from the mean landmark
 * layout of the images where it did (a centred crop); those failures are counted and reported.
 */
import { decodeForDetection } from '../library/decode.ts';
import { FacePipeline, type PipelineOptions } from '../faces/pipeline.ts';
import type { DetectedFace, FiveLandmarks, Point } from '../faces/types.ts';
import type { ProgressListener } from '../cli/progress.ts';
import { readPairs } from './lfwPairs.ts';
import { evaluateVerification, squaredDistance, type ScoredPair, type VerificationResult } from './verification.ts';

export interface LfwOptions extends PipelineOptions {
  dataDir: string;
  /** Use only the first K folds of the pairs file (the full protocol uses all ten). */
  folds?: number;
  pairsFile?: string;
  onProgress?: ProgressListener;
}

export interface LfwReport extends VerificationResult {
  model: string;
  detector: string;
  backend: string;
  images: number;
  detectFailures: number;
  facesPerSecond: number;
  seconds: number;
}

/** The detection nearest the image centre, if its centre lies within a fifth of the image side. */
export function centralFace(faces: DetectedFace[], width: number, height: number): DetectedFace | undefined {
  let best: DetectedFace | undefined, bestDistance = Infinity;
  for (const face of faces) {
    const dx = face.box.x + face.box.width / 2 - width / 2;
    const dy = face.box.y + face.box.height / 2 - height / 2;
    const distance = Math.hypot(dx, dy);
    if (distance < bestDistance) { best = face; bestDistance = distance; }
  }
  return bestDistance <= Math.min(width, height) / 5 ? best : undefined;
}

function meanLandmarks(sets: FiveLandmarks[]): FiveLandmarks {
  return [0, 1, 2, 3, 4].map((k): Point => ({
    x: sets.reduce((sum, set) => sum + set[k]!.x, 0) / sets.length,
    y: sets.reduce((sum, set) => sum + set[k]!.y, 0) / sets.length,
  })) as FiveLandmarks;
}

export async function evaluateLfw(options: LfwOptions): Promise<LfwReport> {
  const allPairs = readPairs(options.dataDir, options.pairsFile ?? 'pairs.txt');
  const pairs = allPairs.filter((pair) => pair.fold < (options.folds ?? Infinity));
  const images = [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))];
  const pipeline = await FacePipeline.create(options);
  const started = performance.now();
  const embeddings = new Map<string, Float32Array>();
  const failed: string[] = [];
  const found: FiveLandmarks[] = [];
  try {
    let done = 0;
    for (const file of images) {
      const { image } = await decodeForDetection(file);
      const face = centralFace(await pipeline.detect(image), image.width, image.height);
      if (face) {
        const [described] = await pipeline.describe(image, [face]);
        embeddings.set(file, described!.embedding);
        found.push(face.landmarks);
      } else {
        failed.push(file);
      }
      options.onProgress?.({ stage: 'lfw', done: ++done, total: images.length, detail: `${failed.length} without detection` });
    }
    // Deep-funneled LFW images are centred: the mean detected layout is the centred crop.
    const fallback = meanLandmarks(found);
    for (const file of failed) {
      const { image } = await decodeForDetection(file);
      embeddings.set(file, await pipeline.embedAt(image, fallback));
    }
  } finally {
    pipeline.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const scored: ScoredPair[] = pairs.map((pair) => ({
    distance: squaredDistance(embeddings.get(pair.a)!, embeddings.get(pair.b)!),
    same: pair.same,
    fold: pair.fold,
  }));
  return {
    model: pipeline.embedder.id,
    detector: pipeline.detector.id,
    backend: pipeline.backend,
    images: images.length,
    detectFailures: failed.length,
    facesPerSecond: images.length / seconds,
    seconds,
    ...evaluateVerification(scored),
  };
}
