/**
 * The catalogued tfjs weights as plain arrays, for the converters: decoded (and dequantised) by the
 * same verified loader the tfjs models use, then copied out of tfjs and freed.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // decodeWeights needs some backend; an active wasm backend keeps precedence
import type { CatalogEntry } from '../catalog.ts';
import { loadWeightMap } from '../tfjsLoad.ts';
import type { TfTensor } from './layers.ts';

export class WeightArrays {
  constructor(
    private readonly modelId: string,
    private readonly map: Map<string, TfTensor>,
  ) {}

  static read(entry: CatalogEntry): WeightArrays {
    const tensors = loadWeightMap(entry);
    const map = new Map<string, TfTensor>();
    try {
      for (const [name, tensor] of Object.entries(tensors)) {
        map.set(name, { data: Float32Array.from(tensor.dataSync() as Float32Array), shape: [...tensor.shape] });
      }
    } finally {
      tf.dispose(Object.values(tensors));
    }
    return new WeightArrays(entry.id, map);
  }

  /** The named weight, checked for rank. */
  get(name: string, rank: number): TfTensor {
    const tensor = this.map.get(name);
    if (!tensor) throw new Error(`model ${this.modelId}: weight "${name}" is missing`);
    if (tensor.shape.length !== rank) throw new Error(`model ${this.modelId}: weight "${name}" has rank ${tensor.shape.length}, expected ${rank}`);
    return tensor;
  }
}
