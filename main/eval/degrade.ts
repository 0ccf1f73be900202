/**
 * Degraded copies of LFW images and their embeddings, for the paper's Table 4 conditions (FaceNet §5.4):
 * JPEG quality and face size in pixels. Each photo is scaled so its face box is `facePixels` wide
 * (about 2.45 eye distances, the detector's usual box), then written as JPEG at `quality`, or as PNG
 * (lossless) when only the size varies, and decoded again.
 *
 * The face is embedded from the degraded image at the clean image's landmarks, scaled with the photo,
 * rather than detected again: every condition then compares the same faces, and what is measured is
 * the embedder's robustness, not the detector's (SSD misses many faces at 40 px, which the paper's
 * numbers do not include either). Landmarks come from the clean run's detection cache (lfwEmbed.ts);
 * images it has no detection for use the mean landmarks. Embeddings, clean ones included, are cached per
 * model, the networks' precisions and condition under the cache folder (degraded/<model>-<condition>.json, the
 * model marked where a network ran int8: embeddingCacheModel), so reruns skip the embedder and precisions never mix.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ProgressListener } from '../core/progress.ts';
import { AnalysisPool } from '../faces/analysisPool.ts';
import type { PipelineOptions } from '../faces/pipeline.ts';
import { fiveFrom68 } from '../faces/detectors.ts';
import { typicalFaceBox } from '../faces/landmarkBox.ts';
import type { FiveLandmarks, Point } from '../core/types.ts';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { parseBackendName } from '../embed/backend.ts';
import { describePrecisions, precisionsOf, resolvePrecision, type NetworkPrecisions, type Precision } from '../embed/precision.ts';
import { LFW_DETECTION_FLOOR, detectionCacheFile, embedImages } from './lfwEmbed.ts';

export interface Degradation {
  /** Face box width after scaling, pixels; undefined keeps the photo's size. */
  readonly facePixels?: number;
  /** JPEG quality 1..100; undefined writes PNG (no compression loss). */
  readonly quality?: number;
}

export function degradationName(d: Degradation): string {
  return `${d.facePixels === undefined ? 'full' : `face${d.facePixels}`}-${d.quality === undefined ? 'png' : `q${d.quality}`}`;
}

/** The detector's usual face box width for these landmarks (5 or 68 of them). */
export function faceWidth(points: readonly Point[]): number {
  return typicalFaceBox(points.length === 68 ? fiveFrom68(points) : (points as FiveLandmarks)).width;
}

/** The largest enlargement applied (LFW's faces are ~100 px wide, so 256 px needs ~2.6×). */
export const MAX_UPSCALE = 4;

/** Writes the degraded copy of `file` to `dest`; returns the scale applied to its pixel coordinates. */
export async function degradeImage(file: string, dest: string, landmarks: readonly Point[], d: Degradation): Promise<number> {
  const { width, height } = await sharp(file).metadata();
  // Capped: a face found far too small (a stray detection) would otherwise blow the photo up past any decoder's limit.
  const scale = d.facePixels === undefined ? 1 : Math.min(MAX_UPSCALE, d.facePixels / faceWidth(landmarks));
  const newWidth = Math.max(1, Math.round(width * scale));
  const newHeight = Math.max(1, Math.round(height * scale));
  let image = sharp(file).resize({ width: newWidth, height: newHeight, fit: 'fill', kernel: scale < 1 ? 'lanczos3' : 'cubic' });
  image = d.quality === undefined ? image.png() : image.jpeg({ quality: d.quality, chromaSubsampling: '4:2:0', mozjpeg: false });
  await image.toFile(dest);
  return newWidth / width;
}

interface CachedDetections {
  images: Record<string, { points: Point[] } | null>;
}

/** The clean run's landmarks per image (after embedImages has filled the cache), and the mean layout for the rest. */
export function cleanLandmarks(cacheDir: string, detector: string, images: readonly string[], detectorPrecision: Precision = 'fp32', floor = LFW_DETECTION_FLOOR): Map<string, Point[]> {
  const file = detectionCacheFile(cacheDir, detector, floor, detectorPrecision);
  if (!existsSync(file)) throw new Error(`no detection cache at ${file}: embed the clean images first`);
  const cache = JSON.parse(readFileSync(file, 'utf8')) as CachedDetections;
  const found = images.map((image) => cache.images[image]?.points).filter((p): p is Point[] => Array.isArray(p));
  const count = found[0]?.length ?? 5;
  const same = found.filter((points) => points.length === count);
  const mean = Array.from({ length: count }, (_, k) => ({
    x: same.reduce((s, p) => s + p[k]!.x, 0) / same.length,
    y: same.reduce((s, p) => s + p[k]!.y, 0) / same.length,
  }));
  return new Map(images.map((image) => [image, cache.images[image]?.points ?? mean]));
}

