/**
 * face-api's SSD MobileNetV1 (native-models/faceapi/ssdMobilenetV1.ts) as an ONNX graph, from the
 * resize to the decoded boxes; the non-maximum suppression stays in JS (boxMath.ts).
 *
 * input  "image"  [1, S, S, 3] uint8 RGB: the photo padded with black after its bottom/right edge to a square
 * output "boxes"  [5118, 4] [ymin, xmin, ymax, xmax] as fractions of the square
 * output "scores" [5118] face probability of each anchor
 */
import { catalogEntry } from '../catalog.ts';
import { conv2d, depthwiseConv2d, relu6, type Feature } from './layers.ts';
import { DataType, OnnxGraph } from './onnxGraph.ts';
import { WeightArrays } from './weightArrays.ts';

const INPUT_SIZE = 512;
const NUM_ANCHORS = 5118;
/** TensorFlow's default batch-norm epsilon, as a float32 (as the tfjs model uses). */
const BATCH_NORM_EPSILON = 0.0010000000474974513;

/** conv 'same', bias (the folded batch norm), ReLU6. */
function pointwiseLayer(g: OnnxGraph, w: WeightArrays, x: Feature, prefix: string, stride: 1 | 2): Feature {
  const conv = conv2d(g, x, w.get(`${prefix}/weights`, 4), { stride, padding: 'same', bias: w.get(`${prefix}/convolution_bn_offset`, 1).data, label: prefix });
  return relu6(g, conv);
}

function depthwiseLayer(g: OnnxGraph, w: WeightArrays, x: Feature, prefix: string, stride: 1 | 2): Feature {
  const conv = depthwiseConv2d(g, x, w.get(`${prefix}/depthwise_weights`, 4), { stride, padding: 'same', label: prefix });
  const bn = (name: string) => g.floats(`${prefix}/${name}`, w.get(`${prefix}/BatchNorm/${name}`, 1).data, [conv.channels]);
  const normed = g.node('BatchNormalization', [conv.name, bn('gamma'), bn('beta'), bn('moving_mean'), bn('moving_variance')], {
    epsilon: { float: BATCH_NORM_EPSILON },
  });
  return relu6(g, { ...conv, name: normed });
}

/** Box encodings [1, cells * k, 4] and class logits [1, cells * k, 3], cells in row-major NHWC order as in tfjs. */
function predict(g: OnnxGraph, w: WeightArrays, x: Feature, index: number): { encodings: string; logits: string } {
  const head = (kind: string, width: number) => {
    const prefix = `Prediction/BoxPredictor_${index}/${kind}`;
    const conv = conv2d(g, x, w.get(`${prefix}/weights`, 4), { stride: 1, padding: 'same', bias: w.get(`${prefix}/biases`, 1).data, label: prefix });
    const nhwc = g.node('Transpose', [conv.name], { perm: [0, 2, 3, 1] });
    return g.node('Reshape', [nhwc, g.int64s('shape', [1, -1, width])]);
  };
  return { encodings: head('BoxEncodingPredictor', 4), logits: head('ClassPredictor', 3) };
}

/** centre = anchor centre + t / 10 * anchor size, half size = exp(t / 5) * anchor size / 2 (same op order as the tfjs model). */
function decodeBoxes(g: OnnxGraph, encodings: string, anchors: string): string {
  const [ay0, ax0, ay1, ax1] = g.nodeN('Split', [anchors], 4, { axis: 1 }) as [string, string, string, string];
  const [ty, tx, th, tw] = g.nodeN('Split', [encodings], 4, { axis: 1 }) as [string, string, string, string];
  const c = (value: number) => g.floats('c', [value], []);
  const op = (name: string, a: string, b: string) => g.node(name, [a, b]);
  const anchorH = op('Sub', ay1, ay0);
  const anchorW = op('Sub', ax1, ax0);
  const centreY = op('Add', op('Mul', op('Div', ty, c(10)), anchorH), op('Add', ay0, op('Div', anchorH, c(2))));
  const centreX = op('Add', op('Mul', op('Div', tx, c(10)), anchorW), op('Add', ax0, op('Div', anchorW, c(2))));
  const halfH = op('Div', op('Mul', g.node('Exp', [op('Div', th, c(5))]), anchorH), c(2));
  const halfW = op('Div', op('Mul', g.node('Exp', [op('Div', tw, c(5))]), anchorW), c(2));
  return g.node('Concat', [op('Sub', centreY, halfH), op('Sub', centreX, halfW), op('Add', centreY, halfH), op('Add', centreX, halfW)], { axis: 1 }, 'boxes');
}

