import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalise, storedSize, storedToUpright, toPixels, uprightToStored } from './orientation.ts';
import { mergeRegions, mpFaces, mwgFaces, mwgRegion, mwgRegionInfo, regionsFromTags } from './regions.ts';

const near = (a: number, b: number, tolerance = 1e-9) => assert.ok(Math.abs(a - b) <= tolerance, `${a} vs ${b}`);
const box = { x: 0.1, y: 0.2, width: 0.3, height: 0.15 };

test('every EXIF orientation maps a box to the upright image and back exactly', () => {
  for (let orientation = 1; orientation <= 8; orientation++) {
    const back = uprightToStored(storedToUpright(box, orientation), orientation);
    for (const key of ['x', 'y', 'width', 'height'] as const) near(back[key], box[key]);
  }
});

test('rotations move a box where the rotated photo shows it', () => {
  // Orientation 6: the stored image is shown turned 90° clockwise, so its top-left corner ends up top-right.
  assert.deepEqual(storedToUpright({ x: 0, y: 0, width: 0.25, height: 0.5 }, 6), { x: 0.5, y: 0, width: 0.5, height: 0.25 });
  // Orientation 8: turned 270° clockwise, the top-left corner ends up bottom-left.
  assert.deepEqual(storedToUpright({ x: 0, y: 0, width: 0.25, height: 0.5 }, 8), { x: 0, y: 0.75, width: 0.5, height: 0.25 });
  assert.deepEqual(storedToUpright(box, 1), box);
  near(storedToUpright(box, 3).x, 0.6);
  assert.deepEqual(storedSize({ width: 300, height: 400 }, 6), { width: 400, height: 300 });
  assert.deepEqual(storedSize({ width: 300, height: 400 }, 3), { width: 300, height: 400 });
});

test('MWG areas are centre-based; Microsoft rectangles top-left based; both normalised', () => {
  const mwg = mwgFaces({ RegionList: [
    { Area: { X: 0.5, Y: 0.5, W: 0.2, H: 0.4, Unit: 'normalized' }, Type: 'Face', Name: ' Ann  Lee ' },
    { Area: { X: 0.5, Y: 0.5, W: 0.2, H: 0.4 }, Type: 'Pet', Name: 'Rex' },
    { Area: { X: 0.2, Y: 0.2, W: 0.1, H: 0.1 }, Type: 'Face' },
  ] });
  assert.equal(mwg.length, 1, 'pets and unnamed faces are not imported');
  assert.equal(mwg[0]!.name, 'Ann Lee');
  near(mwg[0]!.stored.x, 0.4);
  near(mwg[0]!.stored.y, 0.3);
  const single = mwgFaces({ AppliedToDimensions: { W: 200, H: 100, Unit: 'pixel' }, RegionList: { Area: { X: 100, Y: 50, W: 20, H: 10, Unit: 'pixel' }, Name: 'Bo' } });
  near(single[0]!.stored.x, 0.45);
  near(single[0]!.stored.width, 0.1);
  const mp = mpFaces({ Regions: [{ Rectangle: '0.1, 0.2, 0.3, 0.4', PersonDisplayName: 'Cy' }, { Rectangle: 'junk', PersonDisplayName: 'Dee' }] });
  assert.deepEqual(mp, [{ name: 'Cy', stored: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 } }]);
});

test('MWG wins over a Microsoft region of the same face; other Microsoft faces are added', () => {
  const upright = { width: 1000, height: 500 };
  const regions = regionsFromTags({
    RegionInfo: { RegionList: [{ Area: { X: 0.25, Y: 0.5, W: 0.1, H: 0.2 }, Type: 'Face', Name: 'Ann' }] },
    RegionInfoMP: { Regions: [{ Rectangle: '0.2, 0.4, 0.1, 0.2', PersonDisplayName: 'Anne' }, { Rectangle: '0.7, 0.1, 0.1, 0.2', PersonDisplayName: 'Bo' }] },
  }, 1, upright);
  assert.deepEqual(regions.map((r) => r.name), ['Ann', 'Bo']);
  near(regions[0]!.box.x, 200, 1e-6);
  near(regions[0]!.box.height, 100, 1e-6);
  assert.equal(mergeRegions(regions, [{ name: 'X', box: { x: 201, y: 200, width: 100, height: 100 } }]).length, 2);
});

test('writing then reading a region gives the box back within a thousandth of a pixel, in every orientation', () => {
  const upright = { width: 4032, height: 3024 };
  const face = { name: 'Émile', box: { x: 1234.5, y: 987.25, width: 301.75, height: 402.5 } };
  for (let orientation = 1; orientation <= 8; orientation++) {
    const info = mwgRegionInfo([face], orientation, upright, undefined);
    const stored = storedSize(upright, orientation);
    assert.deepEqual(info.AppliedToDimensions, { W: stored.width, H: stored.height, Unit: 'pixel' });
    const [back] = regionsFromTags({ RegionInfo: info }, orientation, upright);
    assert.equal(back!.name, 'Émile');
    for (const key of ['x', 'y', 'width', 'height'] as const) near(back!.box[key], face.box[key], 1e-2);
  }
});

test("writing keeps another program's regions and replaces our own face", () => {
  const upright = { width: 100, height: 100 };
  const ours = { name: 'New Name', box: { x: 10, y: 10, width: 20, height: 20 } };
  const existing = { RegionList: [
    { Area: { X: 0.2, Y: 0.2, W: 0.2, H: 0.2, Unit: 'normalized' }, Type: 'Face', Name: 'Old Name' },
    { Area: { X: 0.8, Y: 0.8, W: 0.1, H: 0.1, Unit: 'normalized' }, Type: 'Face', Name: 'Someone Else' },
    { Area: { X: 0.2, Y: 0.2, W: 0.2, H: 0.2, Unit: 'normalized' }, Type: 'Focus' },
  ] };
  const info = mwgRegionInfo([ours], 1, upright, existing);
  const names = (info.RegionList as Array<{ Name?: string; Type: string }>).map((r) => r.Name ?? r.Type);
  assert.deepEqual(names, ['Someone Else', 'Focus', 'New Name']);
  assert.deepEqual(mwgRegion(ours, 1, upright).Area, { X: 0.2, Y: 0.2, W: 0.2, H: 0.2, Unit: 'normalized' });
  assert.deepEqual(toPixels(normalise(ours.box, upright), upright), ours.box);
});