export interface CleanEmbeddings {
  readonly embeddings: Map<string, Float32Array>;
  readonly embedder: string;
  readonly detector: string;
  /** What the detector and the embedder ran in (plannedPrecisions, checked against the run), which names the caches. */
  readonly precisions: NetworkPrecisions;
  /** 'cache' when every embedding came from the cache. */
  readonly backend: string;
  /** Images without a detection (embedded at a fallback; see lfwEmbed.ts). */
  readonly detectFailures: number;
}

/** The clean images' embeddings (lfwEmbed.ts's pipeline), cached like the degraded ones: reruns skip the embedder. */
export async function embedClean(images: readonly string[], options: DegradedEmbedOptions & { readonly cacheDir: string }): Promise<CleanEmbeddings> {
  const embedder = options.pipeline.embedder ?? DEFAULT_EMBEDDER;
  const detector = options.pipeline.detector ?? DEFAULT_DETECTOR;
  const cacheModel = embeddingCacheModel(options.pipeline);
  const precisions = plannedPrecisions(options.pipeline);
  const cached = loadEmbeddings(options.cacheDir, cacheModel, 'clean');
  let backend = 'cache';
  const missing = images.filter((image) => !cached.has(image));
  if (missing.length > 0) {
    const run = await embedImages(missing, { ...options.pipeline, workers: options.workers, detectionCacheDir: options.cacheDir, onProgress: options.onProgress, stage: 'clean' });
    refuseUnplanned(run.precisions, precisions);
    for (const [image, vector] of run.embeddings) cached.set(image, vector);
    saveEmbeddings(options.cacheDir, cacheModel, 'clean', cached);
    backend = run.backend;
  }
  const detections = JSON.parse(readFileSync(detectionCacheFile(options.cacheDir, detector, LFW_DETECTION_FLOOR, precisions.detector), 'utf8')) as CachedDetections;
  const detectFailures = images.filter((image) => detections.images[image] === null).length;
  return { embeddings: cached, embedder, detector, precisions, backend, detectFailures };
}

export interface DegradedEmbedOptions {
  readonly pipeline: PipelineOptions;
  readonly workers?: number;
  /** Where embeddings are cached (~/.cache/facet); none = no cache. */
  readonly cacheDir?: string;
  readonly onProgress?: ProgressListener;
}

interface EmbeddingCacheFile {
  schema: 'facet-degraded-embeddings/1';
  model: string;
  condition: string;
  dim: number;
  images: string[];
  /** base64 of images × dim float32. */
  vectors: string;
}

function embeddingCacheFile(dir: string, model: string, condition: string): string {
  return path.join(dir, 'degraded', `${model.replace(/[^A-Za-z0-9._-]/g, '_')}-${condition}.json`);
}

/**
 * What a pipeline's detector and embedder will run in, before it runs (to name caches): the mode asked for (or
 * FACET_PRECISION, or the default), except that networks without an ONNX converter, and every network on a backend
 * other than onnx asked for by name, run tfjs's fp32. The runs check it (refuseUnplanned): a pipeline that fell back
 * to tfjs without being asked is refused rather than cached under the wrong name.
 */
export function plannedPrecisions(pipeline: Pick<PipelineOptions, 'backend' | 'precision' | 'detector' | 'embedder'>, env: NodeJS.ProcessEnv = process.env): NetworkPrecisions {
  const named = pipeline.backend ?? (env.FACET_BACKEND || undefined);
  if (named !== undefined && parseBackendName(named) !== 'onnx') return { detector: 'fp32', embedder: 'fp32' };
  return precisionsOf(resolvePrecision(pipeline.precision, env).precision, pipeline.detector ?? DEFAULT_DETECTOR, pipeline.embedder ?? DEFAULT_EMBEDDER);
}

function refuseUnplanned(ran: NetworkPrecisions, planned: NetworkPrecisions): void {
  if (ran.detector !== planned.detector || ran.embedder !== planned.embedder) {
    throw new Error(`the networks ran in ${describePrecisions(ran)}, not ${describePrecisions(planned)} as asked (did onnxruntime fail to load?); nothing was cached`);
  }
}

/**
 * The cache's name for the embeddings a pipeline makes: its embedder, marked with what ran in int8. The int8
 * embedder on the fp32 SSD's landmarks is '.int8-embedder', both in int8 '.int8-both', the int8 SSD's landmarks
 * with a float embedder '.ssd-int8'. (Earlier rounds wrote '.int8' for the first; that name is no longer read.)
 */
