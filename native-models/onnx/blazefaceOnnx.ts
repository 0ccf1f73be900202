/**
 * MediaPipe's BlazeFace back-camera model (catalog 'blazeface-back', a tfjs graph model from Human's
 * models) as an ONNX graph that takes an image of any size. The tfjs graph declares a 1x256x256 input
 * and reshapes its heads to 896 anchors, but the net itself is fully convolutional: this converter
 * walks the graph's nodes up to the four head convolutions and emits them as they are, leaving out
 * the fixed reshapes, so the same weights run on a whole photo shrunk so its smallest faces are
 * ~16 px (main/faces/blazeProposals.ts decodes the anchors).
 *
 * input  "image"          [1, H, W, 3] uint8 RGB, H and W multiples of 32 (the net's largest stride)
 * output "regressors"     [1, N, 16] per anchor: box centre offset x, y and size w, h in input px, then
 *                         six keypoints (x, y) offsets; N = (H/16)(W/16)·2 + (H/32)(W/32)·6
 * output "classificators" [1, N, 1]  face logit per anchor
 * Anchor order: the stride-16 map's cells in row-major order, 2 anchors each, then the stride-32
 * map's, 6 each: at 256x256 exactly the tfjs graph's outputs (512 then 384 anchors) concatenated.
 *
 * TensorFlow's 'same' padding depends on the input size, but only through its parity at a stride-2
 * layer: with H and W multiples of 32 every stride-2 layer sees an even size and pads exactly as at
 * 256, so the feature sizes are tracked at 256 (NOMINAL_SIDE) and the pads hold for every H and W.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // decodeWeights needs some backend; an active wasm backend keeps precedence
import { catalogEntry, type CatalogEntry } from '../catalog.ts';
import { ModelFileError, readVerified } from '../locate.ts';
import { add, conv2d, depthwiseConv2d, pool, relu, tfPadding, type Feature, type TfPadding, type TfTensor } from './layers.ts';
import { DataType, OnnxGraph, type AttributeValue, type NodeSpec } from './onnxGraph.ts';

/** The side at which feature sizes (and so TF 'same' pads) are worked out; see the file comment. */
const NOMINAL_SIDE = 256;
/** Input sides must be multiples of this: the stride of the coarsest feature map. */
export const BLAZEFACE_STRIDE_MULTIPLE = 32;

/** A node of a tfjs graph model's topology (model.json), as far as the converter reads it. */
interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; i?: string; list?: { i?: string[]; s?: string[] } }>;
}

export interface TfjsGraph {
  modelId: string;
  nodes: Map<string, GraphNode>;
  /** Output node names (the graph's Identity nodes), in model.json order. */
  outputs: string[];
  weights: Map<string, TfTensor & { dtype: string }>;
}

/** A catalogued tfjs graph model: its nodes and its weights as plain arrays (read and verified as tfjsLoad.ts does). */
export function readTfjsGraph(entry: CatalogEntry): TfjsGraph {
  if (entry.format !== 'tfjs-graph') throw new Error(`model ${entry.id}: format ${entry.format} is not a tfjs graph model`);
  const jsonPath = entry.files[0]!.path;
  const files = new Map(entry.files.map((file) => [file.path, readVerified(entry.package, file.path, file.sha256)]));
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(files.get(jsonPath)!.toString('utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new ModelFileError(`model ${entry.id}: ${jsonPath} is not valid JSON (${String(error)})`, jsonPath);
  }
  const folder = jsonPath.slice(0, jsonPath.lastIndexOf('/') + 1);
  const shards = modelJson.weightsManifest.flatMap((group) => group.paths).map((shard) => {
    const bytes = files.get(folder + shard);
    if (!bytes) throw new ModelFileError(`model ${entry.id}: shard ${folder + shard} is not in the catalog`, folder + shard);
    return bytes;
  });
  const joined = Buffer.concat(shards);
  const decoded = tf.io.decodeWeights(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength), modelJson.weightsManifest.flatMap((group) => group.weights));
  const weights = new Map<string, TfTensor & { dtype: string }>();
  try {
    for (const [name, tensor] of Object.entries(decoded)) {
      weights.set(name, { data: Float32Array.from(tensor.dataSync()), shape: [...tensor.shape], dtype: tensor.dtype });
    }
  } finally {
    tf.dispose(Object.values(decoded));
  }
  const topology = modelJson.modelTopology as { node?: GraphNode[] };
  if (!topology.node) throw new ModelFileError(`model ${entry.id}: ${jsonPath} has no modelTopology.node list`, jsonPath);
  const nodes = new Map(topology.node.map((node) => [node.name, node]));
  const outputs = topology.node.filter((node) => node.op === 'Identity').map((node) => node.name);
  return { modelId: entry.id, nodes, outputs, weights };
}

