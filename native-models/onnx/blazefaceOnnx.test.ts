/**
 * The BlazeFace back-camera converter against the tfjs graph model it translates, on face-api's demo
 * photos: at the graph's own 256x256 its four outputs (concatenated), and at a non-square whole-photo
 * size (the placeholder's declared shape relaxed, the head convolutions read before the fixed reshapes)
 * the same raw head outputs. Skipped where onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import { initBackend } from '../../main/embed/backend.ts';
import { createOnnxSession, loadOnnxRuntime, openOnnxModel, type OnnxRuntime } from '../../main/embed/onnxRuntime.ts';
import { shrinkArea } from '../../main/faces/rgbResize.ts';
import { loadSample } from '../../main/faces/testing/sampleImages.ts';
import type { RgbImage } from '../../main/core/types.ts';
import { catalogEntry } from '../catalog.ts';
import { readVerified } from '../locate.ts';
import { loadGraphModel } from '../tfjsLoad.ts';
import { BLAZEFACE_MACS_PER_PIXEL } from '../../main/faces/blazeProposals.ts';
import { BLAZEFACE_STRIDE2_BANDS, convertBlazefaceWithHeads } from './blazefaceOnnx.ts';

let runtime: OnnxRuntime | Error;
const cacheDir = mkdtempSync(path.join(tmpdir(), 'facet-blazeface-test-'));
const previousCacheDir = process.env.FACET_CACHE_DIR;
const entry = catalogEntry('blazeface-back', 'proposals');
const HEADS = 'StatefulPartitionedCall/functional_1/';

before(async () => {
  process.env.FACET_CACHE_DIR = cacheDir;
  runtime = await loadOnnxRuntime();
  await initBackend('wasm');
});

after(() => {
  if (previousCacheDir === undefined) delete process.env.FACET_CACHE_DIR;
  else process.env.FACET_CACHE_DIR = previousCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

const skipWithoutRuntime = () => (runtime instanceof Error ? `onnxruntime-node unavailable: ${runtime.message}` : false);

/** Largest difference relative to the largest reference magnitude (regressors are in input px, up to ~100). */
function relativeDifference(expected: Float32Array, actual: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let worst = 0, scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(expected[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

/** The graph model with its placeholder's 256x256 relaxed, so tfjs runs it at any size. */
async function anySizeGraphModel(): Promise<tfconv.GraphModel> {
  const json = JSON.parse(readVerified(entry.package, entry.files[0]!.path, entry.files[0]!.sha256).toString('utf8')) as tf.io.ModelJSON;
  for (const node of (json.modelTopology as { node: Array<{ op: string; attr: { shape: { shape: { dim: Array<{ size: string }> } } } }> }).node) {
    if (node.op === 'Placeholder') node.attr.shape.shape.dim = [{ size: '1' }, { size: '-1' }, { size: '-1' }, { size: '3' }];
  }
  const bin = readVerified(entry.package, entry.files[1]!.path, entry.files[1]!.sha256);
  return tfconv.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, format: json.format, weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  }));
}

/** tfjs outputs for an image, each reshaped to [1, n, k] and concatenated as the ONNX graph orders them. */
function tfjsOutputs(model: tfconv.GraphModel, image: RgbImage, outputs: { regressors: string[]; classificators: string[] }) {
  return tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor4d(image.data, [1, image.height, image.width, 3], 'float32'), 127.5), 1);
    const flat = (names: string[], width: number) => {
      const found = model.execute(x, names) as tf.Tensor[];
      return tf.concat(found.map((t) => tf.reshape(t, [1, -1, width])), 1).dataSync() as Float32Array;
    };
    return { regressors: Float32Array.from(flat(outputs.regressors, 16)), classificators: Float32Array.from(flat(outputs.classificators, 1)) };
  });
}

async function onnxOutputs(image: RgbImage) {
  const ort = runtime as OnnxRuntime;
  const model = await openOnnxModel('blazeface-back');
  try {
    const out = await model.session.run({ image: new ort.Tensor('uint8', image.data, [1, image.height, image.width, 3]) });
    return { regressors: out.regressors!.data as Float32Array, classificators: out.classificators!.data as Float32Array, dims: out.regressors!.dims };
  } finally {
    await model.session.release();
  }
}

