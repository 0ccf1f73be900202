/**
 * The input preparation shared by face-api's networks (its NetInput.toBatchTensor): pad the image
 * with black to a square, then resize bilinearly to the network's side.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rect } from './boxMath.ts';

/** 8-bit RGB, rows top to bottom, pixels interleaved (the shape of main/faces' RgbImage). */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * [1, region.height, region.width, 3] int32 cut from the bytes. Done in JS rather than with tf.slice because
 * the wasm backend's slice first copies the whole source tensor out of its heap (about 100 ms for a 1920x1500 photo).
 * region: whole pixels inside the image.
 */
export function cropToTensor(image: RgbPixels, region: Rect): tf.Tensor4D {
  const { x, y, width, height } = region;
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.width || y + height > image.height) {
    throw new RangeError(`crop ${JSON.stringify(region)} is not inside the ${image.width}x${image.height} image`);
  }
  const rowBytes = width * 3;
  const out = new Uint8Array(rowBytes * height);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(from, from + rowBytes), row * rowBytes);
  }
  return tf.tensor4d(out, [1, height, width, 3], 'int32');
}

/**
 * Pads [n, h, w, c] with zeros to [n, s, s, c], s = max(h, w). Not centred: all padding goes after the
 * image (bottom or right), so image coordinates stay put. Centred: face-api puts round(diff / 2) after
 * and the rest before. Returns float32.
 */
export function padToSquare(x: tf.Tensor4D, centred: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const asFloat = tf.cast(x, 'float32');
    if (height === width) return asFloat;
    const diff = Math.abs(height - width);
    const after = Math.round(diff * (centred ? 0.5 : 1));
    const before = diff - after;
    const padding: [number, number] = [before, after];
    return height > width
      ? tf.pad(asFloat, [[0, 0], [0, 0], padding, [0, 0]])
      : tf.pad(asFloat, [[0, 0], padding, [0, 0], [0, 0]]);
  });
}

/** [n, h, w, 3] any dtype -> [n, size, size, 3] float32, pixel values unchanged (0..255). */
export function toSquareInput(x: tf.Tensor4D, size: number, centred: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const square = padToSquare(x, centred);
    if (square.shape[1] === size) return square;
    // alignCorners = false, halfPixelCenters = false: the sampling face-api (and TF1's resize) uses.
    return tf.image.resizeBilinear(square, [size, size], false, false);
  });
}

/** Subtracts a per-channel mean from [n, h, w, 3]. */
export function subtractMeanRgb(x: tf.Tensor4D, mean: readonly [number, number, number]): tf.Tensor4D {
  return tf.tidy(() => tf.sub(x, tf.tensor1d([...mean], 'float32')));
}
