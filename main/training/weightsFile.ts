/**
 * Named tensors on disk in the tfjs weights format: NAME.json is a weights manifest
 * ([{ paths: ['NAME.bin'], weights: [{ name, shape, dtype }] }], what tf.io and face-api read) and
 * NAME.bin the raw little-endian values in manifest order. Files are written under a temporary
 * name and renamed, so a crash never leaves a half-written file under the real name.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LearnInputError } from '../learn/errors.ts';

/** A tensor and the name it is stored under (tfjs-core has the type but does not export it). */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

export interface WeightsFileInfo {
  /** File names relative to the folder. */
  readonly manifest: string;
  readonly bin: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Writes `tensors` as DIR/NAME.json + DIR/NAME.bin. The tensors stay the caller's. */
export async function writeWeights(dir: string, name: string, tensors: readonly NamedTensor[]): Promise<WeightsFileInfo> {
  const { data, specs } = await tf.io.encodeWeights([...tensors]);
  const bin = `${name}.bin`;
  const manifest = `${name}.json`;
  const bytes = Buffer.from(data);
  const manifestJson: tf.io.WeightsManifestConfig = [{ paths: [bin], weights: specs }];
  writeAtomically(path.join(dir, bin), bytes);
  writeAtomically(path.join(dir, manifest), JSON.stringify(manifestJson, null, 1));
  return { manifest, bin, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Reads DIR/NAME.json and its shard(s), in manifest order. The caller owns (and disposes) the returned tensors. */
export function readWeights(dir: string, name: string): NamedTensor[] {
  const manifestFile = path.join(dir, `${name}.json`);
  let manifest: tf.io.WeightsManifestConfig;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as tf.io.WeightsManifestConfig;
  } catch (error) {
    throw new LearnInputError(`cannot read the weights manifest ${manifestFile}: ${(error as Error).message}`, manifestFile);
  }
  const result: NamedTensor[] = [];
  try {
    for (const group of manifest) {
      const shards = group.paths.map((shard) => readFileSync(path.join(dir, shard)));
      const joined = Buffer.concat(shards);
      const buffer = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
      const decoded = tf.io.decodeWeights(buffer, group.weights);
      // A map's key order is not the manifest's for numeric-looking names: read back by spec.
      for (const spec of group.weights) result.push({ name: spec.name, tensor: decoded[spec.name]! });
    }
  } catch (error) {
    tf.dispose(result.map(({ tensor }) => tensor));
    throw new LearnInputError(`cannot read the weights of ${manifestFile}: ${(error as Error).message}`, manifestFile);
  }
  return result;
}

export function writeAtomically(file: string, data: string | Buffer): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}