test('BlazeFace back: the converter finds two heads (strides 16 and 32, 2 and 6 anchors a cell) and counts its multiply-adds', () => {
  const { heads, macsPerPixel } = convertBlazefaceWithHeads();
  assert.deepEqual(heads, [{ stride: 16, anchorsPerCell: 2 }, { stride: 32, anchorsPerCell: 6 }]);
  // The model's 0.189 GMAC at 256x256 (as counted by wrapping tfjs's conv kernels) and the two channel pads as 1x1 convs.
  const pads = 32 * 32 * 24 * 48 + 16 * 16 * 48 * 96;
  assert.ok(Math.abs((macsPerPixel * 256 * 256 - pads) / 1e9 - 0.1887) < 0.0005, `${macsPerPixel} MAC/px`);
  assert.equal(macsPerPixel, BLAZEFACE_MACS_PER_PIXEL, 'the figure main/faces/blazeProposals.ts reports with');
});

test('BlazeFace back: ONNX matches the tfjs graph model at 256x256 (its 896 anchors) on a real photo', { skip: skipWithoutRuntime() }, async () => {
  const image = shrinkArea(await loadSample('sample1', { left: 200, top: 0, width: 640, height: 640 }), 256, 256);
  const model = await loadGraphModel(entry);
  try {
    const expected = tfjsOutputs(model, image, { regressors: ['Identity_2', 'Identity_3'], classificators: ['Identity', 'Identity_1'] });
    const actual = await onnxOutputs(image);
    assert.deepEqual(actual.dims, [1, 896, 16]);
    assert.ok(relativeDifference(expected.regressors, actual.regressors) < 1e-5, 'regressors');
    assert.ok(relativeDifference(expected.classificators, actual.classificators) < 1e-5, 'classificators');
    assert.ok(expected.classificators.some((logit) => logit > 2), 'the photo has confident faces for the check to mean something');
  } finally {
    model.dispose();
  }
});

test('BlazeFace back: ONNX matches the tfjs head convolutions on a whole photo at 768x512', { skip: skipWithoutRuntime() }, async () => {
  const image = shrinkArea(await loadSample('sample1'), 768, 512);
  const model = await anySizeGraphModel();
  try {
    const expected = tfjsOutputs(model, image, {
      regressors: [`${HEADS}conv2d_35/BiasAdd`, `${HEADS}conv2d_36/BiasAdd`],
      classificators: [`${HEADS}conv2d_33/BiasAdd`, `${HEADS}conv2d_34/BiasAdd`],
    });
    const actual = await onnxOutputs(image);
    assert.deepEqual(actual.dims, [1, (512 / 16) * (768 / 16) * 2 + (512 / 32) * (768 / 32) * 6, 16]);
    assert.ok(relativeDifference(expected.regressors, actual.regressors) < 1e-5, 'regressors');
    assert.ok(relativeDifference(expected.classificators, actual.classificators) < 1e-5, 'classificators');
  } finally {
    model.dispose();
  }
});

test('BlazeFace back: the stride-2 stage in row bands gives the unbanded graph\'s outputs bit for bit, at any size', { skip: skipWithoutRuntime() }, async () => {
  const ort = runtime as OnnxRuntime;
  assert.ok(BLAZEFACE_STRIDE2_BANDS > 1);
  const encode = (bands: number) => convertBlazefaceWithHeads(undefined, bands).graph.encode({ name: 'facet-test', version: '0' }, {});
  const [banded, whole] = await Promise.all([createOnnxSession(ort, encode(BLAZEFACE_STRIDE2_BANDS), { threads: 1 }), createOnnxSession(ort, encode(1), { threads: 1 })]);
  const photo = await loadSample('sample1');
  try {
    // A real photo at a tile's size, band edges that fall mid-face; a strip too short for five bands (empty ones); a tall narrow one.
    for (const [width, height] of [[960, 512], [800, 448], [256, 64], [64, 1024]] as const) {
      const image = shrinkArea(photo, width, height);
      const feed = { image: new ort.Tensor('uint8', image.data, [1, height, width, 3]) };
      const [a, b] = [await banded.run(feed), await whole.run(feed)];
      for (const name of ['regressors', 'classificators']) {
        assert.deepEqual(a[name]!.dims, b[name]!.dims, `${width}x${height} ${name} shape`);
        assert.deepEqual(a[name]!.data, b[name]!.data, `${width}x${height} ${name}`);
      }
    }
  } finally {
    await Promise.all([banded.release(), whole.release()]);
  }
});
