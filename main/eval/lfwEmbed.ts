/**
 * Embeds LFW images with the real pipeline (detect, align, embed), one face per image: the detection
 * nearest the centre, preferring confident ones. Images where detection finds none, even below the
 * usual confidence, are embedded from the landmark net run in the box where faces usually sit
 * (deep-funneled LFW is centred, so that is a centred crop); they are counted.
 * Detected landmarks are cached per detector and confidence floor, so every embedder is compared on
 * the same detections and a second evaluation skips detection.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProgressListener } from '../core/progress.ts';
import { AnalysisPool } from '../faces/analysisPool.ts';
import { typicalFaceBox } from '../faces/landmarkBox.ts';
import type { PipelineOptions } from '../faces/pipeline.ts';
import type { NetworkPrecisions, Precision } from '../embed/precision.ts';
import type { Box, FiveLandmarks, Point } from '../core/types.ts';

/** Detections at or above this are confident (the detector's usual floor in a scan). */
export const CONFIDENT_SCORE = 0.5;
/**
 * The floor for the central face of an LFW image. Deep-funneled images are warped at their borders,
 * which lowers SSD's scores: about one in ten central faces scores between 0.1 and 0.5. Since an LFW
 * image is known to hold its subject in the centre, a weaker central detection is still that face.
 */
export const LFW_DETECTION_FLOOR = 0.1;

export interface EmbedImagesOptions extends PipelineOptions {
  workers?: number;
  /** Directory of the detection caches (one JSON file per detector, its precision and the floor); none = no cache. */
  detectionCacheDir?: string;
  /**
   * Take the detections the SSD made in this precision (default: the pool's detector's), so that two runs differ in
   * the embedder alone (`facet eval precision`). That cache must then hold every image: this pool's detector
   * would write its own detections under another detector's name.
   */
  detectionsOf?: Precision;
  onProgress?: ProgressListener;
  stage?: string;
}

export interface EmbeddedImages {
  embeddings: Map<string, Float32Array>;
  detectFailures: number;
  /** Images whose central face scored below CONFIDENT_SCORE (but at least the floor). */
  weakDetections: number;
  /** Images whose detection came from the cache. */
  cachedDetections: number;
  backend: string;
  detector: string;
  embedder: string;
  /** What the pool's detector and embedder ran in. */
  precisions: NetworkPrecisions;
  workers: number;
  seconds: number;
}

