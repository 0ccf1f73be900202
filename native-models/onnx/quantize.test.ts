/**
 * The int8 quantizer on a small residual graph built here (conv → per-channel scale → ReLU → conv → add →
 * ReLU → mean → matmul, the dlib ResNet's pattern): folding is exact, the QDQ structure is what
 * onnxruntime fuses (and it does fuse it into QLinearConv), the int8 output stays close to the float one,
 * and the cache keys an int8 graph apart from the float one. The onnxruntime parts are skipped where
 * onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createOnnxSession, loadOnnxRuntime, type OnnxRuntime } from '../../main/embed/onnxRuntime.ts';
import { Random } from '../../main/core/random.ts';
import { CalibrationTableError, RangeObserver, rangesOf, readCalibrationTable, type CalibrationTable } from './calibration.ts';
import { conversionKey } from './cache.ts';
import { DataType, OnnxGraph } from './onnxGraph.ts';
import {
  QuantizationError, foldConvAffine, planQuantization, quantizeGraph, quantizeWeightsPerChannel, tensorsToCalibrate, uint8Parameters, withExtraOutputs,
} from './quantize.ts';

const SIDE = 12;
const CHANNELS = 8;

function randomValues(random: Random, count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, () => random.gaussian() * scale);
}

/** input [N, 12, 12, 3] → [N, 5], with dlib's conv → scale → ReLU and residual add → ReLU. */
function residualGraph(): OnnxGraph {
  const random = new Random(7);
  const g = new OnnxGraph('residual_test');
  const input = g.input('input', DataType.FLOAT, ['N', SIDE, SIDE, 3]);
  const nchw = g.node('Transpose', [input], { perm: [0, 3, 1, 2] });
  const conv = (x: string, cin: number, label: string) => g.node('Conv', [x, g.floats(`${label}/W`, randomValues(random, CHANNELS * cin * 9, 0.3), [CHANNELS, cin, 3, 3]),
    g.floats(`${label}/B`, randomValues(random, CHANNELS, 0.1), [CHANNELS])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], group: 1 });
  const perChannel = (label: string, values: Float32Array) => g.floats(label, values, [CHANNELS, 1, 1]);
  const first = conv(nchw, 3, 'conv1');
  const scaled = g.node('Mul', [first, perChannel('scale', Float32Array.from({ length: CHANNELS }, (_, i) => 0.5 + i / CHANNELS))]);
  const shifted = g.node('Add', [scaled, perChannel('shift', randomValues(random, CHANNELS, 0.1))]);
  const relu1 = g.node('Relu', [shifted]);
  const second = conv(relu1, CHANNELS, 'conv2');
  const sum = g.node('Relu', [g.node('Add', [second, relu1])]);
  const pooled = g.node('ReduceMean', [sum], { axes: [2, 3], keepdims: 0 }); // [N, 8]
  const output = g.node('MatMul', [pooled, g.floats('fc', randomValues(random, CHANNELS * 5, 0.5), [CHANNELS, 5])], {}, 'output');
  g.output(output, DataType.FLOAT, ['N', 5]);
  return g;
}

function randomImages(seed: number, count: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count * SIDE * SIDE * 3 }, () => random.next() * 2 - 1);
}

let runtime: OnnxRuntime | Error;
const scratch = mkdtempSync(path.join(tmpdir(), 'facet-quantize-test-'));
before(async () => { runtime = await loadOnnxRuntime(); });
after(() => rmSync(scratch, { recursive: true, force: true }));
const skipWithoutRuntime = () => (runtime instanceof Error ? `onnxruntime-node unavailable: ${runtime.message}` : false);