export function embeddingCacheModel(pipeline: Pick<PipelineOptions, 'embedder' | 'precision' | 'backend' | 'detector'>): string {
  const embedder = pipeline.embedder ?? DEFAULT_EMBEDDER;
  const ran = plannedPrecisions(pipeline);
  if (ran.detector === 'int8') return `${embedder}.${ran.embedder === 'int8' ? 'int8-both' : 'ssd-int8'}`;
  return ran.embedder === 'int8' ? `${embedder}.int8-embedder` : embedder;
}

/** Cached embeddings of one model under one condition ('clean' or a degradationName); empty when none. */
export function loadEmbeddings(cacheDir: string, model: string, condition: string): Map<string, Float32Array> {
  return readEmbeddingCache(embeddingCacheFile(cacheDir, model, condition));
}

export function saveEmbeddings(cacheDir: string, model: string, condition: string, embeddings: Map<string, Float32Array>): void {
  writeEmbeddingCache(embeddingCacheFile(cacheDir, model, condition), model, condition, embeddings);
}

function readEmbeddingCache(file: string | undefined): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  if (!file || !existsSync(file)) return out;
  const cache = JSON.parse(readFileSync(file, 'utf8')) as EmbeddingCacheFile;
  const bytes = Buffer.from(cache.vectors, 'base64');
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  cache.images.forEach((image, i) => out.set(image, all.slice(i * cache.dim, (i + 1) * cache.dim)));
  return out;
}

function writeEmbeddingCache(file: string, model: string, condition: string, fresh: Map<string, Float32Array>): void {
  // Merged with what is on disk: two evaluations running side by side must not drop each other's vectors.
  const embeddings = new Map([...readEmbeddingCache(file), ...fresh]);
  const images = [...embeddings.keys()];
  const dim = embeddings.get(images[0]!)!.length;
  const all = new Float32Array(images.length * dim);
  images.forEach((image, i) => all.set(embeddings.get(image)!, i * dim));
  const body: EmbeddingCacheFile = {
    schema: 'facet-degraded-embeddings/1', model, condition, dim, images, vectors: Buffer.from(all.buffer).toString('base64'),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(body));
}

/**
 * Embeds degraded copies of `images` under each condition, at the clean landmarks. One analysis pool
 * serves every condition; copies live in a temporary folder removed at the end.
 */
export async function embedDegraded(
  images: readonly string[],
  landmarks: ReadonlyMap<string, readonly Point[]>,
  conditions: readonly Degradation[],
  options: DegradedEmbedOptions,
): Promise<Map<string, Map<string, Float32Array>>> {
  const model = embeddingCacheModel(options.pipeline);
  const results = new Map<string, Map<string, Float32Array>>();
  const todo = conditions.map((d) => {
    const name = degradationName(d);
    const file = options.cacheDir ? embeddingCacheFile(options.cacheDir, model, name) : undefined;
    const cached = readEmbeddingCache(file);
    results.set(name, cached);
    return { d, name, file, missing: images.filter((image) => !cached.has(image)) };
  }).filter((job) => job.missing.length > 0);
  if (todo.length === 0) return results;

  const pool = await AnalysisPool.create({ pipeline: options.pipeline, workers: options.workers, decode: { maxSide: Infinity } });
  try {
    refuseUnplanned(pool.precisions, plannedPrecisions(options.pipeline));
  } catch (error) {
    await pool.close();
    throw error;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'facet-degraded-'));
  try {
    for (const job of todo) {
      const out = results.get(job.name)!;
      let done = 0;
      const embedOne = async (image: string, slot: number): Promise<void> => {
        const points = landmarks.get(image)!;
        const dest = path.join(scratch, `${slot}${job.d.quality === undefined ? '.png' : '.jpg'}`);
        const scale = await degradeImage(image, dest, points, job.d);
        const analysis = await pool.embedAt(dest, points.map((p) => ({ x: p.x * scale, y: p.y * scale })));
        if (!analysis.ok) throw new Error(`${image} (${job.name}): ${analysis.message}`);
        out.set(image, analysis.faces[0]!.embedding);
        options.onProgress?.({ stage: `degraded ${job.name}`, done: ++done, total: job.missing.length });
      };
      // One scratch file per lane: a lane waits for its embedding before reusing it.
      let next = 0;
      const lanes = Math.max(2, pool.workers * 2);
      await Promise.all(Array.from({ length: lanes }, async (_, slot) => {
        while (next < job.missing.length) await embedOne(job.missing[next++]!, slot);
      }));
      if (job.file) writeEmbeddingCache(job.file, model, job.name, out);
    }
  } finally {
    await pool.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}
