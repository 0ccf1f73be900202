/**
 * The detectors on face-api's demo photos: sane boxes and landmarks, no tensor leaks, options honoured.
 * Agreement with face-api itself is checked in detectors.oracle.test.ts; this file runs without face-api
 * loaded, which proves our code needs nothing the oracle's set-up patches in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../embed/backend.ts';
import { FaceLandmark68Net } from '../../native-models/faceapi/landmark68.ts';
import { createDetector, DetectorError, DETECTOR_IDS, fiveFrom68, rgbToTensor, type DetectorId } from './detectors.ts';
import { loadSample, SAMPLE_NAMES } from './testing/sampleImages.ts';
import type { DetectedFace, RgbImage } from '../core/types.ts';

const samples = new Map<string, RgbImage>();
let backend = '';

before(async () => {
  backend = await initBackend();
  for (const name of SAMPLE_NAMES) samples.set(name, await loadSample(name));
});

test('createDetector validates the id and options, naming the field', () => {
  const fieldOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof DetectorError);
      return error.field;
    }
    return 'nothing thrown';
  };
  assert.equal(fieldOf(() => createDetector('mtcnn' as DetectorId)), 'id');
  assert.equal(fieldOf(() => createDetector('ssd-mobilenetv1', { minConfidence: 1 })), 'minConfidence');
  assert.equal(fieldOf(() => createDetector('ssd-mobilenetv1', { maxResults: 0 })), 'maxResults');
  assert.equal(fieldOf(() => createDetector('ssd-mobilenetv1', { inputSize: 608 })), 'inputSize');
  assert.equal(fieldOf(() => createDetector('tiny-face-detector', { inputSize: 600 })), 'inputSize');
  assert.equal(createDetector('tiny-face-detector', { inputSize: 608, minConfidence: 0.3 }).id, 'tiny-face-detector');
});

test('fiveFrom68 takes eye means, nose tip and mouth corners', () => {
  const points = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
  assert.deepEqual(fiveFrom68(points), [
    { x: 38.5, y: 77 },
    { x: 44.5, y: 89 },
    { x: 30, y: 60 },
    { x: 48, y: 96 },
    { x: 54, y: 108 },
  ]);
  assert.throws(() => fiveFrom68(points.slice(1)), DetectorError);
});

test('rgbToTensor gives [1, h, w, 3] int32 and refuses a wrong byte count', () => {
  const image = { data: new Uint8Array([1, 2, 3, 4, 5, 6]), width: 2, height: 1 };
  const tensor = rgbToTensor(image);
  assert.deepEqual(tensor.shape, [1, 1, 2, 3]);
  assert.equal(tensor.dtype, 'int32');
  tensor.dispose();
  assert.throws(() => rgbToTensor({ ...image, width: 3 }), DetectorError);
});

/**
 * Boxes inside the image, landmarks in or near the box, eyes above the mouth. Heads in the samples are
 * rolled by up to about 45 degrees, so the finer checks use the face's own axes: the right eye lies to the
 * left eye's right as seen from the mouth, and the nose tip falls between the eye line and the mouth.
 */
function assertPlausible(face: DetectedFace, image: RgbImage, minConfidence: number): void {
  const { box } = face;
  assert.ok(box.x >= 0 && box.y >= 0 && box.width > 0 && box.height > 0, `box ${JSON.stringify(box)}`);
  assert.ok(box.x + box.width <= image.width && box.y + box.height <= image.height, `box ${JSON.stringify(box)} leaves the image`);
  assert.ok(face.score > minConfidence && face.score <= 1, `score ${face.score}`);
  const points = face.landmarks68!;
  assert.equal(points.length, 68);
  const marginX = box.width * 0.25;
  const marginY = box.height * 0.25;
  for (const p of points) {
    assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y));
    assert.ok(p.x >= box.x - marginX && p.x <= box.x + box.width + marginX, `x ${p.x} far from box ${JSON.stringify(box)}`);
    assert.ok(p.y >= box.y - marginY && p.y <= box.y + box.height + marginY, `y ${p.y} far from box ${JSON.stringify(box)}`);
  }
  assert.deepEqual(face.landmarks, fiveFrom68(points));
  const [leftEye, rightEye, nose, leftMouth, rightMouth] = face.landmarks;
  const eyes = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 };
  const mouth = { x: (leftMouth.x + rightMouth.x) / 2, y: (leftMouth.y + rightMouth.y) / 2 };
  assert.ok(eyes.y < mouth.y, 'eyes above the mouth');
  const down = { x: mouth.x - eyes.x, y: mouth.y - eyes.y };
  const across = { x: rightEye.x - leftEye.x, y: rightEye.y - leftEye.y };
  assert.ok(across.x * down.y - across.y * down.x > 0, 'right eye on the right, seen upright');
  const noseAlong = ((nose.x - eyes.x) * down.x + (nose.y - eyes.y) * down.y) / (down.x ** 2 + down.y ** 2);
  assert.ok(noseAlong > 0 && noseAlong < 1, `nose tip at ${noseAlong.toFixed(2)} of the way from eyes to mouth`);
}

