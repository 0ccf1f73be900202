/**
 * Static int8 quantization of the graphs our converters write, in onnxruntime's QDQ form: every
 * quantized tensor passes through QuantizeLinear → DequantizeLinear, and onnxruntime's CPU optimizer
 * (graphOptimizationLevel 'all') fuses DQ → Conv → Q into QLinearConv, DQ → Add → Q into QLinearAdd,
 * DQ → MatMul into MatMulIntegerToFloat and drops the pairs around MaxPool.
 *
 *  - weights of Conv, Gemm and MatMul: int8, symmetric, one scale per output channel;
 *  - biases: int32 at scale (input scale × weight scale), as QLinearConv wants them;
 *  - activations entering those ops, and what they produce where an integer op reads it: uint8,
 *    asymmetric, scales from calibration (a range per tensor, see calibration.ts), with 0 always
 *    exactly representable (zero padding). A Conv whose result only float ops read stays float.
 *
 * Two rewrites come first: per-channel Mul/Add and BatchNormalization right after a Conv are folded
 * into its weights and bias (foldConv.ts, exact in float), so the Conv's output feeds the next op
 * directly; and a Relu or Clip(0, hi) after a quantized Conv or Add is dropped, its output's range
 * standing in for it (a uint8 with zero point 0 cannot go below 0, and the range's top is at most hi),
 * which is what lets the Conv and its activation fuse into one integer op.
 */
import { floatInitializer, freshName, GraphIndex, pruned, usedNames } from './foldConv.ts';
import { DataType, OnnxGraph, type NodeSpec } from './onnxGraph.ts';

export { foldConvAffine } from './foldConv.ts';

/** Bump when the quantized graphs change for the same weights and calibration table. */
export const QUANTIZER_VERSION = 2;

export type Precision = 'fp32' | 'int8';
export const PRECISIONS: readonly Precision[] = ['fp32', 'int8'];

export function isPrecision(value: unknown): value is Precision {
  return value === 'fp32' || value === 'int8';
}

/** The models with an int8 form (a calibration table ships for each); the landmark net and BlazeFace stay float. */
export const INT8_MODEL_IDS: readonly string[] = ['dlib-resnet', 'ssd-mobilenetv1'];

/** The range a tensor is quantized over, in its float units. */
export interface TensorRange {
  min: number;
  max: number;
}

/** Ops whose weights become int8 and whose float input is quantized. */
const WEIGHTED_OPS = new Set(['Conv', 'Gemm', 'MatMul']);
/** Ops between quantized tensors that keep their input's scale: onnxruntime runs them on uint8 as they are. */
const PASS_THROUGH_OPS = new Set(['MaxPool', 'AveragePool', 'Pad']);

export class QuantizationError extends Error {
  override readonly name = 'QuantizationError';
  constructor(message: string, readonly tensor?: string) {
    super(message);
  }
}

/** What quantizeGraph will do to a (folded) graph: which tensors it quantizes and how. */
export interface QuantizationPlan {
  /** Activation tensors carried as uint8, by their names in the graph given (a Relu's output where it is dropped). */
  tensors: string[];
  /** Tensors that take another's scale and zero point instead of a calibrated range (outputs of MaxPool, AveragePool, Pad). */
  inherits: Map<string, string>;
  /** Relu/Clip nodes dropped into the range of their input's producer, by the tensor they read. */
  droppedActivations: Map<string, NodeSpec>;
  /**
   * Convs left in float, by output name: no integer op reads their result, and onnxruntime has no int8
   * conv with a float output, so int8 would only add rounding (SSD's box and class heads: on the
   * development photos, quantizing them lost a small face that the float heads keep).
   */
  floatConvs: Set<string>;
}

/** Relu, or Clip with a constant lower bound of 0 (ReLU6). */
function isZeroFloorActivation(node: NodeSpec, index: GraphIndex): boolean {
  if (node.op === 'Relu') return true;
  if (node.op !== 'Clip') return false;
  const low = node.inputs[1] ? index.floats(node.inputs[1]) : undefined;
  return low?.length === 1 && low[0] === 0;
}

