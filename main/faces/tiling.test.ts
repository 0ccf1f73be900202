import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropRgb, shrinkArea } from './rgbResize.ts';
import {
  mergeDetections, overlapOfSmaller, planPyramid, tileGrid, TilingError, toImageBox, touchesInnerEdge, type TilingOptions,
} from './tiling.ts';
import type { Box } from '../core/types.ts';

const SSD: TilingOptions = { inputSize: 512, minFace: 40, detectableFace: 30, levelRatio: 3 };

test('tiles cover the whole level, stay inside it, and neighbours overlap by at least the asked overlap', () => {
  for (const [width, height, overlap] of [[3024, 2268, 99], [1000, 513, 0], [512, 512, 50], [2000, 300, 200]] as const) {
    const tiles = tileGrid(width, height, 512, overlap);
    for (const t of tiles) assert.ok(t.x >= 0 && t.y >= 0 && t.x + t.width <= width && t.y + t.height <= height, `tile ${JSON.stringify(t)} leaves ${width}x${height}`);
    // Every pixel of a sample grid lies in some tile.
    for (let y = 0; y < height; y += 37) for (let x = 0; x < width; x += 41) {
      assert.ok(tiles.some((t) => x >= t.x && x < t.x + t.width && y >= t.y && y < t.y + t.height), `${x},${y} uncovered`);
    }
    const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i - 1]! + 512 - xs[i]! >= overlap, `columns ${xs[i - 1]} and ${xs[i]} overlap less than ${overlap}`);
  }
});

test('any face up to the overlap lies wholly inside some tile', () => {
  const tiles = tileGrid(3024, 2268, 512, 99);
  for (let y = 0; y + 99 <= 2268; y += 23) for (let x = 0; x + 99 <= 3024; x += 29) {
    assert.ok(tiles.some((t) => x >= t.x && y >= t.y && x + 99 <= t.x + t.width && y + 99 <= t.y + t.height), `a 99 px face at ${x},${y} is cut by every tile`);
  }
});

test('a 12 MP photo gets a level where 40 px faces are 30 px, and coarser levels until the whole image takes over', () => {
  const levels = planPyramid(4032, 3024, SSD);
  assert.equal(levels.length, 2);
  assert.equal(levels[0]!.scale, 0.75);
  assert.deepEqual([levels[0]!.width, levels[0]!.height], [3024, 2268]);
  assert.equal(levels[1]!.scale, 0.25);
  // Each level's overlap (in its own px) holds the largest face it answers for: what the next level finds, +10%.
  const cols = [...new Set(levels[0]!.tiles.map((t) => t.x))].sort((a, b) => a - b);
  assert.ok(cols[0]! + 512 - cols[1]! >= Math.ceil((30 / 0.25) * 0.75 * 1.1));
});

test('photos small enough for the whole-image pass get no tiles; faces are never enlarged', () => {
  assert.deepEqual(planPyramid(640, 480, SSD), []); // 40 px faces are 32 px at 512: the single pass sees them
  assert.deepEqual(planPyramid(250, 250, SSD), []);
  const levels = planPyramid(1600, 1200, { ...SSD, minFace: 10 });
  assert.equal(levels[0]!.scale, 1, 'a 10 px face is not made bigger than it is');
});

test('bad tiling options name their field', () => {
  assert.throws(() => planPyramid(100, 100, { ...SSD, minFace: 0 }), (e: unknown) => e instanceof TilingError && e.field === 'minFace');
  assert.throws(() => planPyramid(100, 100, { ...SSD, levelRatio: 1 }), (e: unknown) => e instanceof TilingError && e.field === 'levelRatio');
  assert.throws(() => planPyramid(100, 100, { ...SSD, detectableFace: 400 }), (e: unknown) => e instanceof TilingError && e.field === 'detectableFace');
  assert.throws(() => tileGrid(100, 100, 50, 50), (e: unknown) => e instanceof TilingError && e.field === 'overlap');
});

test('boxes touching a tile edge inside the level are cut faces; edges on the level border are not', () => {
  const tile: Box = { x: 400, y: 0, width: 512, height: 512 };
  assert.equal(touchesInnerEdge({ x: 400, y: 100, width: 50, height: 50 }, tile, 2000, 512), true); // left edge, inside the level
  assert.equal(touchesInnerEdge({ x: 600, y: 0, width: 50, height: 50 }, tile, 2000, 512), false); // top edge = level border
  assert.equal(touchesInnerEdge({ x: 860, y: 462, width: 52, height: 50 }, tile, 2000, 512), true); // right edge, inside
  assert.equal(touchesInnerEdge({ x: 600, y: 200, width: 50, height: 50 }, tile, 2000, 512), false);
});

test('merging keeps the first of duplicates, drops parts inside a face found earlier, keeps neighbours', () => {
  const face = { box: { x: 100, y: 100, width: 200, height: 200 }, score: 0.9 }; // whole image
  const duplicate = { box: { x: 110, y: 95, width: 190, height: 210 }, score: 0.95 }; // the same face in a tile
  const eye = { box: { x: 140, y: 150, width: 40, height: 40 }, score: 0.99 }; // inside the face: a part, not a face
  const neighbour = { box: { x: 310, y: 120, width: 150, height: 150 }, score: 0.6 };
  const small = { box: { x: 600, y: 600, width: 40, height: 40 }, score: 0.55 }; // found only in a fine tile
  assert.deepEqual(mergeDetections([face, neighbour, duplicate, eye, small]), [face, neighbour, small]);
  assert.equal(overlapOfSmaller(eye.box, face.box), 1);
  assert.equal(overlapOfSmaller(face.box, neighbour.box), 0);
  // A neighbour overlapping a little (hair over a shoulder) survives; a threshold of 0 drops it.
  const touching = { box: { x: 280, y: 100, width: 200, height: 200 }, score: 0.8 };
  assert.deepEqual(mergeDetections([face, touching]), [face, touching]);
  assert.deepEqual(mergeDetections([face, touching], 0), [face]);
});

test('tile and level boxes map back to image pixels', () => {
  assert.deepEqual(toImageBox({ x: 10, y: 20, width: 30, height: 40 }, 0.5, 100, 200), { x: 220, y: 440, width: 60, height: 80 });
  assert.deepEqual(toImageBox({ x: 10, y: 20, width: 30, height: 40 }, 1), { x: 10, y: 20, width: 30, height: 40 });
});

test('shrinkArea averages the pixels each output pixel covers; cropRgb copies a rectangle', () => {
  // 4x2 image: left 2x2 block black/white checker, right block all 200.
  const data = new Uint8Array([0, 0, 0, 255, 255, 255, 200, 200, 200, 200, 200, 200, 255, 255, 255, 0, 0, 0, 200, 200, 200, 200, 200, 200]);
  const small = shrinkArea({ data, width: 4, height: 2 }, 2, 1);
  assert.deepEqual([...small.data], [128, 128, 128, 200, 200, 200]);
  const same = { data, width: 4, height: 2 };
  assert.equal(shrinkArea(same, 4, 2), same);
  assert.throws(() => shrinkArea(same, 5, 2), RangeError);
  const crop = cropRgb(same, 2, 1, 2, 1);
  assert.deepEqual([...crop.data], [200, 200, 200, 200, 200, 200]);
  assert.throws(() => cropRgb(same, 3, 0, 2, 1), RangeError);
});