for (const id of DETECTOR_IDS) {
  describe(id, () => {
    const detector = createDetector(id);
    let baseline = 0;
    const counts: string[] = [];

    before(async () => {
      baseline = tf.memory().numTensors;
      await detector.load();
      assert.ok(tf.memory().numTensors > baseline, 'weights loaded');
    });

    after(() => {
      detector.dispose();
      assert.equal(tf.memory().numTensors, baseline, 'dispose() frees every weight');
    });

    test('finds plausible faces in every sample and releases every intermediate tensor', async () => {
      await detector.detect(samples.get('sample1')!); // warm-up, untimed: the first call sets up kernels and memory
      for (const name of SAMPLE_NAMES) {
        const image = samples.get(name)!;
        const tensorsBefore = tf.memory().numTensors;
        const started = performance.now();
        const faces = await detector.detect(image);
        const ms = performance.now() - started;
        assert.equal(tf.memory().numTensors, tensorsBefore, `${name}: tensors leaked`);
        assert.ok(faces.length > 0, `${name}: no face found`);
        for (const face of faces) assertPlausible(face, image, 0.5);
        counts.push(`${name}: ${faces.length} faces, ${ms.toFixed(0)} ms`);
      }
      console.log(`${id} on ${backend} (detect + landmarks):\n  ${counts.join('\n  ')}`);
    });

    test('a lower threshold finds at least as many faces', async () => {
      const image = samples.get('sample6')!;
      const loose = createDetector(id, { minConfidence: 0.3 });
      await loose.load();
      try {
        const [strict, relaxed] = [await detector.detect(image), await loose.detect(image)];
        for (const face of relaxed) assertPlausible(face, image, 0.3);
        assert.ok(relaxed.length >= strict.length, `${relaxed.length} < ${strict.length}`);
        console.log(`${id} sample6: ${strict.length} faces at minConfidence 0.5, ${relaxed.length} at 0.3`);
      } finally {
        loose.dispose();
      }
    });

    test('maxResults caps the faces, best first', async () => {
      const capped = createDetector(id, { maxResults: 2 });
      await capped.load();
      try {
        const faces = await capped.detect(samples.get('sample5')!);
        assert.equal(faces.length, 2);
        assert.ok(faces[0]!.score >= faces[1]!.score);
      } finally {
        capped.dispose();
      }
    });
  });
}

test('tiny detector: inputSize is honoured (608 runs a 19x19 grid)', async () => {
  const image = samples.get('sample6')!;
  const large = createDetector('tiny-face-detector', { inputSize: 608 });
  await large.load();
  try {
    const faces = await large.detect(image);
    for (const face of faces) assertPlausible(face, image, 0.5);
    console.log(`tiny-face-detector sample6 at inputSize 608: ${faces.length} faces`);
  } finally {
    large.dispose();
  }
});

test('detect() after dispose() is a DetectorError', async () => {
  const detector = createDetector('tiny-face-detector');
  await detector.load();
  detector.dispose();
  await assert.rejects(detector.detect(samples.get('sample1')!), DetectorError);
});

// Timing lives in `facet bench pipeline` (ms per stage); here the batch must not change the answer.
test('landmark net: a batch of faces gives each face the landmarks it gets alone', async () => {
  const image = samples.get('sample5')!;
  const boxes = (await runOnce('ssd-mobilenetv1', image)).map((face) => face.box);
  assert.ok(boxes.length >= 2, `sample5 should hold several faces, found ${boxes.length}`);
  const net = FaceLandmark68Net.load();
  try {
    const batched = await net.detectLandmarks(image, boxes);
    for (const [i, box] of boxes.entries()) {
      const [alone] = await net.detectLandmarks(image, [box]);
      assert.ok(alone && batched[i], `face ${i} has landmarks`);
      const worst = Math.max(...alone.map((p, k) => Math.hypot(p.x - batched[i]![k]!.x, p.y - batched[i]![k]!.y)));
      assert.ok(worst < 1e-3, `face ${i}: batched and single landmarks differ by ${worst} px`);
    }
  } finally {
    net.dispose();
  }
});

async function runOnce(id: DetectorId, image: RgbImage): Promise<DetectedFace[]> {
  const detector = createDetector(id);
  await detector.load();
  try {
    return await detector.detect(image);
  } finally {
    detector.dispose();
  }
}
