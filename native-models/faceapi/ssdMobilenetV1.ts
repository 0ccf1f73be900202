/**
 * face-api's SSD MobileNetV1 face detector, written against tfjs-core ops (reference: face-api 1.7.15
 * src/ssdMobilenetv1). A MobileNetV1 body at 512x512, six SSD box predictors over 5118 fixed anchors,
 * box decoding, then a greedy NMS in JS.
 */
import * as tf from '@tensorflow/tfjs-core';
import { catalogEntry } from '../catalog.ts';
import { loadWeightMap } from '../tfjsLoad.ts';
import { resizedDimensions, ssdNonMaxSuppression, type Rect } from './boxMath.ts';
import { toSquareInput } from './imageTensor.ts';
import { readWeights, type WeightReader } from './weights.ts';

/** The anchors are laid out for exactly this input side. */
export const SSD_INPUT_SIZE = 512;
const NUM_ANCHORS = 5118;
/** TensorFlow's default batch-norm epsilon, as a float32. */
const BATCH_NORM_EPSILON = 0.0010000000474974513;
const IOU_THRESHOLD = 0.5;

export interface SsdMobilenetV1Options {
  /** Keep boxes scoring strictly above this, in (0, 1). Default 0.5; lower it to find small faces in group photos. */
  minConfidence?: number;
  /** At most this many faces per image. Default 100. */
  maxResults?: number;
}

export interface BoxDetection {
  /** Pixels of the input image; may reach past its bottom or right edge, as in face-api. */
  box: Rect;
  score: number;
}

interface PointwiseConv {
  filters: tf.Tensor4D;
  offset: tf.Tensor1D;
}
interface DepthwiseConv {
  filters: tf.Tensor4D;
  scale: tf.Tensor1D;
  offset: tf.Tensor1D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}
interface ConvPair {
  depthwise: DepthwiseConv;
  pointwise: PointwiseConv;
}
interface Conv {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
}
interface BoxPredictor {
  boxEncoding: Conv;
  classes: Conv;
}
interface SsdParams {
  conv0: PointwiseConv;
  /** MobileNetV1 layers 1..13. */
  pairs: ConvPair[];
  /** The extra feature layers after MobileNetV1, 0..7. */
  extra: PointwiseConv[];
  predictors: BoxPredictor[];
  /** [1, 5118, 4] anchors as [ymin, xmin, ymax, xmax], fractions of the input. */
  anchors: tf.Tensor3D;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function readParams(w: WeightReader): SsdParams {
  const pointwise = (prefix: string): PointwiseConv => ({
    filters: w.take(`${prefix}/weights`, 4),
    offset: w.take(`${prefix}/convolution_bn_offset`, 1),
  });
  const depthwise = (prefix: string): DepthwiseConv => ({
    filters: w.take(`${prefix}/depthwise_weights`, 4),
    scale: w.take(`${prefix}/BatchNorm/gamma`, 1),
    offset: w.take(`${prefix}/BatchNorm/beta`, 1),
    mean: w.take(`${prefix}/BatchNorm/moving_mean`, 1),
    variance: w.take(`${prefix}/BatchNorm/moving_variance`, 1),
  });
  const conv = (prefix: string): Conv => ({ filters: w.take(`${prefix}/weights`, 4), bias: w.take(`${prefix}/biases`, 1) });
  const anchors = w.take<tf.Rank.R3>('Output/extra_dim', 3);
  if (anchors.shape[1] !== NUM_ANCHORS) throw new Error(`ssd-mobilenetv1: expected ${NUM_ANCHORS} anchors, got ${anchors.shape[1]}`);
  return {
    conv0: pointwise('MobilenetV1/Conv2d_0_pointwise'),
    pairs: range(1, 14).map((i) => ({
      depthwise: depthwise(`MobilenetV1/Conv2d_${i}_depthwise`),
      pointwise: pointwise(`MobilenetV1/Conv2d_${i}_pointwise`),
    })),
    extra: range(0, 8).map((i) => pointwise(`Prediction/Conv2d_${i}_pointwise`)),
    predictors: range(0, 6).map((i) => ({
      boxEncoding: conv(`Prediction/BoxPredictor_${i}/BoxEncodingPredictor`),
      classes: conv(`Prediction/BoxPredictor_${i}/ClassPredictor`),
    })),
    anchors,
  };
}

/** conv, bias (the folded batch norm), ReLU6. */
function pointwiseLayer(x: tf.Tensor4D, p: PointwiseConv, stride: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.conv2d(x, p.filters, stride, 'same'), p.offset), 0, 6) as tf.Tensor4D);
}

