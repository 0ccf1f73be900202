/**
 * Builds an ONNX ModelProto (one graph, default domain) and serialises it with our protobuf writer.
 * Field numbers are onnx.proto's (github.com/onnx/onnx/blob/main/onnx/onnx.proto); only the fields
 * a plain inference graph needs are written.
 */
import { ProtoWriter } from './protobuf.ts';

/** ONNX opset the converters target; every op used exists unchanged in 13 (Clip/Pad take tensors, Resize 13). */
export const ONNX_OPSET = 13;
/** IR version 7 goes with opset 13. */
const IR_VERSION = 7;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** An attribute value: integer → INT, integer[] → INTS, string → STRING, { float } → FLOAT, { floats } → FLOATS. */
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export interface ValueSpec {
  name: string;
  type: DataTypeCode;
  /** Fixed sizes, or a name for a dynamic dimension ('N'); undefined leaves the shape unknown (calibration outputs). */
  dims: Array<number | string> | undefined;
}

export interface InitializerSpec {
  name: string;
  type: DataTypeCode;
  dims: number[];
  raw: Uint8Array;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // raw_data is little-endian; typed arrays are in the host's order.
  throw new Error('ONNX conversion needs a little-endian host');
}

export interface GraphParts {
  nodes: NodeSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers: InitializerSpec[];
}

export class OnnxGraph {
  private readonly nodes: NodeSpec[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly initializers: InitializerSpec[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /**
   * A graph from its parts, as they are: for passes that rewrite a graph (quantize.ts). Names must be
   * unique across inputs, initializers and node outputs.
   */
  static fromParts(name: string, parts: GraphParts): OnnxGraph {
    const g = new OnnxGraph(name);
    for (const value of parts.inputs) g.claim(value.name);
    for (const init of parts.initializers) g.claim(init.name);
    for (const node of parts.nodes) for (const output of node.outputs) if (output !== '') g.claim(output);
    g.inputs.push(...parts.inputs);
    g.outputs.push(...parts.outputs);
    g.initializers.push(...parts.initializers);
    g.nodes.push(...parts.nodes);
    return g;
  }

  /** Copies of the lists that make up the graph (the specs themselves are shared: treat them as read-only). */
  parts(): GraphParts {
    return { nodes: [...this.nodes], inputs: [...this.inputs], outputs: [...this.outputs], initializers: [...this.initializers] };
  }

  input(name: string, type: DataTypeCode, dims: Array<number | string>): string {
    this.claim(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` (a node output) a graph output. */
  output(value: string, type: DataTypeCode, dims: Array<number | string> | undefined): void {
    this.outputs.push({ name: value, type, dims });
  }

  /** A constant float tensor; returns its name. */
  floats(hint: string, data: Float32Array | number[], dims: number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.constant(hint, DataType.FLOAT, dims, values, values.length);
  }

  /** A constant int64 tensor (shapes, pads, axes); returns its name. */
  int64s(hint: string, data: number[], dims: number[] = [data.length]): string {
    return this.constant(hint, DataType.INT64, dims, BigInt64Array.from(data.map(BigInt)), data.length);
  }

  /** Adds a node; returns its output names (`count` of them). */
  nodeN(op: string, inputs: string[], count: number, attributes: Record<string, AttributeValue> = {}): string[] {
    const outputs = Array.from({ length: count }, (_, i) => this.fresh(`${op}${count > 1 ? `_${i}` : ''}`));
    this.nodes.push({ op, inputs, outputs, attributes });
    return outputs;
  }

  /** Adds a single-output node; returns its output name (`outputName` when given, e.g. for a graph output). */
  node(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    if (outputName === undefined) return this.nodeN(op, inputs, 1, attributes)[0]!;
    this.claim(outputName);
    this.nodes.push({ op, inputs, outputs: [outputName], attributes });
    return outputName;
  }

  /** Serialises the ModelProto. */
  encode(producer: { name: string; version: string }, metadata: Record<string, string> = {}): Uint8Array {
    const graph = new ProtoWriter();
    for (const node of this.nodes) graph.message(1, encodeNode(node));
    graph.string(2, this.name);
    for (const init of this.initializers) graph.message(5, encodeTensor(init));
    for (const value of this.inputs) graph.message(11, encodeValueInfo(value));
    for (const value of this.outputs) graph.message(12, encodeValueInfo(value));

    const model = new ProtoWriter();
    model.int(1, IR_VERSION);
    model.string(2, producer.name);
    model.string(3, producer.version);
    model.message(7, graph);
    model.message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
    for (const [key, value] of Object.entries(metadata)) model.message(14, new ProtoWriter().string(1, key).string(2, value));
    return model.finish();
  }

  private constant(hint: string, type: DataTypeCode, dims: number[], data: Float32Array | BigInt64Array, count: number): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== count) throw new Error(`ONNX initializer ${hint}: ${count} values for dims [${dims.join(', ')}]`);
    const name = this.fresh(hint);
    this.initializers.push({ name, type, dims, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  private fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw new Error(`ONNX graph ${this.name}: name ${name} used twice`);
    this.used.add(name);
  }
}

function encodeNode(node: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.outputs[0]!);
  w.string(4, node.op);
  for (const [name, value] of Object.entries(node.attributes)) w.message(5, encodeAttribute(name, value));
  return w;
}

function encodeAttribute(name: string, value: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') return w.int(20, ATTRIBUTE_TYPE.INT).int(3, value);
  if (typeof value === 'string') return w.int(20, ATTRIBUTE_TYPE.STRING).string(4, value);
  if (Array.isArray(value)) {
    w.int(20, ATTRIBUTE_TYPE.INTS);
    for (const v of value) w.int(8, v);
    return w;
  }
  if ('float' in value) return w.int(20, ATTRIBUTE_TYPE.FLOAT).float(2, value.float);
  w.int(20, ATTRIBUTE_TYPE.FLOATS);
  for (const v of value.floats) w.float(7, v);
  return w;
}

function encodeTensor(init: InitializerSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const dim of init.dims) w.int(1, dim);
  w.int(2, init.type);
  w.string(8, init.name);
  w.bytes(9, init.raw);
  return w;
}

function encodeValueInfo(value: ValueSpec): ProtoWriter {
  const tensorType = new ProtoWriter().int(1, value.type);
  if (value.dims) {
    const shape = new ProtoWriter();
    for (const dim of value.dims) {
      shape.message(1, typeof dim === 'number' ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim));
    }
    tensorType.message(2, shape);
  }
  return new ProtoWriter().string(1, value.name).message(2, new ProtoWriter().message(1, tensorType));
}
