import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Box, RgbImage } from '../core/types.ts';
import { shrinkArea } from './rgbResize.ts';
import { cellAt, cellToImage, cropAround, drawMosaic, MOSAIC_DEFAULTS, MosaicError, planMosaics, unpackDetections } from './verifyMosaic.ts';

const box = (x: number, y: number, width: number, height = width): Box => ({ x, y, width, height });
const close = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps;

/** An image whose pixel (x, y) is (x mod 256, y mod 256, (x + y) mod 256). */
function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y % 256, (x + y) % 256], (y * width + x) * 3);
  return { data, width, height };
}

test('each proposal gets a square crop centred on it, cellSize / faceInCell times its larger side', () => {
  const crop = cropAround(box(100, 200, 40, 50), MOSAIC_DEFAULTS);
  assert.ok(close(crop.width, 50 * 128 / MOSAIC_DEFAULTS.faceInCell) && crop.width === crop.height);
  assert.ok(close(crop.x + crop.width / 2, 120) && close(crop.y + crop.height / 2, 225));
});

test('proposals are packed 16 to a 512 px mosaic, row-major, in the order given', () => {
  const proposals = Array.from({ length: 20 }, (_, i) => box(i * 100, 50, 40 + i));
  const plans = planMosaics(proposals);
  assert.deepEqual(plans.map((p) => [p.side, p.cells.length]), [[512, 16], [512, 4]]);
  assert.deepEqual(plans[0]!.cells.slice(0, 6).map((c) => [c.cellX, c.cellY]), [[0, 0], [128, 0], [256, 0], [384, 0], [0, 128], [128, 128]]);
  assert.deepEqual(plans[1]!.cells.map((c) => c.proposal), [16, 17, 18, 19]);
  for (const cell of plans.flatMap((p) => p.cells)) {
    // The proposal lands faceInCell px wide in the middle of its cell.
    const p = proposals[cell.proposal]!;
    const inCell = MOSAIC_DEFAULTS.faceInCell;
    assert.ok(close(p.width * cell.scale, inCell, 1e-9));
    assert.ok(close((p.x - cell.crop.x) * cell.scale + cell.cellX + inCell / 2, cell.cellX + 64, 1e-9));
  }
  assert.deepEqual(planMosaics([]), []);
});

test('boxes found in the mosaic map back to the image through the cell their centre lies in', () => {
  const proposals = [box(1000, 500, 60), box(3000, 2000, 120)];
  const [plan] = planMosaics(proposals);
  const [first, second] = plan!.cells;
  // A box drawn exactly on each proposal, in mosaic pixels, comes back as the proposal.
  const inMosaic = (b: Box, cell: typeof first) => ({ x: cell!.cellX + (b.x - cell!.crop.x) * cell!.scale, y: cell!.cellY + (b.y - cell!.crop.y) * cell!.scale, width: b.width * cell!.scale, height: b.height * cell!.scale });
  const found = [
    { box: inMosaic(proposals[0]!, first), score: 0.9 },
    { box: inMosaic(proposals[1]!, second), score: 0.8 },
    { box: { x: 300, y: 300, width: 40, height: 40 }, score: 0.7 }, // an unused cell
  ];
  const back = unpackDetections(plan!, found, 128);
  assert.equal(back.length, 2);
  assert.deepEqual(back.map((b) => b.proposal), [0, 1]);
  back.forEach((b, i) => {
    for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(close(b.box[key], proposals[i]![key], 1e-6), `${key}: ${b.box[key]} vs ${proposals[i]![key]}`);
  });
  assert.equal(cellAt(plan!, 130, 10, 128), second);
  const mapped = cellToImage({ x: 0, y: 0, width: 128, height: 128 }, first!);
  assert.deepEqual(mapped, first!.crop);
});

test('the mosaic copies a crop at scale 1 exactly, averages a shrink, and is black outside the image and in unused cells', () => {
  const image = ramp(600, 400);
  // faceInCell 128: the crop is the proposal itself; a 128 px proposal is copied pixel for pixel.
  const same = { ...MOSAIC_DEFAULTS, faceInCell: 128 };
  const [plan] = planMosaics([box(200, 100, 128), box(-64, -64, 128)], same);
  const mosaic = drawMosaic([{ image, scale: 1 }], plan!, 128);
  for (const [x, y] of [[0, 0], [127, 0], [5, 77], [127, 127]] as const) {
    assert.deepEqual([...mosaic.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)], [...image.data.subarray(((100 + y) * 600 + 200 + x) * 3, ((100 + y) * 600 + 200 + x) * 3 + 3)]);
  }
  const at = (x: number, y: number) => [...mosaic.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)];
  assert.deepEqual(at(128 + 10, 10), [0, 0, 0], 'above and left of the image: black');
  assert.deepEqual(at(128 + 64 + 3, 64 + 2), [3, 2, 5], 'inside the image again');
  assert.deepEqual(at(300, 300), [0, 0, 0], 'unused cell');

  // A 256 px proposal in a 128 px cell: each cell pixel the mean of a 2x2 block.
  const [half] = planMosaics([box(100, 50, 256)], same);
  const shrunk = drawMosaic([{ image, scale: 1 }], half!, 128);
  const expected = shrinkArea(ramp(600, 400), 300, 200); // 2x2 means everywhere
  assert.deepEqual([...shrunk.data.subarray(0, 3)], [...expected.data.subarray((25 * 300 + 50) * 3, (25 * 300 + 50) * 3 + 3)]);
});

test('a large crop read from a shrunk level matches the one read from the photo; enlargement interpolates', () => {
  const image = ramp(800, 800);
  const level = { image: shrinkArea(image, 400, 400), scale: 0.5 };
  const [plan] = planMosaics([box(200, 200, 180)]); // crop 512 px, cell scale 0.25: the level is fine enough
  const fromPhoto = drawMosaic([{ image, scale: 1 }], plan!, 128);
  const fromLevel = drawMosaic([{ image, scale: 1 }, level], plan!, 128);
  let worst = 0;
  for (let i = 0; i < 128 * 3; i++) worst = Math.max(worst, Math.abs(fromPhoto.data[i]! - fromLevel.data[i]!));
  assert.ok(worst <= 1, `level and photo differ by ${worst}`);
  // A 20 px proposal is enlarged 2.25x: neighbouring cell pixels step smoothly along the ramp.
  const [small] = planMosaics([box(300, 300, 20)]);
  const big = drawMosaic([{ image, scale: 1 }], small!, 128);
  const xs = Array.from({ length: 10 }, (_, i) => big.data[(64 * 512 + 40 + i) * 3]!);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! - xs[i - 1]! >= 0 && xs[i]! - xs[i - 1]! <= 1, `ramp ${xs.join(',')}`);
  assert.throws(() => drawMosaic([level], plan!, 128), MosaicError);
});

test('bad mosaic options name their field', () => {
  assert.throws(() => planMosaics([box(0, 0, 10)], { ...MOSAIC_DEFAULTS, faceInCell: 0 }), (e: unknown) => e instanceof MosaicError && e.field === 'faceInCell');
  assert.throws(() => planMosaics([box(0, 0, 10)], { ...MOSAIC_DEFAULTS, cellsPerSide: 0 }), (e: unknown) => e instanceof MosaicError && e.field === 'cellsPerSide');
  assert.throws(() => planMosaics([box(0, 0, 10)], { ...MOSAIC_DEFAULTS, cellSize: 10.5 }), (e: unknown) => e instanceof MosaicError && e.field === 'cellSize');
});