const decodeString = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8'));

/** Emits the tfjs graph's nodes as ONNX nodes, one at a time on demand (memoised), counting multiply-adds at NOMINAL_SIDE. */
class GraphWalker {
  private readonly values = new Map<string, Feature>();
  /** Multiply-adds of every convolution emitted, at a NOMINAL_SIDE square input. */
  macs = 0;
  /**
   * The first feature emitted at a quarter of the input's side: the output of the block that leaves the stride-2
   * stage (every later stride-4 feature depends on it). The rows above it are what runs in bands (bandStride2Stage).
   */
  firstQuarter?: Feature;

  constructor(private readonly g: OnnxGraph, private readonly model: TfjsGraph, private readonly input: Feature) {}

  feature(name: string): Feature {
    const known = this.values.get(name);
    if (known) return known;
    const node = this.model.nodes.get(name);
    if (!node) throw new Error(`model ${this.model.modelId}: node "${name}" is missing from the graph`);
    const value = this.emit(node);
    this.values.set(name, value);
    return value;
  }

  private weight(name: string, rank: number): TfTensor & { dtype: string } {
    const tensor = this.model.weights.get(name);
    if (!tensor) throw new Error(`model ${this.model.modelId}: weight "${name}" is missing`);
    if (tensor.shape.length !== rank) throw new Error(`model ${this.model.modelId}: weight "${name}" has rank ${tensor.shape.length}, expected ${rank}`);
    return tensor;
  }

  private fail(node: GraphNode, why: string): never {
    throw new Error(`model ${this.model.modelId}: node "${node.name}" (${node.op}): ${why}`);
  }

  /** Stride and padding of a conv or pool node, checked to be what the ONNX side supports. */
  private strideAndPadding(node: GraphNode): { stride: number; padding: TfPadding } {
    const strides = node.attr?.strides?.list?.i?.map(Number) ?? [1, 1, 1, 1];
    if (strides.length !== 4 || strides[1] !== strides[2] || strides[0] !== 1 || strides[3] !== 1) this.fail(node, `strides [${strides.join(', ')}] are not [1, s, s, 1]`);
    const dilations = node.attr?.dilations?.list?.i?.map(Number) ?? [1, 1, 1, 1];
    if (dilations.some((d) => d !== 1)) this.fail(node, 'dilated convolutions are not supported');
    const format = decodeString(node.attr?.data_format?.s) ?? 'NHWC';
    if (format !== 'NHWC') this.fail(node, `data format ${format} is not NHWC`);
    const padding = decodeString(node.attr?.padding?.s);
    if (padding !== 'SAME' && padding !== 'VALID') this.fail(node, `padding ${padding} is not SAME or VALID`);
    return { stride: strides[1]!, padding: padding === 'SAME' ? 'same' : 'valid' };
  }

  /** Filters [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]): kh · kw · in · out multiply-adds per output pixel either way. */
  private countConv(out: Feature, filter: TfTensor): void {
    const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
    this.macs += out.height * out.width * kh * kw * cin * cout;
  }