/** The central face among confident detections, else among the weaker ones. */
export function centralFacePreferConfident<F extends { box: Box; score: number }>(faces: F[], width: number, height: number): F | undefined {
  return centralFace(faces.filter((face) => face.score >= CONFIDENT_SCORE), width, height) ?? centralFace(faces, width, height);
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

export function meanLandmarks(sets: FiveLandmarks[]): FiveLandmarks {
  return [0, 1, 2, 3, 4].map((k): Point => ({
    x: sets.reduce((sum, set) => sum + set[k]!.x, 0) / sets.length,
    y: sets.reduce((sum, set) => sum + set[k]!.y, 0) / sets.length,
  })) as FiveLandmarks;
}

/**
 * Format 3: the 68 iBUG points where the detector gives them (else the five), after the pipeline's
 * second landmark pass, and each face's detection score.
 */
const CACHE_FORMAT = 3;

interface CachedFace {
  points: Point[];
  score: number;
}

interface DetectionCache {
  format: number;
  detector: string;
  /** The SSD's precision; absent in files written before int8 detections had a cache of their own, which were fp32's. */
  precision?: Precision;
  floor: number;
  images: Record<string, CachedFace | null>;
}

/** The cache of one detector's detections at one floor; int8 detections have their own (fp32's name is the one earlier rounds wrote). */
export function detectionCacheFile(dir: string, detector: string, floor: number, precision: Precision = 'fp32'): string {
  return path.join(dir, `lfw-detections-${detector}${precision === 'fp32' ? '' : `.${precision}`}-floor${floor}.json`);
}

function readDetectionCache(file: string | undefined, detector: string, floor: number, precision: Precision): DetectionCache {
  if (file && existsSync(file)) {
    try {
      const cache = JSON.parse(readFileSync(file, 'utf8')) as DetectionCache;
      if (cache.format === CACHE_FORMAT && cache.detector === detector && cache.floor === floor && (cache.precision ?? 'fp32') === precision) return { ...cache, precision };
    } catch {
      // a damaged cache is simply rebuilt
    }
  }
  return { format: CACHE_FORMAT, detector, precision, floor, images: {} };
}

/** Two decimals of a pixel: plenty for alignment, a third of the file size. */
const rounded = (points: Point[]): Point[] => points.map((p) => ({ x: Math.round(p.x * 100) / 100, y: Math.round(p.y * 100) / 100 }));

export async function embedImages(images: string[], options: EmbedImagesOptions): Promise<EmbeddedImages> {
  const floor = options.minConfidence ?? LFW_DETECTION_FLOOR;
  const pipeline: PipelineOptions = {
    detector: options.detector, embedder: options.embedder, backend: options.backend, flip: options.flip,
    alignment: options.alignment, minConfidence: floor, precision: options.precision,
  };
  const pool = await AnalysisPool.create({ pipeline, workers: options.workers, decode: { maxSide: Infinity } });
  const poolDetections = pool.precisions.detector;
  const detectionsOf = options.detectionsOf ?? poolDetections;
  const cacheFile = options.detectionCacheDir ? detectionCacheFile(options.detectionCacheDir, pool.detector, floor, detectionsOf) : undefined;
  const cache = readDetectionCache(cacheFile, pool.detector, floor, detectionsOf);
  if (detectionsOf !== poolDetections) {
    const missing = images.filter((image) => cache.images[image] === undefined).length;
    if (missing > 0) {
      await pool.close();
      throw new Error(`${cacheFile ?? 'no detection cache'}: ${missing} of ${images.length} images have no ${detectionsOf} detection; run with precision ${detectionsOf} first`);
    }
  }
  const started = performance.now();
  const embeddings = new Map<string, Float32Array>();
  const failed: string[] = [];
  const found: FiveLandmarks[] = [];
  let done = 0, cachedDetections = 0, newDetections = 0, weakDetections = 0;
  // Every image is embedded the same way, whether its detection was cached or found now: at the landmarks the cache
  // holds, rounded to 0.01 px. The int8 embedder is that sensitive: moving the landmarks by at most 0.005 px moves its
  // vectors by a squared distance of 4e-4 (median of 393 LFW faces; fp32: 3e-7), which moved LFW by 0.17 points
  // between a first run and a cached one. So a first run embeds its faces again, as every later run will.
  const embedAt = async (file: string, face: CachedFace): Promise<void> => {
    const analysis = await pool.embedAt(file, face.points);
    if (!analysis.ok) throw new Error(analysis.message);
    embeddings.set(file, analysis.faces[0]!.embedding);
    found.push(analysis.faces[0]!.landmarks);
    if (face.score < CONFIDENT_SCORE) weakDetections++;
  };
  const embedOne = async (file: string): Promise<void> => {
    let face = cache.images[file];
    if (face !== undefined) {
      cachedDetections++;
    } else {
      const analysis = await pool.analyse(file);
      if (!analysis.ok) throw new Error(analysis.message);
      const central = centralFacePreferConfident(analysis.faces, analysis.width, analysis.height);
      face = central ? { points: rounded(central.landmarks68 ?? central.landmarks), score: Math.round(central.score * 1000) / 1000 } : null;
      cache.images[file] = face;
      newDetections++;
    }
    if (face) await embedAt(file, face);
    else failed.push(file);
    options.onProgress?.({ stage: options.stage ?? 'embed', done: ++done, total: images.length, detail: `${failed.length} without detection` });
  };
  try {
    // A bounded number in flight: enough to keep every worker busy.
    let next = 0;
    const lane = async () => { while (next < images.length) await embedOne(images[next++]!); };
    await Promise.all(Array.from({ length: Math.max(2, pool.workers * 2) }, lane));
    if (cacheFile && newDetections > 0) {
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeFileSync(cacheFile, JSON.stringify(cache));
    }
    // Deep-funneled LFW images are centred: where detection found nothing, the landmark net looks inside
    // the box where faces sit on average (a centred crop), and the mean layout serves if even that fails.
    if (failed.length > 0) {
      const mean = meanLandmarks(found);
      const box = typicalFaceBox(mean);
      await Promise.all(failed.map(async (file) => {
        let analysis = await pool.embedInBox(file, box);
        if (analysis.ok && analysis.faces.length === 0) analysis = await pool.embedAt(file, mean);
        if (!analysis.ok) throw new Error(analysis.message);
        embeddings.set(file, analysis.faces[0]!.embedding);
      }));
    }
  } finally {
    await pool.close();
  }
  return {
    embeddings,
    detectFailures: failed.length,
    weakDetections,
    cachedDetections,
    backend: pool.backend,
    detector: pool.detector,
    embedder: pool.embedder,
    precisions: pool.precisions,
    workers: pool.workers,
    seconds: (performance.now() - started) / 1000,
  };
}
