import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipToImage, cropRegion, greedyNonMaxSuppression, iou, resizedDimensions, ssdNonMaxSuppression } from './boxMath.ts';

test('resizedDimensions rounds the content size inside the square input', () => {
  assert.deepEqual(resizedDimensions(1920, 1280, 512), { width: 512, height: 341 });
  assert.deepEqual(resizedDimensions(1000, 1000, 416), { width: 416, height: 416 });
  assert.deepEqual(resizedDimensions(300, 900, 416), { width: 139, height: 416 });
});

test('iou of identical, disjoint and half-overlapping boxes', () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  assert.equal(iou(a, a), 1);
  assert.equal(iou(a, { x: 20, y: 0, width: 10, height: 10 }), 0);
  assert.equal(iou(a, { x: 5, y: 0, width: 10, height: 10 }), 50 / 150);
});

test('ssdNonMaxSuppression keeps the best of overlapping boxes, drops low scores, caps the count', () => {
  // [ymin, xmin, ymax, xmax]; box 1 overlaps box 0 (IoU 0.9), box 2 is apart, box 3 scores too low.
  const boxes = [0, 0, 1, 1, 0, 0.1, 1, 1, 2, 2, 3, 3, 5, 5, 6, 6];
  const scores = [0.8, 0.9, 0.7, 0.4];
  assert.deepEqual(ssdNonMaxSuppression(boxes, scores, 100, 0.5, 0.5), [1, 2]);
  assert.deepEqual(ssdNonMaxSuppression(boxes, scores, 1, 0.5, 0.5), [1]);
  // The threshold is strict, as in face-api.
  assert.deepEqual(ssdNonMaxSuppression(boxes, scores, 100, 0.5, 0.7), [1]);
  // Corners given the wrong way round still describe the same box.
  assert.deepEqual(ssdNonMaxSuppression([1, 1, 0, 0, 0, 0, 1, 1], [0.9, 0.8], 100, 0.5, 0.5), [0]);
});

test('greedyNonMaxSuppression keeps the best and drops boxes above the IoU threshold', () => {
  const boxes = [
    { x: 0, y: 0, width: 10, height: 10 },
    { x: 1, y: 0, width: 10, height: 10 },
    { x: 50, y: 50, width: 10, height: 10 },
  ];
  assert.deepEqual(greedyNonMaxSuppression(boxes, [0.6, 0.9, 0.7], 0.4), [1, 2]);
  assert.deepEqual(greedyNonMaxSuppression([], [], 0.4), []);
});

test('clipToImage clamps without rounding; cropRegion clamps the corner, fits the far sides, floors', () => {
  const box = { x: -5.5, y: 10.7, width: 30, height: 200 };
  assert.deepEqual(clipToImage(box, 100, 100), { x: 0, y: 10.7, width: 24.5, height: 100 - 10.7 });
  assert.deepEqual(cropRegion(box, 100, 100), { x: 0, y: 10, width: 24, height: 89 });
  assert.deepEqual(clipToImage({ x: 120, y: 0, width: 10, height: 10 }, 100, 100), { x: 100, y: 0, width: 0, height: 10 });
  assert.ok(cropRegion({ x: 120, y: 0, width: 10, height: 10 }, 100, 100).width <= 0);
});
