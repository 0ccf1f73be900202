/**
 * An LFW reference set for the fine-tuning guard: embeddings of LFW pairs made by the same base model,
 * cached in a file so that checking an adapter costs no image decoding. Nothing here embeds images:
 * whoever runs the (slow) LFW embedding writes the file with `writeLfwReference`.
 *
 * File: DIR/lfw-reference-<modelId>.json (modelId with anything outside [A-Za-z0-9._-] as "_")
 *   { "schema": "facet-lfw-reference/1", "modelId": "dlib-resnet", "dimensions": 128, "pairsFile": "pairs.txt",
 *     "images": ["…/Aaron_Peirsol_0001.jpg", …],             one row of `vectors` per image
 *     "vectors": "<base64 of images × dimensions little-endian float32>",
 *     "pairs": [[a, b, same (0|1), fold], …] }              a and b index `images`
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateVerification, squaredDistance } from '../metrics/verification.ts';
import { type LinearAdapter, applyAdapter } from '../learn/adapter.ts';
import { LearnInputError } from '../learn/errors.ts';

export const LFW_REFERENCE_SCHEMA = 'facet-lfw-reference/1';

/** Embeddings of LFW pairs by one model, ready for the guard. */
export interface LfwReference {
  readonly modelId: string;
  readonly dimensions: number;
  /** [images, dimensions] row-major. */
  readonly vectors: Float32Array;
  readonly pairs: ReadonlyArray<{ readonly a: number; readonly b: number; readonly same: boolean; readonly fold: number }>;
}

interface LfwReferenceFile {
  schema: typeof LFW_REFERENCE_SCHEMA;
  modelId: string;
  dimensions: number;
  pairsFile: string;
  images: string[];
  vectors: string;
  pairs: Array<[number, number, 0 | 1, number]>;
}

export function lfwReferenceFile(dir: string, modelId: string): string {
  return path.join(dir, `lfw-reference-${modelId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** Writes the cache from an LFW run's embeddings (e.g. embedImages(...).embeddings) and its pairs. */
export function writeLfwReference(
  dir: string,
  modelId: string,
  embeddings: ReadonlyMap<string, Float32Array>,
  pairs: ReadonlyArray<{ a: string; b: string; same: boolean; fold: number }>,
  pairsFile = 'pairs.txt',
): string {
  const images = [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))];
  const dimensions = embeddings.get(images[0]!)?.length ?? 0;
  const vectors = new Float32Array(images.length * dimensions);
  images.forEach((image, i) => {
    const vector = embeddings.get(image);
    if (!vector || vector.length !== dimensions) throw new LearnInputError(`no ${dimensions}-D embedding for ${image}`, 'embeddings');
    vectors.set(vector, i * dimensions);
  });
  const index = new Map(images.map((image, i) => [image, i]));
  const file: LfwReferenceFile = {
    schema: LFW_REFERENCE_SCHEMA,
    modelId,
    dimensions,
    pairsFile,
    images,
    vectors: Buffer.from(vectors.buffer).toString('base64'),
    pairs: pairs.map((pair) => [index.get(pair.a)!, index.get(pair.b)!, pair.same ? 1 : 0, pair.fold]),
  };
  const target = lfwReferenceFile(dir, modelId);
  writeFileSync(target, JSON.stringify(file));
  return target;
}

/** The cached reference for `modelId` in DIR, or undefined when there is none. */
export function readLfwReference(dir: string, modelId: string): LfwReference | undefined {
  const file = lfwReferenceFile(dir, modelId);
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as LfwReferenceFile;
  if (data.schema !== LFW_REFERENCE_SCHEMA || data.modelId !== modelId) {
    throw new LearnInputError(`${file} is not a ${LFW_REFERENCE_SCHEMA} file for ${modelId}`, file);
  }
  const bytes = Buffer.from(data.vectors, 'base64');
  if (bytes.length !== data.images.length * data.dimensions * 4) throw new LearnInputError(`${file}: vectors do not match images × dimensions`, file);
  const vectors = new Float32Array(bytes.length / 4);
  new Uint8Array(vectors.buffer).set(bytes);
  return {
    modelId,
    dimensions: data.dimensions,
    vectors,
    pairs: data.pairs.map(([a, b, same, fold]) => ({ a, b, same: same === 1, fold })),
  };
}

/** Ten-fold LFW accuracy (the standard protocol) of the reference as it is, or through an adapter. */
export function lfwAccuracy(reference: LfwReference, adapter?: LinearAdapter): number {
  const dim = reference.dimensions;
  const vectors = adapter ? applyAdapter(adapter, reference.vectors) : reference.vectors;
  const row = (i: number) => vectors.subarray(i * dim, (i + 1) * dim);
  const scored = reference.pairs.map((pair) => ({ distance: squaredDistance(row(pair.a), row(pair.b)), same: pair.same, fold: pair.fold }));
  return evaluateVerification(scored).accuracy;
}
