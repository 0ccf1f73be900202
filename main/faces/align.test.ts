import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alignFace, alignToTemplate, applySimilarity, flipHorizontal, invertSimilarity, similarityTransform, warpSimilarity, type Similarity,
} from './align.ts';
import { DLIB_DENSE_INDICES, dlibFivePoints, dlibTemplate, paddedTemplate } from './templates.ts';
import type { Point, RgbImage } from '../core/types.ts';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

function known(scale: number, angle: number, tx: number, ty: number): Similarity {
  return { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty };
}

test('a known similarity is recovered exactly from noiseless points', () => {
  const from: Point[] = [{ x: 10, y: 20 }, { x: 50, y: 22 }, { x: 30, y: 45 }, { x: 15, y: 70 }, { x: 47, y: 69 }];
  for (const truth of [known(1, 0, 0, 0), known(2.5, 0.3, -7, 12), known(0.4, -2.9, 100, -3), known(1.7, Math.PI / 2, 3, 4)]) {
    const to = from.map((p) => applySimilarity(truth, p));
    const found = similarityTransform(from, to);
    close(found.a, truth.a); close(found.b, truth.b); close(found.tx, truth.tx, 1e-7); close(found.ty, truth.ty, 1e-7);
  }
});

test('the least-squares fit with noise matches the normal equations solution', () => {
  const from: Point[] = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 10 }];
  const to: Point[] = [{ x: 1, y: 1 }, { x: 11, y: 1.5 }, { x: 0.5, y: 11 }];
  const t = similarityTransform(from, to);
  // Residual is stationary: moving any parameter a little never reduces the squared error.
  const error = (s: Similarity) => from.reduce((sum, p, i) => {
    const q = applySimilarity(s, p);
    return sum + (q.x - to[i]!.x) ** 2 + (q.y - to[i]!.y) ** 2;
  }, 0);
  const base = error(t);
  for (const key of ['a', 'b', 'tx', 'ty'] as const) {
    for (const delta of [1e-4, -1e-4]) assert.ok(error({ ...t, [key]: t[key] + delta }) >= base);
  }
});

test('inverting a similarity round-trips points', () => {
  const t = known(1.3, 0.7, 5, -2);
  const p = { x: 3, y: 9 };
  const back = applySimilarity(invertSimilarity(t), applySimilarity(t, p));
  close(back.x, p.x); close(back.y, p.y);
});

test('degenerate landmarks are refused with a clear error', () => {
  const same = [{ x: 1, y: 1 }, { x: 1, y: 1 }];
  assert.throws(() => similarityTransform(same, same), /degenerate/);
  assert.throws(() => similarityTransform([{ x: 0, y: 0 }], [{ x: 0, y: 0 }]), /at least two/);
});

function gradientImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = (y * width + x) * 3;
    data[o] = x; data[o + 1] = y; data[o + 2] = (x + y) % 256;
  }
  return { data, width, height };
}

test('an identity warp copies pixels; a pure translation shifts them', () => {
  const image = gradientImage(40, 30);
  const same = warpSimilarity(image, { a: 1, b: 0, tx: 0, ty: 0 }, 40, 30);
  assert.deepEqual(same.data, image.data);
  const shifted = warpSimilarity(image, { a: 1, b: 0, tx: 5, ty: 3 }, 10, 10);
  assert.equal(shifted.data[0], 5); // red = source x
  assert.equal(shifted.data[1], 3); // green = source y
});

test('aligning a face places its landmarks on the template', () => {
  const template = paddedTemplate(dlibFivePoints(), 150, 0.25);
  // Landmarks of a face twice the template size, rotated 20 degrees, somewhere in a big image.
  const truth = known(2, 0.35, 80, 40);
  const cropToImage = truth;
  const landmarks = template.points.map((p) => applySimilarity(cropToImage, { x: p.x * 150, y: p.y * 150 }));
  const found = similarityTransform(landmarks, template.points.map((p) => ({ x: p.x * 150, y: p.y * 150 })));
  const inverse = invertSimilarity(truth);
  close(found.a, inverse.a); close(found.b, inverse.b); close(found.tx, inverse.tx, 1e-7); close(found.ty, inverse.ty, 1e-7);
  const crop = alignToTemplate(gradientImage(400, 400), landmarks, template);
  assert.equal(crop.width, 150); assert.equal(crop.height, 150);
  // The crop's centre pixel samples the image where the truth maps the crop centre.
  const centre = applySimilarity(truth, { x: 75, y: 75 });
  const o = (75 * 150 + 75) * 3;
  assert.ok(Math.abs(crop.data[o]! - centre.x) <= 1 && Math.abs(crop.data[o + 1]! - centre.y) <= 1);
});

test('the dlib template keeps eyes level and symmetric about the centre line', () => {
  const [left, right, nose, mouthLeft, mouthRight] = dlibFivePoints();
  close(left!.y, right!.y, 1e-6);
  close((left!.x + right!.x) / 2, nose!.x, 1e-3);
  close((mouthLeft!.x + mouthRight!.x) / 2, nose!.x, 1e-3);
});

test('flipping twice is the identity', () => {
  const image = gradientImage(7, 5);
  assert.deepEqual(flipHorizontal(flipHorizontal(image)).data, image.data);
  assert.equal(flipHorizontal(image).data[0], 6);
});

test('dense alignment fits dlib\'s 33 points (27-54 and 60-64) and recovers a known placement exactly', () => {
  assert.deepEqual(DLIB_DENSE_INDICES, [...Array.from({ length: 28 }, (_, i) => 27 + i), 60, 61, 62, 63, 64]);
  const template = dlibTemplate(150, 0.25);
  const truth = known(1.6, -0.2, 60, 90);
  // A 68-point face whose dense points sit exactly where the truth maps the template; the others (jaw,
  // brows, lower lip) are far off, so a fit that used them would not be exact.
  const landmarks68: Point[] = Array.from({ length: 68 }, () => ({ x: 999, y: -999 }));
  template.dense!.indices.forEach((index, k) => {
    const p = template.dense!.points[k]!;
    landmarks68[index] = applySimilarity(truth, { x: p.x * 150, y: p.y * 150 });
  });
  const image = gradientImage(400, 400);
  const crop = alignFace(image, [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }, { x: 2, y: 2 }], landmarks68, template);
  const expected = warpSimilarity(image, truth, 150, 150);
  assert.deepEqual(crop.data, expected.data);
  // Without 68 points it falls back to the five.
  const five = template.points.map((p) => applySimilarity(truth, { x: p.x * 150, y: p.y * 150 }));
  const fromFive = alignFace(image, five, undefined, template);
  assert.deepEqual(fromFive.data, alignToTemplate(image, five, template).data);
});

test('the dense and five-point dlib templates agree about where the face sits', () => {
  const template = dlibTemplate(150, 0.25);
  // The five points' eye centres are means of dense points 36-41 and 42-47.
  const dense = new Map(template.dense!.indices.map((index, k) => [index, template.dense!.points[k]!]));
  const eye = (from: number) => Array.from({ length: 6 }, (_, i) => dense.get(from + i)!);
  const meanX = (points: Point[]) => points.reduce((s, p) => s + p.x, 0) / points.length;
  close(meanX(eye(36)), template.points[0]!.x, 1e-9);
  close(meanX(eye(42)), template.points[1]!.x, 1e-9);
  close(dense.get(30)!.y, template.points[2]!.y, 1e-9);
});
