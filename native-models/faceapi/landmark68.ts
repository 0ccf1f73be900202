/**
 * face-api's FaceLandmark68Net, written against tfjs-core ops (reference: face-api 1.7.15
 * src/faceLandmarkNet, src/faceFeatureExtractor): four densely connected blocks of separable
 * convolutions over a 112x112 face crop, average pooling, and one fully connected layer giving
 * 68 (x, y) pairs as fractions of the input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { catalogEntry } from '../catalog.ts';
import { loadWeightMap } from '../tfjsLoad.ts';
import { cropRegion, type Point, type Rect } from './boxMath.ts';
import { cropToTensor, subtractMeanRgb, toSquareInput, type RgbPixels } from './imageTensor.ts';
import { readWeights, type WeightReader } from './weights.ts';

export const LANDMARK_INPUT_SIZE = 112;
const MEAN_RGB: readonly [number, number, number] = [122.782, 117.001, 104.298];
/** Faces per forward pass; bounds memory on crowded photos. */
const MAX_BATCH = 32;

interface Conv {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
}
interface SeparableConv {
  depthwise: tf.Tensor4D;
  pointwise: tf.Tensor4D;
  bias: tf.Tensor1D;
}
/** conv0 is a plain convolution in the first block, separable in the others. */
interface DenseBlock {
  conv0: Conv | SeparableConv;
  rest: [SeparableConv, SeparableConv, SeparableConv];
}
interface LandmarkParams {
  blocks: DenseBlock[];
  fc: { weights: tf.Tensor2D; bias: tf.Tensor1D };
}

function readParams(w: WeightReader): LandmarkParams {
  const separable = (prefix: string): SeparableConv => ({
    depthwise: w.take(`${prefix}/depthwise_filter`, 4),
    pointwise: w.take(`${prefix}/pointwise_filter`, 4),
    bias: w.take(`${prefix}/bias`, 1),
  });
  const block = (i: number): DenseBlock => ({
    conv0: i === 0 ? { filters: w.take(`dense0/conv0/filters`, 4), bias: w.take(`dense0/conv0/bias`, 1) } : separable(`dense${i}/conv0`),
    rest: [separable(`dense${i}/conv1`), separable(`dense${i}/conv2`), separable(`dense${i}/conv3`)],
  });
  return { blocks: [0, 1, 2, 3].map(block), fc: { weights: w.take('fc/weights', 2), bias: w.take('fc/bias', 1) } };
}

function separableConv(x: tf.Tensor4D, p: SeparableConv, stride: 1 | 2): tf.Tensor4D {
  return tf.add(tf.separableConv2d(x, p.depthwise, p.pointwise, stride, 'same'), p.bias) as tf.Tensor4D;
}

/**
 * Halves the side. Each conv after the first sees the ReLU of the sum of all earlier outputs
 * of the block, and the block returns the ReLU of the sum of all four.
 */
function denseBlock(x: tf.Tensor4D, block: DenseBlock): tf.Tensor4D {
  return tf.tidy(() => {
    const first =
      'filters' in block.conv0
        ? tf.add(tf.conv2d(x, block.conv0.filters, 2, 'same'), block.conv0.bias)
        : separableConv(x, block.conv0, 2);
    const outputs: tf.Tensor4D[] = [tf.relu(first) as tf.Tensor4D];
    let sum = outputs[0]!;
    for (const conv of block.rest) {
      const input = outputs.length === 1 ? sum : (tf.relu(sum) as tf.Tensor4D);
      outputs.push(separableConv(input, conv, 1));
      sum = tf.addN(outputs) as tf.Tensor4D;
    }
    return tf.relu(sum) as tf.Tensor4D;
  });
}

export class FaceLandmark68Net {
  private constructor(
    private readonly params: LandmarkParams,
    private tensors: tf.Tensor[],
  ) {}

  static load(): FaceLandmark68Net {
    return FaceLandmark68Net.fromWeightMap(loadWeightMap(catalogEntry('landmark68', 'landmarks')));
  }

