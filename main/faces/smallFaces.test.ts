/**
 * The small-face pass's options, and its proposal strategy (BlazeFace proposals verified by SSD in
 * mosaics) with the real networks on face-api's six demo photos against their ground truth
 * (test/fixtures/faceapi-demo-faces.json). The composed 12 MP photos are main/eval/benchDetect.test.ts's.
 * The real-network test is skipped where onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { iou } from '../../native-models/faceapi/boxMath.ts';
import type { Box } from '../core/types.ts';
import { loadOnnxRuntime } from '../embed/onnxRuntime.ts';
import { OnnxSsdDetector } from './onnxDetector.ts';
import { SMALL_FACE_DEFAULTS, SmallFaceDetector, SmallFaceOptionError } from './smallFaces.ts';
import { loadSample } from './testing/sampleImages.ts';

const DEMO_TRUTH = path.join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'faceapi-demo-faces.json');
let noRuntime: string | false = false;
before(async () => {
  const runtime = await loadOnnxRuntime();
  noRuntime = runtime instanceof Error && `onnxruntime-node unavailable: ${runtime.message}`;
});

/** Ground-truth faces with a found box at IoU >= 0.4 (greedy, one box per face, as bench detect matches). */
function matched(truth: readonly Box[], found: readonly Box[]): number {
  const pairs = truth.flatMap((t, i) => found.map((f, j) => [iou(t, f), i, j] as const)).filter(([v]) => v >= 0.4).sort((a, b) => b[0] - a[0]);
  const usedTruth = new Set<number>(), usedFound = new Set<number>();
  for (const [, i, j] of pairs) {
    if (usedTruth.has(i) || usedFound.has(j)) continue;
    usedTruth.add(i);
    usedFound.add(j);
  }
  return usedTruth.size;
}

const fakeInner = { id: 'x', options: { maxResults: 100, inputSize: 512 } } as unknown as ConstructorParameters<typeof SmallFaceDetector>[0];

test("proposals are the default strategy; bad options name their field", () => {
  assert.equal(SMALL_FACE_DEFAULTS.strategy, 'proposals');
  assert.equal(new SmallFaceDetector(fakeInner, { minFace: undefined }).settings.minFace, 40, 'an undefined option keeps its default');
  const field = (options: object) => {
    try {
      new SmallFaceDetector(fakeInner, options);
    } catch (error) {
      assert.ok(error instanceof SmallFaceOptionError);
      return error.field;
    }
    return undefined;
  };
  assert.equal(field({ strategy: 'grid' }), 'strategy');
  assert.equal(field({ proposalFace: 0 }), 'proposalFace');
  assert.equal(field({ proposalScore: 1 }), 'proposalScore');
  assert.equal(field({ verifyFace: 200 }), 'verifyFace');
  assert.equal(field({ verifyIou: 0 }), 'verifyIou');
});

test("the demo photos: the proposal strategy finds the ground truth's faces with few false ones, in a few SSD passes", { skip: noRuntime }, async () => {
  const truth = JSON.parse(readFileSync(DEMO_TRUTH, 'utf8')) as { photos: Array<{ file: string; faces: Box[] }> };
  const small = new SmallFaceDetector(new OnnxSsdDetector({}, 1));
  await small.load();
  try {
    assert.equal(small.strategyInUse, 'proposals');
    let faces = 0, found = 0, detections = 0;
    for (const photo of truth.photos) {
      const boxes = (await small.detect(await loadSample(photo.file.replace(/\.jpg$/, '')))).map((f) => f.box);
      faces += photo.faces.length;
      found += matched(photo.faces, boxes);
      detections += boxes.length;
    }
    assert.ok(found >= faces - 1, `found ${found} of ${faces} faces`);
    assert.ok(detections - found <= 2, `${detections - found} false detections`);
    assert.equal(small.stats.proposalPasses, small.stats.tiledImages, 'one BlazeFace pass per searched photo');
    assert.ok(small.stats.passes <= truth.photos.length * 3, `${small.stats.passes} SSD passes for ${truth.photos.length} photos`);
  } finally {
    small.dispose();
  }
});