/** The tensors to quantize (see the file's comment); calibration needs ranges for those not inherited. */
export function planQuantization(graph: OnnxGraph): QuantizationPlan {
  const parts = graph.parts();
  const index = new GraphIndex(parts);
  const tensors = new Set<string>();
  const inherits = new Map<string, string>();
  const droppedActivations = new Map<string, NodeSpec>();
  const floatConvs = new Set<string>();
  const isActivation = (name: string) => name !== '' && !index.initializers.has(name);

  /** The Relu/Clip after an op that its output's uint8 range can stand in for. */
  const droppableActivation = (node: NodeSpec): NodeSpec | undefined => {
    const next = index.soleConsumer(node.outputs[0]!);
    return next && isZeroFloorActivation(next, index) ? next : undefined;
  };
  /** The tensor an op's result is quantized as: its Relu/Clip's output where that can be dropped. */
  const quantizedOutput = (node: NodeSpec): string | undefined => {
    const activation = droppableActivation(node);
    if (activation) droppedActivations.set(node.outputs[0]!, activation);
    const output = activation?.outputs[0] ?? node.outputs[0]!;
    return index.graphOutputs.has(output) ? undefined : output;
  };
  /** Whether an integer op would read a tensor: a Conv/Gemm/MatMul, an Add of two activations, or a pass-through op on the way to one. */
  const readByIntegerOp = (name: string): boolean => (index.consumers.get(name) ?? []).some((consumer) =>
    (WEIGHTED_OPS.has(consumer.op) && consumer.inputs[0] === name && index.initializers.has(consumer.inputs[1]!))
    || (consumer.op === 'Add' && consumer.inputs.every(isActivation))
    || (PASS_THROUGH_OPS.has(consumer.op) && readByIntegerOp(consumer.outputs[0]!)));
  /** Quantized already, or reached from a quantized tensor through ops that keep its scale. */
  const reachesQuantized = (name: string): boolean => {
    if (tensors.has(name)) return true;
    const producer = index.producer.get(name);
    return producer !== undefined && PASS_THROUGH_OPS.has(producer.op) && reachesQuantized(producer.inputs[0]!);
  };
  const quantizeThroughPassThrough = (name: string): void => {
    if (tensors.has(name)) return;
    const producer = index.producer.get(name)!;
    quantizeThroughPassThrough(producer.inputs[0]!);
    tensors.add(name);
    inherits.set(name, producer.inputs[0]!);
  };

  // Nodes are in topological order, so a tensor's producer has been seen before its consumers.
  for (const node of parts.nodes) {
    if (WEIGHTED_OPS.has(node.op) && index.initializers.has(node.inputs[1]!)) {
      if (node.op === 'Conv' && !readByIntegerOp(droppableActivation(node)?.outputs[0] ?? node.outputs[0]!)) {
        floatConvs.add(node.outputs[0]!);
        continue;
      }
      const input = node.inputs[0]!;
      if (isActivation(input) && !reachesQuantized(input)) tensors.add(input);
      else if (isActivation(input)) quantizeThroughPassThrough(input);
      if (node.op === 'Conv') {
        const output = quantizedOutput(node);
        if (output) tensors.add(output);
      }
    } else if (node.op === 'Add' && node.inputs.every(isActivation) && node.inputs.every(reachesQuantized)) {
      // A residual connection: both branches are quantized already, so the sum can be an integer op too.
      for (const input of node.inputs) quantizeThroughPassThrough(input);
      const output = quantizedOutput(node);
      if (output) tensors.add(output);
    }
  }
  // A dropped activation whose producer's result is not quantized after all must stay.
  for (const [input, activation] of droppedActivations) if (!tensors.has(activation.outputs[0]!)) droppedActivations.delete(input);
  return { tensors: [...tensors], inherits, droppedActivations, floatConvs };
}

/** The tensors whose range calibration must measure. */
export function tensorsToCalibrate(plan: QuantizationPlan): string[] {
  return plan.tensors.filter((name) => !plan.inherits.has(name));
}

