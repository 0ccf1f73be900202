/**
 * Loads catalogued TensorFlow.js weights from verified files, with no fetch and no file:// URLs.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import type { CatalogEntry } from './catalog.ts';
import { ModelFileError, readVerified } from './locate.ts';

function verifiedFiles(entry: CatalogEntry): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const file of entry.files) files.set(file.path, readVerified(entry.package, file.path, file.sha256));
  return files;
}

function toArrayBuffer(buffers: Buffer[]): ArrayBuffer {
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    out.set(buffer, offset);
    offset += buffer.byteLength;
  }
  return out.buffer;
}

function shardPaths(entry: CatalogEntry, manifestPath: string, manifest: tf.io.WeightsManifestConfig): string[] {
  const folder = manifestPath.slice(0, manifestPath.lastIndexOf('/') + 1);
  return manifest.flatMap((group) => group.paths.map((shard) => folder + shard)).map((shardPath) => {
    if (!entry.files.some((file) => file.path === shardPath)) {
      throw new ModelFileError(`model ${entry.id}: shard ${shardPath} is not in the catalog`, shardPath);
    }
    return shardPath;
  });
}

/** A weights-manifest model (architecture in our code): returns the named tensors. Caller disposes them. */
export function loadWeightMap(entry: CatalogEntry): tf.NamedTensorMap {
  const files = verifiedFiles(entry);
  const manifestPath = entry.files[0]!.path;
  let manifest: tf.io.WeightsManifestConfig;
  try {
    manifest = JSON.parse(files.get(manifestPath)!.toString('utf8')) as tf.io.WeightsManifestConfig;
  } catch (error) {
    throw new ModelFileError(`model ${entry.id}: ${manifestPath} is not valid JSON (${String(error)})`, manifestPath);
  }
  const shards = shardPaths(entry, manifestPath, manifest).map((shardPath) => files.get(shardPath)!);
  const specs = manifest.flatMap((group) => group.weights);
  return tf.io.decodeWeights(toArrayBuffer(shards), specs);
}

/** A graph model (model.json + shards). */
export async function loadGraphModel(entry: CatalogEntry): Promise<tfconv.GraphModel> {
  const files = verifiedFiles(entry);
  const jsonPath = entry.files[0]!.path;
  const modelJson = JSON.parse(files.get(jsonPath)!.toString('utf8')) as tf.io.ModelJSON;
  const shards = shardPaths(entry, jsonPath, modelJson.weightsManifest).map((shardPath) => files.get(shardPath)!);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: toArrayBuffer(shards),
    signature: modelJson.signature,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    modelInitializer: modelJson.modelInitializer,
  };
  return tfconv.loadGraphModel(tf.io.fromMemory(artifacts));
}