  private emit(node: GraphNode): Feature {
    const g = this.g;
    const inputs = node.input ?? [];
    switch (node.op) {
      case 'Placeholder':
        return this.input;
      case '_FusedConv2D': {
        const fused = (node.attr?.fused_ops?.list?.s ?? []).map((s) => decodeString(s));
        if (fused[0] !== 'BiasAdd' || fused.length > 2 || (fused.length === 2 && fused[1] !== 'Relu')) this.fail(node, `fused ops [${fused.join(', ')}] are not BiasAdd (+ Relu)`);
        const filter = this.weight(inputs[1]!, 4);
        const out = conv2d(g, this.feature(inputs[0]!), filter, { ...this.strideAndPadding(node), bias: this.weight(inputs[2]!, 1).data, label: node.name });
        this.countConv(out, filter);
        return fused[1] === 'Relu' ? relu(g, out) : out;
      }
      case 'DepthwiseConv2dNative': {
        const filter = this.weight(inputs[1]!, 4);
        const out = depthwiseConv2d(g, this.feature(inputs[0]!), filter, { ...this.strideAndPadding(node), label: node.name });
        this.countConv(out, filter);
        return out;
      }
      case 'AddV2':
        return add(g, this.feature(inputs[0]!), this.feature(inputs[1]!));
      case 'Relu': {
        const out = relu(g, this.feature(inputs[0]!));
        if (!this.firstQuarter && out.height === NOMINAL_SIDE / 4) this.firstQuarter = out;
        return out;
      }
      case 'MaxPool': {
        const x = this.feature(inputs[0]!);
        const { stride, padding } = this.strideAndPadding(node);
        const kernel = node.attr?.ksize?.list?.i?.map(Number) ?? [];
        if (kernel.length !== 4 || kernel[1] !== kernel[2]) this.fail(node, `ksize [${kernel.join(', ')}] is not [1, k, k, 1]`);
        // 'same' equals 'valid' where it pads nothing (2x2 stride 2 on an even side, as every input multiple of 32 gives).
        for (const side of [x.height, x.width]) {
          const pads = tfPadding(side, kernel[1]!, stride, 'same');
          if (padding === 'same' && pads.begin + pads.end !== 0) this.fail(node, `'same' pooling would pad a side of ${side}`);
        }
        return pool(g, 'MaxPool', x, kernel[1]!, stride);
      }
      case 'Pad': {
        // tf.pad of NHWC with zeros after the channels only: the shortcut widened to the conv path's channels.
        // Emitted as a 1x1 convolution by [I 0] (exact, and ~1% of the multiply-adds): onnxruntime keeps a
        // Conv in its blocked NCHWc layout and fuses the residual add into it, where a Pad would leave that
        // layout and cost reorders at every later block (~7% of the net's time on a 12 MP photo).
        const paddings = Array.from(this.weight(inputs[1]!, 2).data);
        if (paddings.some((p, i) => i !== 7 && p !== 0)) this.fail(node, `paddings [${paddings.join(', ')}] pad more than the channels' end`);
        const x = this.feature(inputs[0]!);
        const channels = x.channels + paddings[7]!;
        const identity = new Float32Array(x.channels * channels); // [1, 1, in, out]
        for (let c = 0; c < x.channels; c++) identity[c * channels + c] = 1;
        const filter = { data: identity, shape: [1, 1, x.channels, channels] };
        const out = conv2d(g, x, filter, { stride: 1, padding: 'valid', label: `${node.name}/identity` });
        this.countConv(out, filter);
        return out;
      }
      default:
        return this.fail(node, 'op not supported by the BlazeFace converter');
    }
  }
}

export interface BlazefaceHead {
  /** Input pixels per cell of the feature map. */
  stride: number;
  anchorsPerCell: number;
}

export interface BlazefaceConversion {
  graph: OnnxGraph;
  /** The heads in output order. */
  heads: BlazefaceHead[];
  /** Multiply-adds per pixel of input (the net is fully convolutional: the count scales with H·W). */
  macsPerPixel: number;
}

/**
 * Row bands the stride-2 stage runs in (bandStride2Stage). onnxruntime runs a graph layer by layer, so at full size
 * each of the stage's 24-channel maps (32 in onnxruntime's blocked layout with AVX-512: 16 MB at 960x512) goes through
 * main memory at every layer, and its thin convolutions wait on memory; in bands of ~100 rows the maps stay in cache.
 * Measured on a 12 MP photo's six tiles (960/800 x 512/448; AMD EPYC with AVX-512, one thread): 5 bands 1.14x faster
 * (224 → 197 ms), outputs bit for bit the same, though the halos cost 36 rows of the stage per inner edge (4 and 6
 * bands: 1.09x, 1.12x).
 */