/** The graph with extra float outputs (shape left unknown), for running calibration inputs through it. */
export function withExtraOutputs(graph: OnnxGraph, tensors: readonly string[]): OnnxGraph {
  const parts = graph.parts();
  const present = new Set(parts.outputs.map((output) => output.name));
  const extra = tensors.filter((name) => !present.has(name)).map((name) => ({ name, type: DataType.FLOAT, dims: undefined }));
  return OnnxGraph.fromParts(graph.name, { ...parts, outputs: [...parts.outputs, ...extra] });
}

/** uint8 asymmetric parameters for a range; the range is widened to hold 0, so zero is exact. */
export function uint8Parameters(range: TensorRange): { scale: number; zeroPoint: number } {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new QuantizationError(`range [${range.min}, ${range.max}] is not a finite interval`);
  }
  const low = Math.min(0, range.min), high = Math.max(0, range.max);
  const scale = Math.fround(high > low ? (high - low) / 255 : 1);
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-low / scale))) };
}

/** int8 symmetric weights, one scale per slice of `axis` (the output channel). */
export function quantizeWeightsPerChannel(values: Float32Array, dims: number[], axis: number): { data: Int8Array; scales: Float32Array } {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const largest = new Float32Array(channels);
  values.forEach((v, i) => { largest[channelOf(i)] = Math.max(largest[channelOf(i)]!, Math.abs(v)); });
  const scales = Float32Array.from(largest, (m) => (m > 0 ? m / 127 : 1));
  const data = Int8Array.from(values, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[channelOf(i)]!))));
  return { data, scales };
}

/**
 * The QDQ form of a (folded) graph, given a range for every tensor the plan calibrates. Throws a
 * QuantizationError naming the tensor when a range is missing.
 */