async function run(graph: OnnxGraph, images: Float32Array, outputs: string[] = ['output'], optimizedModelFilePath?: string): Promise<Record<string, Float32Array>> {
  const ort = runtime as OnnxRuntime;
  const session = await createOnnxSession(ort, graph.encode({ name: 'test', version: '1' }), { threads: 1, optimizedModelFilePath });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', images, [images.length / (SIDE * SIDE * 3), SIDE, SIDE, 3]) });
    return Object.fromEntries(outputs.map((name) => [name, result[name]!.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** Ranges from running the folded graph over calibration images, as main/eval/int8Calibration.ts does. */
async function calibratedRanges(folded: OnnxGraph) {
  const tensors = tensorsToCalibrate(planQuantization(folded));
  const observed = await run(withExtraOutputs(folded, tensors), randomImages(1, 16), tensors);
  const observer = new RangeObserver();
  for (const name of tensors) observer.observe(name, observed[name]!);
  return rangesOf({ method: 'minmax', tensors: observer.ranges(0.999) });
}

const ops = (graph: OnnxGraph) => graph.parts().nodes.map((node) => node.op);
const count = (list: string[], op: string) => list.filter((o) => o === op).length;

test('uint8 parameters hold zero exactly; int8 weights are symmetric per output channel', () => {
  const { scale, zeroPoint } = uint8Parameters({ min: -1, max: 3 });
  assert.ok(Math.abs(scale - 4 / 255) < 1e-7);
  assert.equal(zeroPoint, 64);
  assert.equal(uint8Parameters({ min: 0.5, max: 2 }).zeroPoint, 0, 'a positive range is widened down to 0');
  assert.throws(() => uint8Parameters({ min: NaN, max: 1 }), QuantizationError);

  const weights = quantizeWeightsPerChannel(Float32Array.of(1, -0.6, 0.25, 0.08, -0.2, 0.05), [2, 3], 0); // [out 2, in 3]
  assert.ok(Math.abs(weights.scales[0]! - 1 / 127) < 1e-8 && Math.abs(weights.scales[1]! - 0.2 / 127) < 1e-8);
  assert.deepEqual([...weights.data], [127, -76, 32, 51, -127, 32]);
  const columns = quantizeWeightsPerChannel(Float32Array.of(1, 0.08, -0.6, -0.2), [2, 2], 1); // [in 2, out 2]
  assert.deepEqual([...columns.data], [127, 51, -76, -127]);
});

test('folding: the scale after the first conv disappears into its weights, the output does not change', { skip: skipWithoutRuntime() }, async () => {
  const graph = residualGraph();
  const folded = foldConvAffine(graph);
  assert.deepEqual(ops(folded), ['Transpose', 'Conv', 'Relu', 'Conv', 'Add', 'Relu', 'ReduceMean', 'MatMul']);
  const images = randomImages(3, 4);
  const [expected, actual] = [await run(graph, images), await run(folded, images)];
  for (let i = 0; i < expected.output!.length; i++) assert.ok(Math.abs(expected.output![i]! - actual.output![i]!) < 1e-4, `output ${i}`);
});

test('QDQ structure: int8 weights per channel, int32 biases, ReLUs dropped into uint8 ranges, one Q/DQ pair per tensor', () => {
  const folded = foldConvAffine(residualGraph());
  const plan = planQuantization(folded);
  // The conv input, both conv results (after their ReLU / the residual), the residual sum and the matmul input.
  assert.equal(plan.droppedActivations.size, 2);
  const ranges = Object.fromEntries(tensorsToCalibrate(plan).map((name) => [name, { min: -1, max: 2 }]));
  const quantized = quantizeGraph(folded, ranges);
  const { nodes, initializers } = quantized.parts();
  const list = nodes.map((node) => node.op);
  assert.equal(count(list, 'Relu'), 0, 'ReLUs are dropped: a uint8 with zero point 0 is their floor');
  assert.equal(count(list, 'QuantizeLinear'), plan.tensors.length);
  assert.equal(count(list, 'DequantizeLinear'), plan.tensors.length + 3 /* weights */ + 2 /* conv biases */);
  const byName = new Map(initializers.map((init) => [init.name, init]));
  for (const node of nodes.filter((n) => n.op === 'Conv' || n.op === 'MatMul')) {
    for (const input of node.inputs) {
      const producer = nodes.find((n) => n.outputs.includes(input));
      assert.equal(producer?.op, 'DequantizeLinear', `${node.op} input ${input} comes from a DequantizeLinear`);
    }
    const weightDq = nodes.find((n) => n.outputs.includes(node.inputs[1]!))!;
    assert.equal(byName.get(weightDq.inputs[0]!)?.type, DataType.INT8, 'weights are int8');
    assert.equal(weightDq.attributes.axis, node.op === 'Conv' ? 0 : 1, 'one scale per output channel');
    assert.equal(byName.get(weightDq.inputs[1]!)?.dims[0], node.op === 'Conv' ? CHANNELS : 5);
    if (node.op === 'Conv') assert.equal(byName.get(nodes.find((n) => n.outputs.includes(node.inputs[2]!))!.inputs[0]!)?.type, DataType.INT32, 'conv bias is int32');
  }
  const activationZeroPoints = nodes.filter((n) => n.op === 'QuantizeLinear').map((n) => byName.get(n.inputs[2]!)!);
  assert.ok(activationZeroPoints.every((zp) => zp.type === DataType.UINT8), 'activations are uint8');
  // Every Conv and the residual Add sit between DequantizeLinear inputs and a QuantizeLinear output: what onnxruntime fuses.
  for (const node of nodes.filter((n) => n.op === 'Conv' || n.op === 'Add')) {
    const consumers = nodes.filter((n) => n.inputs.includes(node.outputs[0]!));
    assert.deepEqual(consumers.map((n) => n.op), ['QuantizeLinear'], `${node.op} output goes only to its QuantizeLinear`);
  }
  const missing = tensorsToCalibrate(plan)[1]!;
  const partial = { ...ranges };
  delete partial[missing];
  assert.throws(() => quantizeGraph(folded, partial), (error: unknown) => error instanceof QuantizationError && error.tensor === missing && error.message.includes(missing));
});

test('a conv whose result only float ops read (a detection head) stays float, weights and all', () => {
  const random = new Random(3);
  const g = new OnnxGraph('head_test');
  const input = g.input('input', DataType.FLOAT, ['N', SIDE, SIDE, 3]);
  const nchw = g.node('Transpose', [input], { perm: [0, 3, 1, 2] });
  const conv = (x: string, cin: number, label: string) => g.node('Conv', [x, g.floats(`${label}/W`, randomValues(random, CHANNELS * cin, 0.3), [CHANNELS, cin, 1, 1])], { kernel_shape: [1, 1] });
  const body = g.node('Relu', [conv(nchw, 3, 'body')]);
  const head = g.node('Transpose', [conv(body, CHANNELS, 'head')], { perm: [0, 2, 3, 1] }, 'output');
  g.output(head, DataType.FLOAT, ['N', SIDE, SIDE, CHANNELS]);
  const plan = planQuantization(g);
  assert.equal(plan.floatConvs.size, 1);
  const quantized = quantizeGraph(g, Object.fromEntries(tensorsToCalibrate(plan).map((name) => [name, { min: 0, max: 1 }])));
  const { nodes } = quantized.parts();
  const [bodyConv, headConv] = nodes.filter((n) => n.op === 'Conv');
  const producerOf = (tensor: string) => nodes.find((n) => n.outputs.includes(tensor))?.op;
  assert.equal(producerOf(bodyConv!.inputs[1]!), 'DequantizeLinear', 'the body conv has int8 weights');
  assert.equal(producerOf(headConv!.inputs[1]!), undefined, 'the head keeps its float weights (an initializer)');
  assert.equal(nodes.filter((n) => n.inputs.includes(headConv!.outputs[0]!)).map((n) => n.op).join(), 'Transpose', 'and its float output');
});

test('int8 output stays close to fp32, and onnxruntime fuses the QDQ groups into QLinearConv', { skip: skipWithoutRuntime() }, async () => {
  const graph = residualGraph();
  const folded = foldConvAffine(graph);
  const quantized = quantizeGraph(folded, await calibratedRanges(folded));
  const images = randomImages(5, 8);
  const optimized = path.join(scratch, 'optimized.onnx');
  const [expected, actual] = [await run(graph, images), await run(quantized, images, ['output'], optimized)];
  let error = 0, magnitude = 0;
  for (let i = 0; i < expected.output!.length; i++) {
    error += (expected.output![i]! - actual.output![i]!) ** 2;
    magnitude += expected.output![i]! ** 2;
  }
  const relative = Math.sqrt(error / magnitude);
  assert.ok(relative < 0.05, `relative RMS error ${relative.toFixed(4)}`);
  assert.ok(relative > 0, 'the int8 graph really computes in int8');
  const text = readFileSync(optimized).toString('latin1');
  assert.match(text, /QLinearConv/, 'onnxruntime fused DequantizeLinear → Conv → QuantizeLinear');
  assert.match(text, /QLinearAdd/, 'and the residual add');
});

test('cache key: int8 differs from fp32, and a calibration table made for another float graph is refused by name', () => {
  const fp32 = conversionKey('dlib-resnet', 'fp32');
  assert.equal(fp32, conversionKey('dlib-resnet'), 'fp32 is the default');
  const int8 = conversionKey('dlib-resnet', 'int8');
  assert.notEqual(int8, fp32);
  assert.notEqual(conversionKey('ssd-mobilenetv1', 'int8'), conversionKey('ssd-mobilenetv1', 'fp32'));

  const table: CalibrationTable = {
    format: 1, model: 'dlib-resnet', graphKey: 'another-graph', quantizer: 1, set: 'test', count: 1, method: 'minmax', percentile: 0.9999, tensors: {},
  };
  const file = path.join(scratch, 'dlib-resnet.json');
  writeFileSync(file, JSON.stringify(table));
  assert.throws(() => readCalibrationTable('dlib-resnet', fp32, file), (error: unknown) => error instanceof CalibrationTableError && error.file === file && /calibrate again/.test(error.message));
  assert.throws(() => readCalibrationTable('dlib-resnet', fp32, path.join(scratch, 'none.json')), CalibrationTableError);
});
