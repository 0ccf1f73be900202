/**
 * TensorFlow-style layers emitted as ONNX nodes. tfjs works in NHWC with filters [kh, kw, in, out];
 * ONNX Conv works in NCHW with weights [out, in / group, kh, kw]. The converters transpose the input
 * once at the top of the graph and every weight here, and track each feature map's static
 * channels × height × width so TensorFlow's 'same' padding (extra row/column at the end) becomes
 * explicit ONNX pads.
 */
import type { OnnxGraph } from './onnxGraph.ts';

/** A value in the graph, [N, channels, height, width]. */
export interface Feature {
  name: string;
  channels: number;
  height: number;
  width: number;
}

export interface TfTensor {
  data: Float32Array;
  shape: number[];
}

export type TfPadding = 'same' | 'valid';

/** TensorFlow's output size and [begin, end] padding along one axis. */
export function tfPadding(size: number, kernel: number, stride: number, padding: TfPadding): { out: number; begin: number; end: number } {
  if (padding === 'valid') return { out: Math.floor((size - kernel) / stride) + 1, begin: 0, end: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, begin: Math.floor(total / 2), end: total - Math.floor(total / 2) };
}

/** [kh, kw, in, out] → [out, in, kh, kw]. */
export function hwioToOihw(filters: TfTensor): Float32Array {
  const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
  const out = new Float32Array(filters.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = filters.data[((y * kw + x) * cin + i) * cout + o]!;
  return out;
}

/** Depthwise [kh, kw, in, multiplier] → [in * multiplier, 1, kh, kw] (output channel i * multiplier + m, as in TF). */
function depthwiseToOihw(filters: TfTensor): Float32Array {
  const [kh, kw, cin, mult] = filters.shape as [number, number, number, number];
  const out = new Float32Array(filters.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let m = 0; m < mult; m++) out[((i * mult + m) * kh + y) * kw + x] = filters.data[((y * kw + x) * cin + i) * mult + m]!;
  return out;
}

interface ConvOptions {
  stride: number;
  padding: TfPadding;
  bias?: Float32Array;
  /** Names the weights in the graph. */
  label: string;
}

/** tf.conv2d (+ bias). */
export function conv2d(g: OnnxGraph, x: Feature, filters: TfTensor, options: ConvOptions): Feature {
  const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
  if (cin !== x.channels) throw new Error(`${options.label}: filters take ${cin} channels, input has ${x.channels}`);
  const w = g.floats(`${options.label}/W`, hwioToOihw(filters), [cout, cin, kh, kw]);
  return convNode(g, x, w, [kh, kw], cout, 1, options);
}

/** tf.depthwiseConv2d (+ bias). */
export function depthwiseConv2d(g: OnnxGraph, x: Feature, filters: TfTensor, options: ConvOptions): Feature {
  const [kh, kw, cin, mult] = filters.shape as [number, number, number, number];
  if (cin !== x.channels) throw new Error(`${options.label}: filters take ${cin} channels, input has ${x.channels}`);
  const w = g.floats(`${options.label}/W`, depthwiseToOihw(filters), [cin * mult, 1, kh, kw]);
  return convNode(g, x, w, [kh, kw], cin * mult, cin, options);
}

function convNode(g: OnnxGraph, x: Feature, weights: string, kernel: [number, number], cout: number, group: number, options: ConvOptions): Feature {
  const ph = tfPadding(x.height, kernel[0], options.stride, options.padding);
  const pw = tfPadding(x.width, kernel[1], options.stride, options.padding);
  const inputs = [x.name, weights];
  if (options.bias) inputs.push(g.floats(`${options.label}/B`, options.bias, [cout]));
  const name = g.node('Conv', inputs, {
    kernel_shape: kernel,
    strides: [options.stride, options.stride],
    pads: [ph.begin, pw.begin, ph.end, pw.end],
    dilations: [1, 1],
    group,
  });
  return { name, channels: cout, height: ph.out, width: pw.out };
}

/** A per-channel constant shaped [C, 1, 1] so it broadcasts over [N, C, H, W]. */
export function perChannel(g: OnnxGraph, label: string, values: Float32Array): string {
  return g.floats(label, values, [values.length, 1, 1]);
}

export function relu(g: OnnxGraph, x: Feature): Feature {
  return { ...x, name: g.node('Relu', [x.name]) };
}

/** ReLU6 (clip to [0, 6]); Clip takes its bounds as scalar inputs since opset 11. */
export function relu6(g: OnnxGraph, x: Feature): Feature {
  return { ...x, name: g.node('Clip', [x.name, g.floats('zero', [0], []), g.floats('six', [6], [])]) };
}

export function add(g: OnnxGraph, a: Feature, b: Feature): Feature {
  if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width) {
    throw new Error(`cannot add ${a.name} [${a.channels}, ${a.height}, ${a.width}] and ${b.name} [${b.channels}, ${b.height}, ${b.width}]`);
  }
  return { ...a, name: g.node('Add', [a.name, b.name]) };
}

/** Zero padding after the data: extra channels, rows (bottom) and columns (right). */
export function padAfter(g: OnnxGraph, x: Feature, channels: number, rows: number, cols: number): Feature {
  if (channels === 0 && rows === 0 && cols === 0) return x;
  const pads = g.int64s('pads', [0, 0, 0, 0, 0, channels, rows, cols]);
  return { name: g.node('Pad', [x.name, pads], { mode: 'constant' }), channels: x.channels + channels, height: x.height + rows, width: x.width + cols };
}

/** tf.maxPool / tf.avgPool with 'valid' padding. */
export function pool(g: OnnxGraph, op: 'MaxPool' | 'AveragePool', x: Feature, kernel: number, stride: number): Feature {
  const h = tfPadding(x.height, kernel, stride, 'valid');
  const w = tfPadding(x.width, kernel, stride, 'valid');
  const name = g.node(op, [x.name], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [0, 0, 0, 0] });
  return { name, channels: x.channels, height: h.out, width: w.out };
}

/** NHWC [N, H, W, C] graph input → NCHW feature. */
export function fromNhwc(g: OnnxGraph, name: string, channels: number, height: number, width: number): Feature {
  return { name: g.node('Transpose', [name], { perm: [0, 3, 1, 2] }), channels, height, width };
}