export function quantizeGraph(graph: OnnxGraph, ranges: Readonly<Record<string, TensorRange>>): OnnxGraph {
  const plan = planQuantization(graph);
  const parts = graph.parts();
  const index = new GraphIndex(parts);
  const used = usedNames(parts);
  const initializers = [...parts.initializers];
  const quantized = new Set(plan.tensors);

  // Scale and zero point initializers per tensor; inherited ones share their source's.
  const parameters = new Map<string, { scale: string; zeroPoint: string; value: { scale: number; zeroPoint: number } }>();
  const parametersOf = (tensor: string): { scale: string; zeroPoint: string; value: { scale: number; zeroPoint: number } } => {
    const known = parameters.get(tensor);
    if (known) return known;
    const source = plan.inherits.get(tensor);
    if (source !== undefined) {
      const inherited = parametersOf(source);
      parameters.set(tensor, inherited);
      return inherited;
    }
    const range = ranges[tensor];
    if (!range) throw new QuantizationError(`no calibrated range for tensor "${tensor}" of graph ${graph.name}`, tensor);
    const value = uint8Parameters(range);
    const scale = freshName(used, `${tensor}/scale`);
    const zeroPoint = freshName(used, `${tensor}/zero_point`);
    initializers.push(floatInitializer(scale, Float32Array.of(value.scale), []));
    initializers.push({ name: zeroPoint, type: DataType.UINT8, dims: [], raw: Uint8Array.of(value.zeroPoint) });
    const made = { scale, zeroPoint, value };
    parameters.set(tensor, made);
    return made;
  };

  const nodes: NodeSpec[] = [];
  const dequantized = (tensor: string) => (quantized.has(tensor) ? `${tensor}/dq` : tensor);
  const emitQdq = (tensor: string) => {
    const p = parametersOf(tensor);
    nodes.push({ op: 'QuantizeLinear', inputs: [tensor, p.scale, p.zeroPoint], outputs: [claim(`${tensor}/q`)], attributes: {} });
    nodes.push({ op: 'DequantizeLinear', inputs: [`${tensor}/q`, p.scale, p.zeroPoint], outputs: [claim(`${tensor}/dq`)], attributes: {} });
  };
  const claim = (name: string) => {
    if (used.has(name)) throw new QuantizationError(`graph ${graph.name} already has a tensor named ${name}`, name);
    used.add(name);
    return name;
  };

  for (const input of parts.inputs) if (quantized.has(input.name)) emitQdq(input.name);
  const dropped = new Set(plan.droppedActivations.values());
  for (const original of parts.nodes) {
    if (dropped.has(original)) continue;
    let node = original;
    const activation = plan.droppedActivations.get(node.outputs[0]!);
    if (activation) node = { ...node, outputs: [activation.outputs[0]!] }; // the Relu's range does its work
    if (WEIGHTED_OPS.has(node.op) && quantized.has(node.inputs[0]!) && index.initializers.has(node.inputs[1]!) && !plan.floatConvs.has(original.outputs[0]!)) {
      node = quantizeWeights(node, parametersOf(node.inputs[0]!).value.scale);
    }
    nodes.push({ ...node, inputs: node.inputs.map(dequantized) });
    for (const output of node.outputs) if (quantized.has(output)) emitQdq(output);
  }

  /** int8 weights (and int32 bias) behind DequantizeLinear nodes, placed just before the op. */
  function quantizeWeights(node: NodeSpec, inputScale: number): NodeSpec {
    const weight = index.initializers.get(node.inputs[1]!)!;
    const values = index.floats(weight.name);
    if (!values) throw new QuantizationError(`weights ${weight.name} of ${node.op} are not float32`, weight.name);
    const transposed = node.op === 'Gemm' && node.attributes.transB === 1;
    // The output channel: Conv [out, in, kh, kw] axis 0; MatMul/Gemm [in, out] axis 1, Gemm with transB [out, in] axis 0.
    const axis = node.op === 'Conv' || transposed ? 0 : 1;
    if (node.op !== 'Conv' && weight.dims.length !== 2) throw new QuantizationError(`${node.op} weights ${weight.name} must be 2-D to quantize, got [${weight.dims.join(', ')}]`, weight.name);
    const { data, scales } = quantizeWeightsPerChannel(values, weight.dims, axis);
    const channels = weight.dims[axis]!;
    const weightName = freshName(used, `${weight.name}/int8`);
    const scaleName = freshName(used, `${weight.name}/scale`);
    const zeroName = freshName(used, `${weight.name}/zero_point`);
    initializers.push({ name: weightName, type: DataType.INT8, dims: weight.dims, raw: new Uint8Array(data.buffer) });
    initializers.push(floatInitializer(scaleName, scales, [channels]));
    initializers.push({ name: zeroName, type: DataType.INT8, dims: [channels], raw: new Uint8Array(channels) });
    const weightDq = freshName(used, `${weight.name}/dq`);
    nodes.push({ op: 'DequantizeLinear', inputs: [weightName, scaleName, zeroName], outputs: [weightDq], attributes: { axis } });
    const inputs = [node.inputs[0]!, weightDq];
    const biasName = node.inputs[2];
    const biasValues = biasName ? index.floats(biasName) : undefined;
    if (biasName && biasValues?.length === channels) {
      // int32 at the product of the scales, zero point 0: what QLinearConv adds to its accumulator.
      const biasScales = Float32Array.from(scales, (s) => s * inputScale);
      const bias = Int32Array.from(biasValues, (b, c) => Math.max(-2147483647, Math.min(2147483647, Math.round(b / biasScales[c]!))));
      const int32Name = freshName(used, `${biasName}/int32`);
      const biasScaleName = freshName(used, `${biasName}/scale`);
      const biasZeroName = freshName(used, `${biasName}/zero_point`);
      initializers.push({ name: int32Name, type: DataType.INT32, dims: [channels], raw: new Uint8Array(bias.buffer) });
      initializers.push(floatInitializer(biasScaleName, biasScales, [channels]));
      initializers.push({ name: biasZeroName, type: DataType.INT32, dims: [channels], raw: new Uint8Array(channels * 4) });
      const biasDq = freshName(used, `${biasName}/dq`);
      nodes.push({ op: 'DequantizeLinear', inputs: [int32Name, biasScaleName, biasZeroName], outputs: [biasDq], attributes: { axis: 0 } });
      inputs.push(biasDq);
    } else if (biasName) {
      inputs.push(biasName); // a Gemm's broadcast C stays float
    }
    return { ...node, inputs };
  }

  return OnnxGraph.fromParts(graph.name, pruned({ ...parts, nodes, initializers }));
}
