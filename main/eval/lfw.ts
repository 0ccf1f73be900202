/**
 * LFW verification with the real pipeline, under the standard protocol: ten folds, the threshold
 * chosen on nine and applied to the tenth (see verification.ts).
 */
import { describePrecisions } from '../embed/precision.ts';
import { embedImages, type EmbedImagesOptions } from './lfwEmbed.ts';
import { readPairs } from '../training/lfwPairs.ts';
import { evaluateVerification, squaredDistance, type ScoredPair, type VerificationResult } from '../metrics/verification.ts';

export interface LfwOptions extends EmbedImagesOptions {
  dataDir: string;
  /** Use only the first K folds of the pairs file (the full protocol uses all ten). */
  folds?: number;
  pairsFile?: string;
}

export interface LfwReport extends VerificationResult {
  model: string;
  detector: string;
  backend: string;
  /** What the networks ran in: a precision mode (embed/precision.ts), or each network's where no mode says it. */
  precision: string;
  images: number;
  detectFailures: number;
  /** Central faces found only below the detector's usual confidence. */
  weakDetections: number;
  detectionsFromCache: boolean;
  workers: number;
  facesPerSecond: number;
  seconds: number;
}

export async function evaluateLfw(options: LfwOptions): Promise<LfwReport> {
  const pairs = readPairs(options.dataDir, options.pairsFile ?? 'pairs.txt').filter((pair) => pair.fold < (options.folds ?? Infinity));
  const images = [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))];
  const embedded = await embedImages(images, { ...options, stage: 'lfw' });
  const scored: ScoredPair[] = pairs.map((pair) => ({
    distance: squaredDistance(embedded.embeddings.get(pair.a)!, embedded.embeddings.get(pair.b)!),
    same: pair.same,
    fold: pair.fold,
  }));
  return {
    model: embedded.embedder,
    detector: embedded.detector,
    backend: embedded.backend,
    precision: describePrecisions(embedded.precisions),
    images: images.length,
    detectFailures: embedded.detectFailures,
    weakDetections: embedded.weakDetections,
    detectionsFromCache: embedded.cachedDetections === images.length,
    workers: embedded.workers,
    facesPerSecond: images.length / embedded.seconds,
    seconds: embedded.seconds,
    ...evaluateVerification(scored),
  };
}