export const BLAZEFACE_STRIDE2_BANDS = 5;
/**
 * Input rows a band needs above and below its own: the stem and the stage's seven 3x3 depthwise convolutions see a
 * band's zero padding 8 stride-2 rows deep, and the stride-2 block that ends the stage (pads below only) carries that
 * to 4 stride-4 rows above and 5 below. Multiples of 4, so each band keeps the full input's stride-4 grid.
 */
const BAND_HALO_ABOVE = 16;
const BAND_HALO_BELOW = 20;

/**
 * The graph with the nodes that `cut` (a [1, C, H/4, W/4] value) depends on run as `bands` row bands of the input,
 * each with BAND_HALO_ABOVE/BELOW rows of context, cropped and concatenated back into `cut`; the result equals the
 * unbanded graph's bit for bit (the same arithmetic on every kept row). Band edges are multiples of 32 rows: a fraction
 * of H (dynamic) rounded down, so tiny inputs give empty bands, which Slice and Concat handle.
 */
function bandStride2Stage(graph: OnnxGraph, cut: Feature, bands: number): OnnxGraph {
  const parts = graph.parts();
  const producer = new Map(parts.nodes.flatMap((node) => node.outputs.map((output) => [output, node] as const)));
  const inStage = new Set<NodeSpec>();
  const pending = [cut.name];
  while (pending.length > 0) {
    const node = producer.get(pending.pop()!);
    if (!node || inStage.has(node)) continue;
    inStage.add(node);
    pending.push(...node.inputs);
  }
  const stage = parts.nodes.filter((node) => inStage.has(node));
  const rest = parts.nodes.filter((node) => !inStage.has(node));
  const stageValues = new Set(stage.flatMap((node) => node.outputs));
  const leak = rest.flatMap((node) => node.inputs).find((input) => stageValues.has(input) && input !== cut.name);
  if (leak) throw new Error(`blazeface: ${leak} of the stride-2 stage is used after it`);

  const g = OnnxGraph.fromParts(graph.name, { nodes: [], inputs: parts.inputs, outputs: parts.outputs, initializers: parts.initializers });
  // New nodes get names of their own ('bands/…'): the copied nodes keep theirs, claimed only as they are added.
  let count = 0;
  const node = (op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}) => g.node(op, inputs, attributes, `bands/${op}_${count++}`);
  const image = parts.inputs[0]!.name;
  const height = node('Gather', [node('Shape', [image]), g.int64s('rows_axis', [1])]); // [1]: H
  const zero = g.int64s('zero', [0]), rowsAxis = g.int64s('axis', [1]), featureRowsAxis = g.int64s('axis', [2]);
  const quarter = g.int64s('four', [4]);
  const edges = [zero];
  for (let k = 1; k < bands; k++) {
    const step = node('Div', [node('Mul', [height, g.int64s('k', [k])]), g.int64s('bands32', [bands * BLAZEFACE_STRIDE_MULTIPLE])]);
    edges.push(node('Mul', [step, g.int64s('stride_multiple', [BLAZEFACE_STRIDE_MULTIPLE])]));
  }
  edges.push(height);
  const pieces: string[] = [];
  for (let k = 0; k < bands; k++) {
    const prefix = `band${k}/`;
    const start = k === 0 ? zero : node('Max', [node('Sub', [edges[k]!, g.int64s('halo_above', [BAND_HALO_ABOVE])]), zero]);
    const end = k === bands - 1 ? height : node('Min', [node('Add', [edges[k + 1]!, g.int64s('halo_below', [BAND_HALO_BELOW])]), height]);
    const renamed = new Map([[image, g.node('Slice', [image, start, end, rowsAxis], {}, `${prefix}${image}`)]]);
    for (const spec of stage) {
      const output = g.node(spec.op, spec.inputs.map((input) => renamed.get(input) ?? input), spec.attributes, `${prefix}${spec.outputs[0]!}`);
      renamed.set(spec.outputs[0]!, output);
    }
    const firstRow = node('Div', [node('Sub', [edges[k]!, start]), quarter]);
    const endRow = node('Div', [node('Sub', [edges[k + 1]!, start]), quarter]);
    pieces.push(node('Slice', [renamed.get(cut.name)!, firstRow, endRow, featureRowsAxis]));
  }
  g.node('Concat', pieces, { axis: 2 }, cut.name);
  for (const spec of rest) g.node(spec.op, spec.inputs, spec.attributes, spec.outputs[0]!);
  return g;
}

