/**
 * dlib's ResNet face descriptor (native-models/dlibResnet.ts) as an ONNX graph, op for op:
 * input [N, 150, 150, 3] float32 RGB 0..255 (NHWC, as the tfjs model takes it), output [N, 128]
 * raw descriptors (not yet normalised).
 */
import { catalogEntry } from '../catalog.ts';
import { add, conv2d, fromNhwc, padAfter, perChannel, pool, relu, type Feature } from './layers.ts';
import { DataType, OnnxGraph } from './onnxGraph.ts';
import { WeightArrays } from './weightArrays.ts';

export const DLIB_INPUT_SIZE = 150;
const MEAN_RGB = [122.782, 117.001, 104.298];

/** conv → bias → dlib's affine "scale" layer → optional ReLU. */
function convLayer(g: OnnxGraph, w: WeightArrays, x: Feature, prefix: string, stride: 1 | 2, withRelu: boolean): Feature {
  const conv = conv2d(g, x, w.get(`${prefix}/conv/filters`, 4), {
    stride,
    padding: stride === 2 ? 'valid' : 'same',
    bias: w.get(`${prefix}/conv/bias`, 1).data,
    label: prefix,
  });
  const scaled = g.node('Mul', [conv.name, perChannel(g, `${prefix}/scale/weights`, w.get(`${prefix}/scale/weights`, 1).data)]);
  const shifted = { ...conv, name: g.node('Add', [scaled, perChannel(g, `${prefix}/scale/biases`, w.get(`${prefix}/scale/biases`, 1).data)]) };
  return withRelu ? relu(g, shifted) : shifted;
}

function residual(g: OnnxGraph, w: WeightArrays, x: Feature, name: string): Feature {
  const out = convLayer(g, w, convLayer(g, w, x, `${name}/conv1`, 1, true), `${name}/conv2`, 1, false);
  return relu(g, add(g, out, x));
}

/** The shortcut is a 2×2 average pool, zero-padded in channels; the conv path is zero-padded bottom/right to match. */
function residualDown(g: OnnxGraph, w: WeightArrays, x: Feature, name: string): Feature {
  let out = convLayer(g, w, convLayer(g, w, x, `${name}/conv1`, 2, true), `${name}/conv2`, 1, false);
  let pooled = pool(g, 'AveragePool', x, 2, 2);
  out = padAfter(g, out, 0, pooled.height - out.height, pooled.width - out.width);
  pooled = padAfter(g, pooled, out.channels - pooled.channels, 0, 0);
  return relu(g, add(g, pooled, out));
}

export function convertDlibResnet(weights = WeightArrays.read(catalogEntry('dlib-resnet', 'embedder'))): OnnxGraph {
  const g = new OnnxGraph('dlib_resnet');
  const input = g.input('input', DataType.FLOAT, ['N', DLIB_INPUT_SIZE, DLIB_INPUT_SIZE, 3]);
  const centred = g.node('Sub', [input, g.floats('mean_rgb', MEAN_RGB, [3])]);
  const scaled = g.node('Div', [centred, g.floats('scale_255', [255], [])]);
  let x = fromNhwc(g, scaled, 3, DLIB_INPUT_SIZE, DLIB_INPUT_SIZE);
  x = convLayer(g, weights, x, 'conv32_down', 2, true);
  x = pool(g, 'MaxPool', x, 3, 2);
  for (const name of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(g, weights, x, name);
  x = residualDown(g, weights, x, 'conv64_down');
  for (const name of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(g, weights, x, name);
  x = residualDown(g, weights, x, 'conv128_down');
  for (const name of ['conv128_1', 'conv128_2']) x = residual(g, weights, x, name);
  x = residualDown(g, weights, x, 'conv256_down');
  for (const name of ['conv256_1', 'conv256_2']) x = residual(g, weights, x, name);
  x = residualDown(g, weights, x, 'conv256_down_out');
  const pooled = g.node('ReduceMean', [x.name], { axes: [2, 3], keepdims: 0 }); // [N, 256]
  const fc = weights.get('fc', 2);
  const descriptor = g.node('MatMul', [pooled, g.floats('fc', fc.data, fc.shape)], {}, 'descriptor'); // [N, 128]
  g.output(descriptor, DataType.FLOAT, ['N', fc.shape[1]!]);
  return g;
}
