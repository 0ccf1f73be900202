/**
 * Validation during training: verification accuracy on a pairs file in LFW's format (pairs.txt or
 * pairsDevTest.txt). Images are looked up as LFW lays them out, beside the pairs file
 * (images_deepfunneled/<name>/<name>_0001.jpg), or else in the training dataset folder
 * (<data>/<name>/<name>_0001.jpg). They are centre-cropped like the training images: no detection.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { FaceNetModel } from '../../native-models/facenet/index.ts';
import { type LfwPair, parsePairs } from './lfwPairs.ts';
import { evaluateVerification, squaredDistance } from '../metrics/verification.ts';
import { LearnInputError } from '../learn/errors.ts';
import type { ImageLoader } from './imageDataset.ts';

export interface ValidationPairs {
  readonly file: string;
  readonly pairs: readonly LfwPair[];
  /** Distinct images the pairs name. */
  readonly images: readonly string[];
}

/** Reads the pairs file; `limit` keeps the first N matched and N mismatched pairs of each fold. */
export function readValidationPairs(file: string, dataDir: string, limit = Infinity): ValidationPairs {
  const full = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new LearnInputError(`cannot read the validation pairs ${full}: ${(error as Error).message}`, 'valPairs');
  }
  const taken = new Map<string, number>();
  const pairs = parsePairs(text, path.dirname(full), full)
    .filter((pair) => {
      const key = `${pair.fold}/${pair.same}`;
      taken.set(key, (taken.get(key) ?? 0) + 1);
      return taken.get(key)! <= limit;
    })
    .map((pair) => ({ ...pair, a: locate(pair.a, dataDir), b: locate(pair.b, dataDir) }));
  const images = [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))];
  const missing = images.filter((image) => !existsSync(image));
  if (missing.length > 0) {
    throw new LearnInputError(`${missing.length} image(s) named by ${full} not found, e.g. ${missing[0]}`, 'valPairs');
  }
  return { file: full, pairs, images };
}

/** LFW's place for the image, else the same person folder and file name under the dataset. */
function locate(lfwPath: string, dataDir: string): string {
  if (existsSync(lfwPath)) return lfwPath;
  return path.join(dataDir, path.basename(path.dirname(lfwPath)), path.basename(lfwPath));
}

export interface ValidationResult {
  readonly pairs: number;
  /** Mean held-out fold accuracy (a single-fold file chooses the threshold on itself: best-threshold accuracy). */
  readonly accuracy: number;
  readonly threshold: number;
  readonly auc: number;
}

/** Embeds every image once (no gradients, `chunk` at a time) and scores the pairs. */
export async function validate(net: FaceNetModel, loader: ImageLoader, set: ValidationPairs, chunk = 32): Promise<ValidationResult> {
  const embeddings = new Map<string, Float32Array>();
  const dim = net.embeddingSize;
  for (let start = 0; start < set.images.length; start += chunk) {
    const files = set.images.slice(start, start + chunk);
    const pixels = await loader.loadBatch(files);
    const values = tf.tidy(() => {
      const images = tf.tensor4d(pixels, [files.length, loader.height, loader.width, 3]);
      return net.embed(images).dataSync() as Float32Array; // [files, dim]
    });
    files.forEach((file, i) => embeddings.set(file, values.slice(i * dim, (i + 1) * dim)));
  }
  const scored = set.pairs.map((pair) => ({
    distance: squaredDistance(embeddings.get(pair.a)!, embeddings.get(pair.b)!),
    same: pair.same,
    fold: pair.fold,
  }));
  const result = evaluateVerification(scored);
  return { pairs: result.pairs, accuracy: result.accuracy, threshold: result.threshold, auc: result.auc };
}
