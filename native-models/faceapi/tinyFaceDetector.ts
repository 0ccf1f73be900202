/**
 * face-api's Tiny Face Detector, written against tfjs-core ops (reference: face-api 1.7.15
 * src/tinyFaceDetector, src/tinyYolov2): a Tiny-YOLOv2 with depthwise separable convolutions,
 * five anchors per cell of a (inputSize / 32)^2 grid, then a greedy NMS in JS.
 */
import * as tf from '@tensorflow/tfjs-core';
import { catalogEntry } from '../catalog.ts';
import { loadWeightMap } from '../tfjsLoad.ts';
import { greedyNonMaxSuppression, resizedDimensions, type Rect } from './boxMath.ts';
import { subtractMeanRgb, toSquareInput } from './imageTensor.ts';
import type { BoxDetection } from './ssdMobilenetV1.ts';
import { readWeights, type WeightReader } from './weights.ts';

export interface TinyFaceDetectorOptions {
  /** Side of the square network input, a multiple of 32. Default 416; larger finds smaller faces, at a quadratic cost. */
  inputSize?: number;
  /** Keep boxes scoring strictly above this, in (0, 1). Default 0.5. */
  scoreThreshold?: number;
}

/** Anchor sizes in grid cells (width, height). */
const ANCHORS: readonly [number, number][] = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const MEAN_RGB: readonly [number, number, number] = [117.001, 114.697, 97.404];
const IOU_THRESHOLD = 0.4;
/** Per anchor: x, y, width, height, objectness. */
const BOX_ENCODING = 5;

interface Conv {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
}
interface SeparableConv {
  depthwise: tf.Tensor4D;
  pointwise: tf.Tensor4D;
  bias: tf.Tensor1D;
}
interface TinyParams {
  conv0: Conv;
  /** conv1..conv5 */
  separable: SeparableConv[];
  conv8: Conv;
}

function readParams(w: WeightReader): TinyParams {
  const conv = (prefix: string): Conv => ({ filters: w.take(`${prefix}/filters`, 4), bias: w.take(`${prefix}/bias`, 1) });
  return {
    conv0: conv('conv0'),
    separable: [1, 2, 3, 4, 5].map((i) => ({
      depthwise: w.take(`conv${i}/depthwise_filter`, 4),
      pointwise: w.take(`conv${i}/pointwise_filter`, 4),
      bias: w.take(`conv${i}/bias`, 1),
    })),
    conv8: conv('conv8'),
  };
}

function leaky(x: tf.Tensor4D): tf.Tensor4D {
  return tf.leakyRelu(x, 0.1);
}

/** 3x3 depthwise + 1x1 pointwise over a 1-pixel zero border (same size out), bias, leaky ReLU. */
function separableLayer(x: tf.Tensor4D, p: SeparableConv): tf.Tensor4D {
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    return leaky(tf.add(tf.separableConv2d(padded, p.depthwise, p.pointwise, 1, 'valid'), p.bias) as tf.Tensor4D);
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class TinyFaceDetector {
  private constructor(
    private readonly params: TinyParams,
    private tensors: tf.Tensor[],
  ) {}

  static load(): TinyFaceDetector {
    return TinyFaceDetector.fromWeightMap(loadWeightMap(catalogEntry('tiny-face-detector', 'detector')));
  }

  /** Takes ownership of the map: unused entries are freed now, the rest by dispose(). */
  static fromWeightMap(map: tf.NamedTensorMap): TinyFaceDetector {
    const { params, tensors } = readWeights('tiny-face-detector', map, readParams);
    return new TinyFaceDetector(params, tensors);
  }

  /** image [1, h, w, 3] 0..255 -> grid [1, cells, cells, 5 anchors * 5], cells = inputSize / 32. */
  forward(image: tf.Tensor4D, inputSize: number): tf.Tensor4D {
    if (this.tensors.length === 0) throw new Error('tiny-face-detector: used after dispose()');
    if (!Number.isInteger(inputSize) || inputSize < 32 || inputSize % 32 !== 0) {
      throw new RangeError(`tiny-face-detector: inputSize must be a positive multiple of 32, got ${inputSize}`);
    }
    return tf.tidy(() => {
      const square = toSquareInput(image, inputSize, false);
      const x = tf.div(subtractMeanRgb(square, MEAN_RGB), 255) as tf.Tensor4D;
      // The first conv is 'valid' (inputSize - 2), so the 'same' pools round up back to inputSize / 32.
      let out = leaky(tf.add(tf.conv2d(x, this.params.conv0.filters, 1, 'valid'), this.params.conv0.bias) as tf.Tensor4D);
      this.params.separable.forEach((layer, i) => {
        out = separableLayer(tf.maxPool(out, 2, 2, 'same'), layer);
        if (i === 4) out = tf.maxPool(out, 2, 1, 'same');
      });
      return tf.add(tf.conv2d(out, this.params.conv8.filters, 1, 'valid'), this.params.conv8.bias) as tf.Tensor4D;
    });
  }

  /** Faces in image [1, h, w, 3] (int32 or float32, 0..255), best first. */
  async locateFaces(image: tf.Tensor4D, options: TinyFaceDetectorOptions = {}): Promise<BoxDetection[]> {
    const inputSize = options.inputSize ?? 416;
    const scoreThreshold = options.scoreThreshold ?? 0.5;
    const [, height, width] = image.shape;
    const grid = this.forward(image, inputSize);
    let data: Float32Array;
    try {
      data = (await grid.data()) as Float32Array;
    } finally {
      grid.dispose();
    }
    const cells = grid.shape[1];
    // Grid fractions are of the padded square; these factors turn them into fractions of the image.
    const resized = resizedDimensions(width, height, inputSize);
    const side = Math.max(resized.width, resized.height);
    const fx = side / resized.width;
    const fy = side / resized.height;
    const boxes: Rect[] = [];
    const scores: number[] = [];
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        for (let anchor = 0; anchor < ANCHORS.length; anchor++) {
          const at = ((row * cells + col) * ANCHORS.length + anchor) * BOX_ENCODING;
          const score = sigmoid(data[at + 4]!);
          if (!(score > scoreThreshold)) continue;
          const [anchorW, anchorH] = ANCHORS[anchor]!;
          const centreX = ((col + sigmoid(data[at]!)) / cells) * fx;
          const centreY = ((row + sigmoid(data[at + 1]!)) / cells) * fy;
          const boxW = ((Math.exp(data[at + 2]!) * anchorW) / cells) * fx;
          const boxH = ((Math.exp(data[at + 3]!) * anchorH) / cells) * fy;
          boxes.push({ x: centreX - boxW / 2, y: centreY - boxH / 2, width: boxW, height: boxH });
          scores.push(score);
        }
      }
    }
    const inInputPixels = boxes.map((b) => ({ x: b.x * inputSize, y: b.y * inputSize, width: b.width * inputSize, height: b.height * inputSize }));
    return greedyNonMaxSuppression(inInputPixels, scores, IOU_THRESHOLD).map((i) => {
      const b = boxes[i]!;
      return { box: { x: b.x * width, y: b.y * height, width: b.width * width, height: b.height * height }, score: scores[i]! };
    });
  }

  dispose(): void {
    tf.dispose(this.tensors);
    this.tensors = [];
  }
}