  /** Takes ownership of the map: unused entries are freed now, the rest by dispose(). */
  static fromWeightMap(map: tf.NamedTensorMap): FaceLandmark68Net {
    const { params, tensors } = readWeights('landmark68', map, readParams);
    return new FaceLandmark68Net(params, tensors);
  }

  /** faces [n, 112, 112, 3] 0..255 -> [n, 136] as x0, y0, x1, y1... in fractions of the 112-pixel input. */
  forward(faces: tf.Tensor4D): tf.Tensor2D {
    if (this.tensors.length === 0) throw new Error('landmark68: used after dispose()');
    return tf.tidy(() => {
      let out = tf.div(subtractMeanRgb(faces, MEAN_RGB), 255) as tf.Tensor4D;
      for (const block of this.params.blocks) out = denseBlock(out, block); // 112 -> 56 -> 28 -> 14 -> 7
      const pooled = tf.avgPool(out, 7, 2, 'valid'); // [n, 1, 1, 256]
      return tf.add(tf.matMul(tf.reshape(pooled, [faces.shape[0], -1]), this.params.fc.weights), this.params.fc.bias) as tf.Tensor2D;
    });
  }

  /**
   * 68 landmarks per box, in pixels of the image; null for a box with no whole pixel inside the image.
   * As in face-api: the box is clipped to the image and floored, cut out, padded with black to a centred
   * square and resized to 112x112; the padding is then taken off the predicted points.
   */
  async detectLandmarks(image: RgbPixels, boxes: Rect[]): Promise<(Point[] | null)[]> {
    const regions = boxes.map((box) => cropRegion(box, image.width, image.height));
    const usable = regions.flatMap((r, i) => (r.width > 0 && r.height > 0 ? [i] : []));
    const result: (Point[] | null)[] = boxes.map(() => null);
    for (let start = 0; start < usable.length; start += MAX_BATCH) {
      const batch = usable.slice(start, start + MAX_BATCH);
      const output = tf.tidy(() => this.forward(landmarkInput(image, batch.map((i) => regions[i]!))));
      let data: Float32Array;
      try {
        data = (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
      batch.forEach((boxIndex, b) => {
        result[boxIndex] = toImagePoints(data.subarray(b * 136, (b + 1) * 136), regions[boxIndex]!);
      });
    }
    return result;
  }

  dispose(): void {
    tf.dispose(this.tensors);
    this.tensors = [];
  }
}

/** The regions cut out, each padded with black to a centred square and resized: [n, 112, 112, 3] float32 0..255. */
export function landmarkInput(image: RgbPixels, regions: Rect[]): tf.Tensor4D {
  return tf.tidy(() => tf.concat(regions.map((region) => toSquareInput(cropToTensor(image, region), LANDMARK_INPUT_SIZE, true)), 0));
}

/**
 * Fractions of the 112-pixel square -> pixels of the image. The crop filled `side` x `side` of the square,
 * centred along its shorter dimension. face-api shifts the points by the detection box's own corner;
 * we shift by the corner of the pixels actually cut out, which differs by the flooring (under a pixel)
 * and, for boxes reaching past the top or left edge, by the part cut off.
 */
export function toImagePoints(raw: Float32Array, region: Rect): Point[] {
  const scale = LANDMARK_INPUT_SIZE / Math.max(region.width, region.height);
  const scaledW = region.width * scale;
  const scaledH = region.height * scale;
  const padX = scaledW < scaledH ? (scaledH - scaledW) / 2 : 0;
  const padY = scaledH < scaledW ? (scaledW - scaledH) / 2 : 0;
  const points: Point[] = [];
  for (let i = 0; i < 68; i++) {
    const relX = (raw[2 * i]! * LANDMARK_INPUT_SIZE - padX) / scaledW;
    const relY = (raw[2 * i + 1]! * LANDMARK_INPUT_SIZE - padY) / scaledH;
    points.push({ x: region.x + relX * region.width, y: region.y + relY * region.height });
  }
  return points;
}
