/**
 * The tensor ends every tfjs embedder shares: aligned crops (and their mirror images) in, flip-averaged
 * L2-normalised vectors out. Apart from embedders.ts so the trained-network embedder can use them too.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../core/types.ts';

/** [n, size, size, 3] float32 in 0..255 from crops (and, with flip, their mirrors after them). */
export function cropsToTensor(crops: RgbImage[], size: number, flip: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const batch = tf.stack(
      crops.map((crop) => {
        if (crop.width !== size || crop.height !== size) {
          throw new Error(`embedder expects ${size}x${size} crops, got ${crop.width}x${crop.height}`);
        }
        return tf.tensor3d(Float32Array.from(crop.data), [size, size, 3], 'float32');
      }),
    ) as tf.Tensor4D;
    return flip ? (tf.concat([batch, tf.reverse(batch, 2)], 0) as tf.Tensor4D) : batch;
  });
}

/** Sums each crop's row with its mirror's (when flipped) and L2-normalises: [n(,·2), d] → n vectors. */
export async function finishEmbeddings(raw: tf.Tensor2D, count: number, flip: boolean): Promise<Float32Array[]> {
  const normalised = tf.tidy(() => {
    const summed = flip ? tf.add(tf.slice(raw, [0, 0], [count, -1]), tf.slice(raw, [count, 0], [count, -1])) : raw;
    return tf.div(summed, tf.add(tf.norm(summed, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
  });
  const flat = (await normalised.data()) as Float32Array;
  normalised.dispose();
  const dim = raw.shape[1];
  return Array.from({ length: count }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
}
