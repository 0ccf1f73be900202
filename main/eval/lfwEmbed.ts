/**
 * Embeds LFW images with the real pipeline (detect, align, embed), one face per image: the detection
 * nearest the centre. Images where detection finds none are embedded from the mean landmark layout of
 * the others (deep-funneled LFW is centred, so that is a centred crop); they are counted.
 * Detected landmarks are cached per detector, so every embedder is compared on the same detections
 * and a second evaluation skips detection.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProgressListener } from '../cli/progress.ts';
import { AnalysisPool } from '../faces/analysisPool.ts';
import type { PipelineOptions } from '../faces/pipeline.ts';
import type { Box, FiveLandmarks, Point } from '../faces/types.ts';

export interface EmbedImagesOptions extends PipelineOptions {
  workers?: number;
  /** JSON file of each image's central-face landmarks (null = none found) for this detector. */
  detectionCache?: string;
  onProgress?: ProgressListener;
  stage?: string;
}

export interface EmbeddedImages {
  embeddings: Map<string, Float32Array>;
  detectFailures: number;
  /** Images whose detection came from the cache. */
  cachedDetections: number;
  backend: string;
  detector: string;
  embedder: string;
  workers: number;
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

export function meanLandmarks(sets: FiveLandmarks[]): FiveLandmarks {
  return [0, 1, 2, 3, 4].map((k): Point => ({
    x: sets.reduce((sum, set) => sum + set[k]!.x, 0) / sets.length,
    y: sets.reduce((sum, set) => sum + set[k]!.y, 0) / sets.length,
  })) as FiveLandmarks;
}

/**
 * The detector's usual box around a face with these landmarks (measured on LFW with SSD: the box is
 * 2.45 eye distances wide, 2.6 eye-to-mouth distances tall, centred 0.38 eye-to-mouth below the eyes).
 */
export function typicalFaceBox(landmarks: FiveLandmarks): Box {
  const [leftEye, rightEye, , mouthLeft, mouthRight] = landmarks;
  const eyes = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 };
  const mouth = { x: (mouthLeft.x + mouthRight.x) / 2, y: (mouthLeft.y + mouthRight.y) / 2 };
  const eyeDistance = Math.hypot(rightEye.x - leftEye.x, rightEye.y - leftEye.y);
  const eyeToMouth = Math.hypot(mouth.x - eyes.x, mouth.y - eyes.y);
  const width = 2.45 * eyeDistance, height = 2.6 * eyeToMouth;
  const cx = eyes.x, cy = eyes.y + 0.38 * eyeToMouth;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

interface DetectionCache {
  detector: string;
  images: Record<string, FiveLandmarks | null>;
}

function readDetectionCache(file: string | undefined, detector: string): DetectionCache {
  if (file && existsSync(file)) {
    try {
      const cache = JSON.parse(readFileSync(file, 'utf8')) as DetectionCache;
      if (cache.detector === detector) return cache;
    } catch {
      // a damaged cache is simply rebuilt
    }
  }
  return { detector, images: {} };
}

export async function embedImages(images: string[], options: EmbedImagesOptions): Promise<EmbeddedImages> {
  const pipeline: PipelineOptions = { detector: options.detector, embedder: options.embedder, backend: options.backend, flip: options.flip };
  const pool = await AnalysisPool.create({ pipeline, workers: options.workers, decode: { maxSide: Infinity } });
  const cache = readDetectionCache(options.detectionCache, pool.detector);
  const started = performance.now();
  const embeddings = new Map<string, Float32Array>();
  const failed: string[] = [];
  const found: FiveLandmarks[] = [];
  let done = 0, cachedDetections = 0, newDetections = 0;
  const embedOne = async (file: string): Promise<void> => {
    const cached = cache.images[file];
    if (cached !== undefined) {
      cachedDetections++;
      if (cached) {
        const analysis = await pool.embedAt(file, cached);
        if (!analysis.ok) throw new Error(analysis.message);
        embeddings.set(file, analysis.faces[0]!.embedding);
        found.push(cached);
      } else {
        failed.push(file);
      }
    } else {
      const analysis = await pool.analyse(file);
      if (!analysis.ok) throw new Error(analysis.message);
      const face = centralFace(analysis.faces, analysis.width, analysis.height);
      cache.images[file] = face?.landmarks ?? null;
      newDetections++;
      if (face) {
        embeddings.set(file, face.embedding);
        found.push(face.landmarks);
      } else {
        failed.push(file);
      }
    }
    options.onProgress?.({ stage: options.stage ?? 'embed', done: ++done, total: images.length, detail: `${failed.length} without detection` });
  };
  try {
    // A bounded number in flight: enough to keep every worker busy.
    let next = 0;
    const lane = async () => { while (next < images.length) await embedOne(images[next++]!); };
    await Promise.all(Array.from({ length: Math.max(2, pool.workers * 2) }, lane));
    if (options.detectionCache && newDetections > 0) {
      mkdirSync(path.dirname(options.detectionCache), { recursive: true });
      writeFileSync(options.detectionCache, JSON.stringify(cache));
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
    cachedDetections,
    backend: pool.backend,
    detector: pool.detector,
    embedder: pool.embedder,
    workers: pool.workers,
    seconds: (performance.now() - started) / 1000,
  };
}