function depthwiseLayer(x: tf.Tensor4D, p: DepthwiseConv, stride: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => {
    const conv = tf.depthwiseConv2d(x, p.filters, stride, 'same');
    return tf.clipByValue(tf.batchNorm(conv, p.mean, p.variance, p.offset, p.scale, BATCH_NORM_EPSILON), 0, 6);
  });
}

/** [1, 512, 512, 3] in [-1, 1] -> layer 11 [1, 32, 32, 512] and layer 13 [1, 16, 16, 1024]. */
function mobileNetV1(x: tf.Tensor4D, params: SsdParams): { conv11: tf.Tensor4D; conv13: tf.Tensor4D } {
  let out = pointwiseLayer(x, params.conv0, 2);
  let conv11: tf.Tensor4D | undefined;
  params.pairs.forEach((pair, i) => {
    const layer = i + 1;
    const stride = layer === 2 || layer === 4 || layer === 6 || layer === 12 ? 2 : 1;
    out = pointwiseLayer(depthwiseLayer(out, pair.depthwise, stride), pair.pointwise, 1);
    if (layer === 11) conv11 = out;
  });
  return { conv11: conv11!, conv13: out };
}

/** One predictor over a feature map: box encodings [1, cells * k, 4] and class logits [1, cells * k, 3]. */
function predict(x: tf.Tensor4D, p: BoxPredictor): { encodings: tf.Tensor3D; logits: tf.Tensor3D } {
  const conv = (c: Conv) => tf.add(tf.conv2d(x, c.filters, 1, 'same'), c.bias);
  return { encodings: tf.reshape(conv(p.boxEncoding), [1, -1, 4]), logits: tf.reshape(conv(p.classes), [1, -1, 3]) };
}

/**
 * Box encodings [n, 4] as (ty, tx, th, tw) against anchors [n, 4] -> boxes [n, 4] as [ymin, xmin, ymax, xmax]:
 * centre = anchor centre + t / 10 * anchor size, half size = exp(t / 5) * anchor size / 2.
 */
function decodeBoxes(encodings: tf.Tensor2D, anchors: tf.Tensor2D): tf.Tensor2D {
  const [ay0, ax0, ay1, ax1] = tf.split(anchors, 4, 1);
  const [ty, tx, th, tw] = tf.split(encodings, 4, 1);
  const anchorH = tf.sub(ay1!, ay0!);
  const anchorW = tf.sub(ax1!, ax0!);
  const centreY = tf.add(tf.mul(tf.div(ty!, 10), anchorH), tf.add(ay0!, tf.div(anchorH, 2)));
  const centreX = tf.add(tf.mul(tf.div(tx!, 10), anchorW), tf.add(ax0!, tf.div(anchorW, 2)));
  const halfH = tf.div(tf.mul(tf.exp(tf.div(th!, 5)), anchorH), 2);
  const halfW = tf.div(tf.mul(tf.exp(tf.div(tw!, 5)), anchorW), 2);
  return tf.concat([tf.sub(centreY, halfH), tf.sub(centreX, halfW), tf.add(centreY, halfH), tf.add(centreX, halfW)], 1) as tf.Tensor2D;
}

export class SsdMobilenetV1 {
  private constructor(
    private readonly params: SsdParams,
    private tensors: tf.Tensor[],
  ) {}

  /** Reads the catalogued, checksummed weights. */
  static load(): SsdMobilenetV1 {
    return SsdMobilenetV1.fromWeightMap(loadWeightMap(catalogEntry('ssd-mobilenetv1', 'detector')));
  }

  /** Takes ownership of the map: unused entries are freed now, the rest by dispose(). */
  static fromWeightMap(map: tf.NamedTensorMap): SsdMobilenetV1 {
    const { params, tensors } = readWeights('ssd-mobilenetv1', map, readParams);
    return new SsdMobilenetV1(params, tensors);
  }

