/**
 * LFW verification with the real pipeline: detect, align, embed every image of the pairs file,
 * then the standard ten-fold protocol (threshold chosen on nine folds, applied to the tenth).
 * Where detection finds no face near the centre, the image is embedded from the mean landmark
 * layout of the images where it did (a centred crop); those failures are counted and reported.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { decodeForDetection } from '../library/decode.ts';
import { AnalysisPool } from '../faces/analysisPool.ts';
import { FacePipeline, type PipelineOptions } from '../faces/pipeline.ts';
import type { Box, FiveLandmarks, Point } from '../faces/types.ts';
import type { ProgressListener } from '../cli/progress.ts';
import { readPairs } from './lfwPairs.ts';
import { evaluateVerification, squaredDistance, type ScoredPair, type VerificationResult } from './verification.ts';

export interface LfwOptions extends PipelineOptions {
  dataDir: string;
  /** Use only the first K folds of the pairs file (the full protocol uses all ten). */
  folds?: number;
  pairsFile?: string;
  /** Worker threads (default: one per core). */
  workers?: number;
  /**
   * A JSON file of each image's central-face landmarks for this detector. When it covers every image,
   * detection is skipped (only decode, align and embed run); otherwise it is written after detection.
   */
  detectionCache?: string;
  onProgress?: ProgressListener;
}

export interface LfwReport extends VerificationResult {
  model: string;
  detector: string;
  backend: string;
  images: number;
  detectFailures: number;
  detectionsFromCache: boolean;
  workers: number;
  facesPerSecond: number;
  seconds: number;
}

/** The detection nearest the image centre, if its centre lies within a fifth of the image side. */
export function centralFace<F extends { box: Box }>(faces: F[], width: number, height: number): F | undefined {
  let best: F | undefined, bestDistance = Infinity;
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
  const pipelineOptions: PipelineOptions = { detector: options.detector, embedder: options.embedder, backend: options.backend, flip: options.flip };
  const pool = await AnalysisPool.create({ pipeline: pipelineOptions, workers: options.workers, decode: { maxSide: Infinity } });
  const cache = readDetectionCache(options.detectionCache, pool.detector);
  const useCache = cache !== undefined && images.every((file) => file in cache.images);
  const started = performance.now();
  const embeddings = new Map<string, Float32Array>();
  const failed: string[] = [];
  const found: FiveLandmarks[] = [];
  const detections: Record<string, FiveLandmarks | null> = { ...cache?.images };
  let done = 0;
  try {
    await Promise.all(images.map(async (file) => {
      if (useCache) {
        const landmarks = cache.images[file];
        if (landmarks) {
          const analysis = await pool.embedAt(file, landmarks);
          if (!analysis.ok) throw new Error(analysis.message);
          embeddings.set(file, analysis.faces[0]!.embedding);
          found.push(landmarks);
        } else {
          failed.push(file);
        }
      } else {
        const analysis = await pool.analyse(file);
        if (!analysis.ok) throw new Error(analysis.message);
        const face = centralFace(analysis.faces, analysis.width, analysis.height);
        detections[file] = face?.landmarks ?? null;
        if (face) {
          embeddings.set(file, face.embedding);
          found.push(face.landmarks);
        } else {
          failed.push(file);
        }
      }
      options.onProgress?.({ stage: 'lfw', done: ++done, total: images.length, detail: `${failed.length} without detection` });
    }));
  } finally {
    await pool.close();
  }
  if (options.detectionCache && !useCache) {
    mkdirSync(path.dirname(options.detectionCache), { recursive: true });
    writeFileSync(options.detectionCache, JSON.stringify({ detector: pool.detector, images: detections }));
  }
  // Deep-funneled LFW images are centred: the mean detected layout is the centred crop.
  const fallback = meanLandmarks(found);
  const pipeline = await FacePipeline.create(pipelineOptions);
  try {
    for (const file of failed) {
      const { image } = await decodeForDetection(file, { maxSide: Infinity });
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
    model: pool.embedder,
    detector: pool.detector,
    backend: pool.backend,
    workers: pool.workers,
    images: images.length,
    detectFailures: failed.length,
    detectionsFromCache: useCache,
    facesPerSecond: images.length / seconds,
    seconds,
    ...evaluateVerification(scored),
  };
}

interface DetectionCache {
  detector: string;
  images: Record<string, FiveLandmarks | null>;
}

function readDetectionCache(file: string | undefined, detector: string): DetectionCache | undefined {
  if (!file || !existsSync(file)) return undefined;
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as DetectionCache;
    return cache.detector === detector ? cache : undefined;
  } catch {
    return undefined; // a damaged cache is simply rebuilt
  }
}
