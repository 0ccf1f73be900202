/**
 * Graph rewrites the quantizer builds on (quantize.ts): an index of a graph's tensors, and the folding
 * of per-channel Mul/Add and BatchNormalization that directly follow a Conv into its weights and bias
 * (dlib's affine "scale" layer, SSD's depthwise batch norm). Folding is exact in float; it lets each
 * Conv feed its activation or the next op directly, which is what onnxruntime's int8 fusions need.
 */
import { DataType, OnnxGraph, type GraphParts, type InitializerSpec, type NodeSpec } from './onnxGraph.ts';

/** Producers, consumers and constants of a graph's tensors. */
export class GraphIndex {
  readonly producer = new Map<string, NodeSpec>();
  readonly consumers = new Map<string, NodeSpec[]>();
  readonly initializers = new Map<string, InitializerSpec>();
  readonly graphOutputs: Set<string>;

  constructor(readonly parts: GraphParts) {
    for (const init of parts.initializers) this.initializers.set(init.name, init);
    for (const node of parts.nodes) {
      for (const output of node.outputs) this.producer.set(output, node);
      for (const input of node.inputs) {
        if (input === '') continue;
        const list = this.consumers.get(input) ?? [];
        list.push(node);
        this.consumers.set(input, list);
      }
    }
    this.graphOutputs = new Set(parts.outputs.map((output) => output.name));
  }

  soleConsumer(tensor: string): NodeSpec | undefined {
    const list = this.consumers.get(tensor) ?? [];
    return list.length === 1 && !this.graphOutputs.has(tensor) ? list[0] : undefined;
  }

  floats(name: string): Float32Array | undefined {
    const init = this.initializers.get(name);
    if (!init || init.type !== DataType.FLOAT) return undefined;
    return new Float32Array(init.raw.slice().buffer);
  }
}

export function floatInitializer(name: string, values: Float32Array, dims: number[]): InitializerSpec {
  return { name, type: DataType.FLOAT, dims, raw: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** A name not yet used in the graph. */
export function freshName(used: Set<string>, hint: string): string {
  let name = hint;
  for (let i = 1; used.has(name); i++) name = `${hint}_${i}`;
  used.add(name);
  return name;
}

export function usedNames(parts: GraphParts): Set<string> {
  return new Set([...parts.inputs.map((v) => v.name), ...parts.initializers.map((i) => i.name), ...parts.nodes.flatMap((n) => n.outputs)]);
}

/** Initializers no node reads any more are left out. */
export function pruned(parts: GraphParts): GraphParts {
  const read = new Set(parts.nodes.flatMap((node) => node.inputs));
  return { ...parts, initializers: parts.initializers.filter((init) => read.has(init.name)) };
}

/** The per-channel values of a constant shaped [C], [C, 1, 1] or [1, C, 1, 1], or undefined. */
function perChannelValues(index: GraphIndex, name: string, channels: number): Float32Array | undefined {
  const init = index.initializers.get(name);
  if (!init || init.dims.reduce((a, b) => a * b, 1) !== channels) return undefined;
  if (init.dims.filter((d) => d !== 1).length > 1) return undefined;
  const shapeOk = init.dims.length === 1 || (init.dims.length === 3 && init.dims[0] === channels) || (init.dims.length === 4 && init.dims[1] === channels);
  return shapeOk ? index.floats(name) : undefined;
}

/**
 * Folds per-channel Mul and Add, and BatchNormalization, that directly follow a Conv into the Conv's
 * weights and bias. Exact in float (up to rounding); the folded node keeps the last folded op's output name.
 */
export function foldConvAffine(graph: OnnxGraph): OnnxGraph {
  const parts = graph.parts();
  const index = new GraphIndex(parts);
  const used = usedNames(parts);
  const removed = new Set<NodeSpec>();
  const replaced = new Map<NodeSpec, NodeSpec>();
  const added: InitializerSpec[] = [];

  for (const conv of parts.nodes) {
    if (conv.op !== 'Conv') continue;
    const weightInit = index.initializers.get(conv.inputs[1]!);
    const weights = index.floats(conv.inputs[1]!);
    if (!weightInit || !weights) continue;
    const channels = weightInit.dims[0]!;
    const perOutput = weights.length / channels;
    const bias = (conv.inputs[2] ? index.floats(conv.inputs[2]) : undefined) ?? new Float32Array(channels);
    let output = conv.outputs[0]!;
    let folded = 0;
    for (let next = index.soleConsumer(output); next; next = index.soleConsumer(output)) {
      const other = next.inputs.find((input) => input !== output) ?? '';
      if ((next.op === 'Mul' || next.op === 'Add') && next.inputs.length === 2) {
        const values = perChannelValues(index, other, channels);
        if (!values) break;
        for (let c = 0; c < channels; c++) {
          if (next.op === 'Mul') {
            for (let k = 0; k < perOutput; k++) weights[c * perOutput + k]! *= values[c]!;
            bias[c]! *= values[c]!;
          } else {
            bias[c]! += values[c]!;
          }
        }
      } else if (next.op === 'BatchNormalization' && next.inputs[0] === output) {
        const [gamma, beta, mean, variance] = next.inputs.slice(1).map((name) => perChannelValues(index, name, channels));
        if (!gamma || !beta || !mean || !variance) break;
        const epsilon = typeof next.attributes.epsilon === 'object' && 'float' in next.attributes.epsilon ? next.attributes.epsilon.float : 1e-5;
        for (let c = 0; c < channels; c++) {
          // Math.fround: the same float32 arithmetic onnxruntime does for the unfolded graph.
          const scale = Math.fround(gamma[c]! / Math.fround(Math.sqrt(Math.fround(variance[c]! + epsilon))));
          for (let k = 0; k < perOutput; k++) weights[c * perOutput + k]! *= scale;
          bias[c] = (bias[c]! - mean[c]!) * scale + beta[c]!;
        }
      } else {
        break;
      }
      removed.add(next);
      output = next.outputs[0]!;
      folded++;
    }
    if (folded === 0) continue;
    const weightName = freshName(used, `${conv.inputs[1]}/folded`);
    const biasName = freshName(used, `${conv.inputs[1]}/folded_bias`);
    added.push(floatInitializer(weightName, weights, weightInit.dims), floatInitializer(biasName, bias, [channels]));
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0]!, weightName, biasName], outputs: [output] });
  }
  const nodes = parts.nodes.filter((node) => !removed.has(node)).map((node) => replaced.get(node) ?? node);
  return OnnxGraph.fromParts(graph.name, pruned({ ...parts, nodes, initializers: [...parts.initializers, ...added] }));
}