  /** image [1, h, w, 3] 0..255 -> boxes [5118, 4] ([ymin, xmin, ymax, xmax] as fractions of the padded square) and scores [5118]. */
  forward(image: tf.Tensor4D): { boxes: tf.Tensor2D; scores: tf.Tensor1D } {
    if (this.tensors.length === 0) throw new Error('ssd-mobilenetv1: used after dispose()');
    return tf.tidy(() => {
      const x = tf.sub(tf.div(toSquareInput(image, SSD_INPUT_SIZE, false), 127.5), 1) as tf.Tensor4D;
      const { conv11, conv13 } = mobileNetV1(x, this.params);
      // Extra layers shrink 16 -> 8 -> 4 -> 2 -> 1; predictors see layer 11, 13 and every second extra layer.
      const extra: tf.Tensor4D[] = [];
      let out = conv13;
      this.params.extra.forEach((layer, i) => {
        out = pointwiseLayer(out, layer, i % 2 === 1 ? 2 : 1);
        extra.push(out);
      });
      const maps = [conv11, conv13, extra[1]!, extra[3]!, extra[5]!, extra[7]!];
      const predictions = maps.map((map, i) => predict(map, this.params.predictors[i]!));
      const encodings = tf.concat(predictions.map((p) => p.encodings), 1); // [1, 5118, 4]
      const logits = tf.concat(predictions.map((p) => p.logits), 1); // [1, 5118, 3]: background, face, unused
      const boxes = decodeBoxes(tf.reshape(encodings, [-1, 4]), tf.reshape(this.params.anchors, [-1, 4]));
      const scores = tf.reshape(tf.sigmoid(tf.slice(logits, [0, 0, 1], [1, -1, 1])), [-1]) as tf.Tensor1D;
      return { boxes, scores };
    });
  }

  /** Faces in image [1, h, w, 3] (int32 or float32, 0..255), best first. */
  async locateFaces(image: tf.Tensor4D, options: SsdMobilenetV1Options = {}): Promise<BoxDetection[]> {
    const minConfidence = options.minConfidence ?? 0.5;
    const maxResults = options.maxResults ?? 100;
    const [, height, width] = image.shape;
    const { boxes, scores } = this.forward(image);
    let boxData: Float32Array;
    let scoreData: Float32Array;
    try {
      [boxData, scoreData] = (await Promise.all([boxes.data(), scores.data()])) as [Float32Array, Float32Array];
    } finally {
      tf.dispose([boxes, scores]);
    }
    return ssdDetections(boxData, scoreData, width, height, { minConfidence, maxResults });
  }

  dispose(): void {
    tf.dispose(this.tensors);
    this.tensors = [];
  }
}

/**
 * Decoded boxes [5118 * 4] and scores [5118] (from forward(), or the same network elsewhere) -> faces in
 * pixels of the width x height image, best first: NMS, then fractions of the padded square -> pixels.
 */
export function ssdDetections(boxData: Float32Array, scoreData: Float32Array, width: number, height: number, options: Required<SsdMobilenetV1Options>): BoxDetection[] {
  const kept = ssdNonMaxSuppression(boxData, scoreData, options.maxResults, IOU_THRESHOLD, options.minConfidence);
  // Fractions of the padded square -> fractions of the image -> pixels (face-api clamps to the square, not the image).
  const resized = resizedDimensions(width, height, SSD_INPUT_SIZE);
  const scaleX = SSD_INPUT_SIZE / resized.width;
  const scaleY = SSD_INPUT_SIZE / resized.height;
  return kept.map((i) => {
    const top = Math.max(0, boxData[i * 4]!) * scaleY;
    const left = Math.max(0, boxData[i * 4 + 1]!) * scaleX;
    const bottom = Math.min(1, boxData[i * 4 + 2]!) * scaleY;
    const right = Math.min(1, boxData[i * 4 + 3]!) * scaleX;
    return {
      box: { x: left * width, y: top * height, width: (right - left) * width, height: (bottom - top) * height },
      score: scoreData[i]!,
    };
  });
}
