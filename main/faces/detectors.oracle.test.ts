/**
 * Our detectors against face-api's own implementation, run live in this process as an oracle on the same
 * tfjs-core instance and backend (see testing/faceApiOracle.ts for how), on face-api's six demo photos.
 * Not recorded numbers: the oracle runs every time, so a change on either side shows up.
 *
 * Expected differences, hence the tolerances: float rounding only (our leaky ReLU and dense-block sums are
 * fused differently; SSD matches bit for bit), plus two deliberate ones that the comparison undoes exactly:
 * our boxes are clipped to the image, and our landmarks are shifted by the corner of the pixels the landmark
 * net actually saw (face-api shifts by the unrounded, unclipped box corner).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../embed/backend.ts';
import { clipToImage, cropRegion, iou } from '../../native-models/faceapi/boxMath.ts';
import { createDetector, type DetectorOptions } from './detectors.ts';
import { loadFaceApiOracle, type FaceApiOracle, type FaceApiResult } from './testing/faceApiOracle.ts';
import { loadSample, SAMPLE_NAMES } from './testing/sampleImages.ts';
import type { DetectedFace, FaceDetector, RgbImage } from '../core/types.ts';

const SCORE_TOLERANCE = 1e-4;
const PIXEL_TOLERANCE = 0.01;

let oracle: FaceApiOracle;
const samples = new Map<string, RgbImage>();

before(async () => {
  await initBackend();
  oracle = await loadFaceApiOracle();
  for (const name of SAMPLE_NAMES) samples.set(name, await loadSample(name));
});

after(() => oracle.dispose());

function assertSameFaces(label: string, ours: DetectedFace[], theirs: FaceApiResult[], image: RgbImage): void {
  assert.equal(ours.length, theirs.length, `${label}: ${ours.length} faces, face-api ${theirs.length}`);
  ours.forEach((face, i) => {
    const reference = theirs[i]!;
    const theirBox = reference.detection.box;
    const expectedBox = clipToImage(theirBox, image.width, image.height);
    assert.ok(iou(face.box, expectedBox) > 0.999, `${label} face ${i}: boxes differ in order or place`);
    assert.ok(Math.abs(face.score - reference.detection.score) < SCORE_TOLERANCE, `${label} face ${i}: score ${face.score} vs ${reference.detection.score}`);
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      assert.ok(Math.abs(face.box[key] - expectedBox[key]) < PIXEL_TOLERANCE, `${label} face ${i}: box.${key} ${face.box[key]} vs ${expectedBox[key]}`);
    }
    const crop = cropRegion(theirBox, image.width, image.height);
    const shiftX = crop.x - theirBox.x;
    const shiftY = crop.y - theirBox.y;
    face.landmarks68!.forEach((point, k) => {
      const expected = reference.landmarks.positions[k]!;
      const dx = Math.abs(point.x - (expected.x + shiftX));
      const dy = Math.abs(point.y - (expected.y + shiftY));
      assert.ok(dx < PIXEL_TOLERANCE && dy < PIXEL_TOLERANCE, `${label} face ${i} landmark ${k}: off by (${dx}, ${dy})`);
    });
  });
}

async function compare(
  options: DetectorOptions & { id: 'ssd-mobilenetv1' | 'tiny-face-detector' },
  names: readonly string[],
  reference: (image: tf.Tensor3D) => Promise<FaceApiResult[]>,
): Promise<string[]> {
  // Returns "name count" per image, for the log.
  const { id, ...detectorOptions } = options;
  const detector: FaceDetector = createDetector(id, detectorOptions);
  await detector.load();
  const counts: string[] = [];
  try {
    for (const name of names) {
      const image = samples.get(name)!;
      const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      try {
        const theirs = await reference(tensor);
        const ours = await detector.detect(image);
        assertSameFaces(`${id} ${name}`, ours, theirs, image);
        counts.push(`${name} ${ours.length}`);
      } finally {
        tensor.dispose();
      }
    }
  } finally {
    detector.dispose();
  }
  return counts;
}

test('ssd-mobilenetv1 matches face-api (minConfidence 0.5)', async () => {
  const counts = await compare({ id: 'ssd-mobilenetv1' }, SAMPLE_NAMES, (image) => oracle.ssd(image, 0.5));
  console.log(`ssd-mobilenetv1 faces, same as face-api: ${counts.join(', ')}`);
});

test('tiny-face-detector matches face-api (inputSize 416, threshold 0.5)', async () => {
  const counts = await compare({ id: 'tiny-face-detector' }, SAMPLE_NAMES, (image) => oracle.tiny(image, 416, 0.5));
  console.log(`tiny-face-detector faces, same as face-api: ${counts.join(', ')}`);
});

test('a face cut by the image border: box clipped, landmarks where face-api puts them less its shift', async () => {
  // sample5's lower-left face with its left part cropped away: the tiny detector's box starts at x < 0.
  samples.set('sample5-cut', await loadSample('sample5', { left: 400, top: 960, width: 900, height: 438 }));
  const ssd = await compare({ id: 'ssd-mobilenetv1' }, ['sample5-cut'], (image) => oracle.ssd(image, 0.5));
  const tiny = await compare({ id: 'tiny-face-detector' }, ['sample5-cut'], (image) => oracle.tiny(image, 416, 0.5));
  assert.deepEqual([ssd, tiny], [['sample5-cut 1'], ['sample5-cut 1']]);
});

test('options reach the networks as in face-api: SSD at 0.3, tiny at 608 and 0.3', async () => {
  await compare({ id: 'ssd-mobilenetv1', minConfidence: 0.3, maxResults: 3 }, ['sample4'], (image) => oracle.ssd(image, 0.3, 3));
  await compare({ id: 'tiny-face-detector', inputSize: 608, minConfidence: 0.3 }, ['sample6'], (image) => oracle.tiny(image, 608, 0.3));
});
