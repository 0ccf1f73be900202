/**
 * The ONNX converters against the tfjs networks they translate, on real faces (face-api's demo photos,
 * shipped in its npm package): each graph's raw outputs within 1e-4 of the tfjs model's, and the
 * ONNX embedder and detector within 1e-4 (vectors) and 0.05 px (landmarks) of the tfjs ones. Also
 * the protobuf encoding and the converted-model cache. Skipped where onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../main/embed/backend.ts';
import { createEmbedder } from '../../main/embed/embedders.ts';
import { OnnxDlibResnetEmbedder } from '../../main/embed/onnxEmbedder.ts';
import { loadOnnxRuntime, openOnnxModel, type OnnxRuntime } from '../../main/embed/onnxRuntime.ts';
import { alignToTemplate } from '../../main/faces/align.ts';
import { createDetector } from '../../main/faces/detectors.ts';
import { OnnxSsdDetector } from '../../main/faces/onnxDetector.ts';
import { FacePipeline } from '../../main/faces/pipeline.ts';
import { loadSample } from '../../main/faces/testing/sampleImages.ts';
import type { DetectedFace, RgbImage } from '../../main/core/types.ts';
import { FaceLandmark68Net, landmarkInput } from '../faceapi/landmark68.ts';
import { SsdMobilenetV1 } from '../faceapi/ssdMobilenetV1.ts';
import { loadConvertedModel } from './cache.ts';
import { ProtoWriter } from './protobuf.ts';

let runtime: OnnxRuntime | Error;
let photo: RgbImage;
let faces: DetectedFace[] = [];
const cacheDir = mkdtempSync(path.join(tmpdir(), 'facet-onnx-test-'));
const previousCacheDir = process.env.FACET_CACHE_DIR;

before(async () => {
  process.env.FACET_CACHE_DIR = cacheDir;
  runtime = await loadOnnxRuntime();
  await initBackend('wasm');
  photo = await loadSample('sample1');
  const detector = createDetector('ssd-mobilenetv1');
  await detector.load();
  faces = await detector.detect(photo);
  detector.dispose();
});

after(() => {
  if (previousCacheDir === undefined) delete process.env.FACET_CACHE_DIR;
  else process.env.FACET_CACHE_DIR = previousCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

const skipWithoutRuntime = () => (runtime instanceof Error ? `onnxruntime-node unavailable: ${runtime.message}` : false);

test('protobuf writer: varints (negative int64 in ten bytes), floats, nested lengths', () => {
  assert.deepEqual([...new ProtoWriter().int(1, 300).finish()], [0x08, 0xac, 0x02]);
  assert.deepEqual([...new ProtoWriter().int(3, -1).finish()], [0x18, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1]);
  assert.deepEqual([...new ProtoWriter().float(2, 1).finish()], [0x15, 0, 0, 0x80, 0x3f]);
  const inner = new ProtoWriter().string(1, 'ab');
  assert.deepEqual([...new ProtoWriter().message(7, inner).finish()], [0x3a, 4, 0x0a, 2, 0x61, 0x62]);
});

test('dlib ResNet: ONNX embedder matches the tfjs one within 1e-4 on aligned faces, with and without flip', { skip: skipWithoutRuntime() }, async () => {
  assert.ok(faces.length >= 3, `sample1 should have faces, found ${faces.length}`);
  for (const flip of [false, true]) {
    const reference = createEmbedder('dlib-resnet', { flip });
    const onnx = new OnnxDlibResnetEmbedder({ flip });
    await Promise.all([reference.load(), onnx.load()]);
    const crops = faces.map((face) => alignToTemplate(photo, face.landmarks, reference.template));
    const tensorsBefore = tf.memory().numTensors;
    const [expected, actual] = [await reference.embed(crops), await onnx.embed(crops)];
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tfjs tensors leak');
    const worst = Math.max(...expected.map((vector, i) => maxDifference(vector, actual[i]!)));
    assert.ok(worst < 1e-4, `flip=${flip}: largest difference ${worst}`);
    reference.dispose();
    onnx.dispose();
  }
});

test('SSD MobileNetV1: ONNX boxes and scores match tfjs forward() within 1e-4, square and padded inputs', { skip: skipWithoutRuntime() }, async () => {
  const ort = runtime as OnnxRuntime;
  const model = await openOnnxModel('ssd-mobilenetv1');
  const net = SsdMobilenetV1.load();
  for (const region of [{ left: 200, top: 0, width: 640, height: 640 }, { left: 0, top: 0, width: 900, height: 500 }]) {
    const image = await loadSample('sample1', region);
    const side = Math.max(image.width, image.height);
    const square = new Uint8Array(side * side * 3);
    for (let row = 0; row < image.height; row++) square.set(image.data.subarray(row * image.width * 3, (row + 1) * image.width * 3), row * side * 3);
    const out = await model.session.run({ image: new ort.Tensor('uint8', square, [1, side, side, 3]) });
    const input = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32');
    const { boxes, scores } = net.forward(input);
    assert.ok(maxDifference(boxes.dataSync(), out.boxes!.data as Float32Array) < 1e-4, 'boxes');
    assert.ok(maxDifference(scores.dataSync(), out.scores!.data as Float32Array) < 1e-4, 'scores');
    tf.dispose([input, boxes, scores]);
  }
  net.dispose();
  await model.session.release();
});

test('landmark68: ONNX output matches tfjs forward() within 1e-4 on real face crops', { skip: skipWithoutRuntime() }, async () => {
  const ort = runtime as OnnxRuntime;
  const model = await openOnnxModel('landmark68');
  const net = FaceLandmark68Net.load();
  const regions = faces.slice(0, 4).map((face) => ({ x: Math.floor(face.box.x), y: Math.floor(face.box.y), width: Math.floor(face.box.width), height: Math.floor(face.box.height) }));
  const input = landmarkInput(photo, regions);
  const expected = net.forward(input);
  const out = await model.session.run({ faces: new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape) });
  assert.ok(maxDifference(expected.dataSync(), out.landmarks!.data as Float32Array) < 1e-4);
  tf.dispose([input, expected]);
  net.dispose();
  await model.session.release();
});

test('ONNX detector finds the same faces as the tfjs one, landmarks within 0.05 px, also in given boxes', { skip: skipWithoutRuntime() }, async () => {
  const onnx = new OnnxSsdDetector();
  await onnx.load();
  const found = await onnx.detect(photo);
  assert.equal(found.length, faces.length);
  const given = await onnx.landmarksIn(photo, [faces[0]!.box, { x: -500, y: -500, width: 10, height: 10 }]);
  assert.equal(given[1], null, 'a box outside the image has no landmarks');
  assert.ok(maxDifference(given[0]!.landmarks68!.flatMap((p) => [p.x, p.y]), faces[0]!.landmarks68!.flatMap((p) => [p.x, p.y])) < 0.05);
  onnx.dispose();
  found.forEach((face, i) => {
    assert.ok(Math.abs(face.score - faces[i]!.score) < 1e-4);
    const worst = maxDifference(face.landmarks68!.flatMap((p) => [p.x, p.y]), faces[i]!.landmarks68!.flatMap((p) => [p.x, p.y]));
    assert.ok(worst < 0.05, `face ${i}: landmarks differ by ${worst} px`);
  });
});

test("--backend onnx: the pipeline runs the converted networks, tfjs the rest; same embeddings as on wasm", { skip: skipWithoutRuntime() }, async () => {
  // fp32: the converted graphs against tfjs's own (int8, the default, is compared in int8Models.test.ts).
  const onnx = await FacePipeline.create({ backend: 'onnx', precision: 'fp32' });
  const onnxFaces = await onnx.analyse(photo);
  assert.equal(onnx.backend, 'onnx');
  assert.deepEqual(onnx.precisions, { detector: 'fp32', embedder: 'fp32' });
  assert.equal((onnx.detector as { runtime?: string }).runtime, 'onnx');
  assert.equal((onnx.embedder as { runtime?: string }).runtime, 'onnx');
  onnx.dispose();
  const tiny = await FacePipeline.create({ backend: 'onnx', detector: 'tiny-face-detector', embedder: 'mobileface' });
  assert.equal((tiny.detector as { runtime?: string }).runtime, undefined, 'no converter: tfjs');
  tiny.dispose();
  const wasm = await FacePipeline.create({ backend: 'wasm' });
  assert.deepEqual(wasm.precisions, { detector: 'fp32', embedder: 'fp32' }, 'tfjs networks run fp32 whatever the default');
  const wasmFaces = await wasm.analyse(photo);
  wasm.dispose();
  assert.equal(onnxFaces.length, wasmFaces.length);
  const worst = Math.max(...onnxFaces.map((face, i) => maxDifference(face.embedding, wasmFaces[i]!.embedding)));
  assert.ok(worst < 1e-4, `embeddings differ by ${worst}`);
});

test('converted models are cached by source checksum; a damaged cache file is converted again', { skip: skipWithoutRuntime() }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'facet-onnx-cache-'));
  try {
    const first = loadConvertedModel('landmark68', dir);
    assert.equal(first.converted, true);
    assert.match(path.basename(first.path), /^landmark68-[0-9a-f]{16}\.onnx$/);
    const second = loadConvertedModel('landmark68', dir);
    assert.equal(second.converted, false);
    assert.deepEqual(second.bytes, first.bytes, 'conversion is deterministic');
    writeFileSync(first.path, first.bytes.subarray(0, 100));
    const third = loadConvertedModel('landmark68', dir);
    assert.equal(third.converted, true);
    assert.throws(() => loadConvertedModel('faceres', dir), /no ONNX converter/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