/** The graph and what the decoder and the benchmarks need to know of it. */
export function convertBlazefaceWithHeads(model = readTfjsGraph(catalogEntry('blazeface-back', 'proposals')), bands = BLAZEFACE_STRIDE2_BANDS): BlazefaceConversion {
  const g = new OnnxGraph('blazeface_back');
  const image = g.input('image', DataType.UINT8, [1, 'H', 'W', 3]);
  const asFloat = g.node('Cast', [image], { to: DataType.FLOAT });
  const nchw = g.node('Transpose', [asFloat], { perm: [0, 3, 1, 2] });
  // MediaPipe feeds [-1, 1]: x / 127.5 - 1.
  const normalised = g.node('Sub', [g.node('Div', [nchw, g.floats('c', [127.5], [])]), g.floats('c', [1], [])]);
  // The graph's outputs are Identity(Reshape(head conv)): Identity_2/_3 regressors, Identity/_1 classificators.
  const reshapes = model.outputs.map((name) => {
    const reshape = model.nodes.get(model.nodes.get(name)?.input?.[0] ?? '');
    if (reshape?.op !== 'Reshape' || !reshape.input?.[0] || !reshape.input[1]) throw new Error(`model ${model.modelId}: output ${name} is not a Reshape of a head`);
    return { name, reshape };
  });
  const walker = new GraphWalker(g, model, { name: normalised, channels: 3, height: NOMINAL_SIDE, width: NOMINAL_SIDE });
  const heads = reshapes.map(({ name, reshape }) => {
    const conv = walker.feature(reshape.input![0]!);
    const shape = Array.from(model.weights.get(reshape.input![1]!)?.data ?? []);
    const perAnchor = shape[2];
    if (perAnchor !== 1 && perAnchor !== 16) throw new Error(`model ${model.modelId}: head ${name} reshapes to [${shape.join(', ')}], expected [1, N, 1] or [1, N, 16]`);
    return { conv, kind: perAnchor === 1 ? 'classificators' as const : 'regressors' as const, stride: NOMINAL_SIDE / conv.height, anchorsPerCell: conv.channels / perAnchor };
  });
  const byStride = (kind: 'classificators' | 'regressors') => heads.filter((h) => h.kind === kind).sort((a, b) => a.stride - b.stride);
  const classificators = byStride('classificators'), regressors = byStride('regressors');
  if (classificators.length !== 2 || regressors.length !== 2 || classificators.some((c, i) => c.stride !== regressors[i]!.stride || c.anchorsPerCell !== regressors[i]!.anchorsPerCell)) {
    throw new Error(`model ${model.modelId}: expected a classifier and a regressor head at each of two strides, got ${heads.map((h) => `${h.kind}@${h.stride}`).join(', ')}`);
  }
  const flatten = (head: (typeof heads)[number], width: number) => {
    const nhwc = g.node('Transpose', [head.conv.name], { perm: [0, 2, 3, 1] }); // [1, h, w, anchors · width]: anchors vary fastest within a cell
    return g.node('Reshape', [nhwc, g.int64s('shape', [1, -1, width])]);
  };
  g.node('Concat', regressors.map((h) => flatten(h, 16)), { axis: 1 }, 'regressors');
  g.node('Concat', classificators.map((h) => flatten(h, 1)), { axis: 1 }, 'classificators');
  g.output('regressors', DataType.FLOAT, [1, 'N', 16]);
  g.output('classificators', DataType.FLOAT, [1, 'N', 1]);
  if (!walker.firstQuarter) throw new Error(`model ${model.modelId}: no stride-4 feature to end the banded stage at`);
  return {
    graph: bands > 1 ? bandStride2Stage(g, walker.firstQuarter, bands) : g,
    heads: classificators.map((h) => ({ stride: h.stride, anchorsPerCell: h.anchorsPerCell })),
    // The halos' repeated rows are not counted: the model's own multiply-adds.
    macsPerPixel: walker.macs / (NOMINAL_SIDE * NOMINAL_SIDE),
  };
}

export function convertBlazefaceBack(model?: TfjsGraph): OnnxGraph {
  return convertBlazefaceWithHeads(model).graph;
}
