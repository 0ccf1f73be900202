/**
 * The shipped int8 networks on real faces (face-api's demo photo): made from the verified weights and the
 * calibration tables on first use, cached apart from the float graphs; the int8 SSD finds the same faces
 * as the float one, and int8 dlib ResNet vectors sit close to the float ones (far below the distance
 * between two people). Skipped where onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { OnnxDlibResnetEmbedder } from '../../main/embed/onnxEmbedder.ts';
import { loadOnnxRuntime } from '../../main/embed/onnxRuntime.ts';
import { alignFace } from '../../main/faces/align.ts';
import { OnnxSsdDetector } from '../../main/faces/onnxDetector.ts';
import { FacePipeline } from '../../main/faces/pipeline.ts';
import { loadSample } from '../../main/faces/testing/sampleImages.ts';
import type { DetectedFace, RgbImage } from '../../main/core/types.ts';
import { iou } from '../faceapi/boxMath.ts';
import { squaredDistance } from '../../main/metrics/verification.ts';
import { loadConvertedModel } from './cache.ts';

const cacheDir = mkdtempSync(path.join(tmpdir(), 'facet-int8-test-'));
const previousCacheDir = process.env.FACET_CACHE_DIR;
const runtime = await loadOnnxRuntime();
const unavailable = runtime instanceof Error ? `onnxruntime-node unavailable: ${runtime.message}` : false;
let photo: RgbImage;
let faces: DetectedFace[] = [];

before(async () => {
  process.env.FACET_CACHE_DIR = cacheDir;
  if (unavailable) return;
  photo = await loadSample('sample1');
  const detector = new OnnxSsdDetector();
  await detector.load();
  faces = await detector.detect(photo);
  detector.dispose();
});

after(() => {
  if (previousCacheDir === undefined) delete process.env.FACET_CACHE_DIR;
  else process.env.FACET_CACHE_DIR = previousCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

test('int8 graphs are cached beside the float ones, under their own key, and made once', { skip: unavailable }, () => {
  const fp32 = loadConvertedModel('dlib-resnet', cacheDir);
  const first = loadConvertedModel('dlib-resnet', cacheDir, 'int8');
  assert.match(path.basename(first.path), /^dlib-resnet-int8-[0-9a-f]{16}\.onnx$/);
  assert.notEqual(first.path, fp32.path);
  assert.ok(first.bytes.length < fp32.bytes.length / 3, `int8 weights: ${first.bytes.length} bytes against ${fp32.bytes.length}`);
  const again = loadConvertedModel('dlib-resnet', cacheDir, 'int8');
  assert.equal(again.converted, false);
  assert.deepEqual(again.bytes, first.bytes, 'quantization is deterministic');
  assert.throws(() => loadConvertedModel('landmark68', cacheDir, 'int8'), /no int8 form of model "landmark68"/);
});

test('int8 SSD finds the same faces as the float one', { skip: unavailable }, async () => {
  const int8 = new OnnxSsdDetector({}, 1, 'int8');
  await int8.load();
  const found = await int8.detect(photo);
  int8.dispose();
  assert.equal(found.length, faces.length);
  for (const face of faces) {
    const best = Math.max(...found.map((other) => iou(face.box, other.box)));
    assert.ok(best > 0.9, `a float face has its int8 twin at IoU ${best.toFixed(3)}`);
  }
});

test('int8 dlib ResNet vectors stay within 0.01 (squared L2) of the float ones; the pipeline runs int8 when asked', { skip: unavailable }, async () => {
  const fp32 = new OnnxDlibResnetEmbedder({ flip: true });
  const int8 = new OnnxDlibResnetEmbedder({ flip: true, precision: 'int8' });
  await Promise.all([fp32.load(), int8.load()]);
  const crops = faces.map((face) => alignFace(photo, face.landmarks, face.landmarks68, fp32.template));
  const [expected, actual] = [await fp32.embed(crops), await int8.embed(crops)];
  fp32.dispose();
  int8.dispose();
  const drift = Math.max(...expected.map((vector, i) => squaredDistance(vector, actual[i]!)));
  assert.ok(drift < 0.01 && drift > 0, `largest squared distance ${drift}`);

  const pipeline = await FacePipeline.create({ backend: 'onnx', precision: 'int8' });
  assert.equal((pipeline.embedder as OnnxDlibResnetEmbedder).precision, 'int8');
  assert.deepEqual(pipeline.precisions, { detector: 'int8', embedder: 'int8' });
  assert.equal(pipeline.embedder.id, 'dlib-resnet');
  pipeline.dispose();
  await assert.rejects(FacePipeline.create({ backend: 'wasm', precision: 'int8' }), /int8 needs the onnx backend/);
});
