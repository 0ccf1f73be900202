/**
 * Picks the tensors a network needs out of a decoded weight map, checking each name and rank,
 * and disposes the rest (face-api's manifests carry leftovers from the TensorFlow export, such as
 * SSD's `Preprocessor/*` scalars, which would otherwise leak).
 */
import * as tf from '@tensorflow/tfjs-core';

export class WeightMapError extends Error {
  override readonly name = 'WeightMapError';
  constructor(
    message: string,
    /** The weight's name in the manifest. */
    readonly weight: string,
  ) {
    super(message);
  }
}

export class WeightReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly modelId: string,
    private readonly map: tf.NamedTensorMap,
  ) {}

  take<R extends tf.Rank>(name: string, rank: number): tf.Tensor<R> {
    const tensor = this.map[name];
    if (!tensor) throw new WeightMapError(`model ${this.modelId}: weight "${name}" is missing`, name);
    if (tensor.rank !== rank) {
      throw new WeightMapError(`model ${this.modelId}: weight "${name}" has rank ${tensor.rank}, expected ${rank}`, name);
    }
    this.used.add(name);
    return tensor as tf.Tensor<R>;
  }

  /** Disposes every tensor of the map that no take() asked for; returns the ones kept, for the owner to dispose later. */
  finish(): tf.Tensor[] {
    const kept: tf.Tensor[] = [];
    for (const [name, tensor] of Object.entries(this.map)) {
      if (this.used.has(name)) kept.push(tensor);
      else tensor.dispose();
    }
    return kept;
  }
}

/** Reads a model's parameters, and if the map does not fit, frees it before rethrowing. */
export function readWeights<P>(modelId: string, map: tf.NamedTensorMap, read: (reader: WeightReader) => P): { params: P; tensors: tf.Tensor[] } {
  const reader = new WeightReader(modelId, map);
  try {
    const params = read(reader);
    return { params, tensors: reader.finish() };
  } catch (error) {
    tf.dispose(Object.values(map));
    throw error;
  }
}
