/**
 * face-api's 68-point landmark net (native-models/faceapi/landmark68.ts) as an ONNX graph.
 *
 * input  "faces"     [N, 112, 112, 3] float32 RGB 0..255 (NHWC): the squared, resized face crops
 * output "landmarks" [N, 136] x0, y0, x1, y1 ... as fractions of the 112-pixel input
 */
import { catalogEntry } from '../catalog.ts';
import { conv2d, depthwiseConv2d, fromNhwc, pool, relu, type Feature } from './layers.ts';
import { DataType, OnnxGraph } from './onnxGraph.ts';
import { WeightArrays } from './weightArrays.ts';

export const LANDMARK_INPUT_SIZE = 112;
const MEAN_RGB = [122.782, 117.001, 104.298];

/** tf.separableConv2d ('same') + bias: depthwise, then a 1×1 pointwise conv. */
function separableConv(g: OnnxGraph, w: WeightArrays, x: Feature, prefix: string, stride: 1 | 2): Feature {
  const depthwise = depthwiseConv2d(g, x, w.get(`${prefix}/depthwise_filter`, 4), { stride, padding: 'same', label: `${prefix}/depthwise` });
  return conv2d(g, depthwise, w.get(`${prefix}/pointwise_filter`, 4), { stride: 1, padding: 'valid', bias: w.get(`${prefix}/bias`, 1).data, label: `${prefix}/pointwise` });
}

/** Halves the side; each later conv sees the ReLU of the sum of the block's earlier outputs. */
function denseBlock(g: OnnxGraph, w: WeightArrays, x: Feature, block: number): Feature {
  const first =
    block === 0
      ? conv2d(g, x, w.get('dense0/conv0/filters', 4), { stride: 2, padding: 'same', bias: w.get('dense0/conv0/bias', 1).data, label: 'dense0/conv0' })
      : separableConv(g, w, x, `dense${block}/conv0`, 2);
  const outputs: Feature[] = [relu(g, first)];
  let sum = outputs[0]!;
  for (const conv of [1, 2, 3]) {
    const input = outputs.length === 1 ? sum : relu(g, sum);
    outputs.push(separableConv(g, w, input, `dense${block}/conv${conv}`, 1));
    sum = { ...outputs[0]!, name: g.node('Sum', outputs.map((o) => o.name)) };
  }
  return relu(g, sum);
}

export function convertLandmark68(weights = WeightArrays.read(catalogEntry('landmark68', 'landmarks'))): OnnxGraph {
  const g = new OnnxGraph('landmark68');
  const faces = g.input('faces', DataType.FLOAT, ['N', LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3]);
  const centred = g.node('Div', [g.node('Sub', [faces, g.floats('mean_rgb', MEAN_RGB, [3])]), g.floats('c', [255], [])]);
  let x = fromNhwc(g, centred, 3, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE);
  for (let block = 0; block < 4; block++) x = denseBlock(g, weights, x, block); // 112 -> 56 -> 28 -> 14 -> 7
  const pooled = pool(g, 'AveragePool', x, 7, 2); // [N, 256, 1, 1]
  const flat = g.node('Flatten', [pooled.name], { axis: 1 });
  const fc = weights.get('fc/weights', 2);
  const bias = g.floats('fc/bias', weights.get('fc/bias', 1).data, [fc.shape[1]!]);
  const landmarks = g.node('Add', [g.node('MatMul', [flat, g.floats('fc/weights', fc.data, fc.shape)]), bias], {}, 'landmarks');
  g.output(landmarks, DataType.FLOAT, ['N', fc.shape[1]!]);
  return g;
}