export function convertSsdMobilenetV1(weights = WeightArrays.read(catalogEntry('ssd-mobilenetv1', 'detector'))): OnnxGraph {
  const g = new OnnxGraph('ssd_mobilenetv1');
  const image = g.input('image', DataType.UINT8, [1, 'S', 'S', 3]);
  const asFloat = g.node('Cast', [image], { to: DataType.FLOAT });
  const nchw = g.node('Transpose', [asFloat], { perm: [0, 3, 1, 2] });
  // TF1's resize_bilinear without align_corners or half-pixel centres samples at x_out * in / out: ONNX's 'asymmetric'.
  const resized = g.node('Resize', [nchw, '', '', g.int64s('size', [1, 3, INPUT_SIZE, INPUT_SIZE])], {
    mode: 'linear',
    coordinate_transformation_mode: 'asymmetric',
  });
  const normalised = g.node('Sub', [g.node('Div', [resized, g.floats('c', [127.5], [])]), g.floats('c', [1], [])]);
  let x: Feature = { name: normalised, channels: 3, height: INPUT_SIZE, width: INPUT_SIZE };

  x = pointwiseLayer(g, weights, x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: Feature | undefined;
  for (let layer = 1; layer <= 13; layer++) {
    const stride = layer === 2 || layer === 4 || layer === 6 || layer === 12 ? 2 : 1;
    x = depthwiseLayer(g, weights, x, `MobilenetV1/Conv2d_${layer}_depthwise`, stride);
    x = pointwiseLayer(g, weights, x, `MobilenetV1/Conv2d_${layer}_pointwise`, 1);
    if (layer === 11) conv11 = x; // [1, 512, 32, 32]
  }
  const conv13 = x; // [1, 1024, 16, 16]
  const extra: Feature[] = [];
  for (let i = 0; i < 8; i++) {
    x = pointwiseLayer(g, weights, x, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    extra.push(x); // 16 -> 8 -> 4 -> 2 -> 1
  }
  const maps = [conv11!, conv13, extra[1]!, extra[3]!, extra[5]!, extra[7]!];
  const predictions = maps.map((map, i) => predict(g, weights, map, i));
  const encodings = g.node('Concat', predictions.map((p) => p.encodings), { axis: 1 }); // [1, 5118, 4]
  const logits = g.node('Concat', predictions.map((p) => p.logits), { axis: 1 }); // [1, 5118, 3]: background, face, unused
  const anchors = weights.get('Output/extra_dim', 3);
  if (anchors.shape[1] !== NUM_ANCHORS) throw new Error(`ssd-mobilenetv1: expected ${NUM_ANCHORS} anchors, got ${anchors.shape[1]}`);
  const flatAnchors = g.floats('anchors', anchors.data, [NUM_ANCHORS, 4]);
  const boxes = decodeBoxes(g, g.node('Reshape', [encodings, g.int64s('shape', [-1, 4])]), flatAnchors);
  const faceLogit = g.node('Slice', [logits, g.int64s('starts', [1]), g.int64s('ends', [2]), g.int64s('axes', [2])]);
  const scores = g.node('Reshape', [g.node('Sigmoid', [faceLogit]), g.int64s('shape', [-1])], {}, 'scores');
  g.output(boxes, DataType.FLOAT, [NUM_ANCHORS, 4]);
  g.output(scores, DataType.FLOAT, [NUM_ANCHORS]);
  return g;
}
