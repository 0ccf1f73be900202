/**
 * Names in XMP, through the real ExifTool on real JPEGs: regions written by ExifTool itself are imported by a
 * scan, Facet's export writes them back, and a fresh database rebuilt from those files has every name and box.
 * The face "detector" is a stand-in (testing.ts); the real models run in test/integration/xmp.test.ts.
 */
import { namesFromMetadata } from './regionImport.ts';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { ExifTool } from 'exiftool-vendored';
import type { PhotoAnalyser } from '../faces/analysisPool.ts';
import { scanLibrary } from './libraryScan.ts';
import { createTestStore } from '../store/testing.ts';
import type { Store } from '../store/index.ts';
import { ExifToolMetadata, type RegionReader } from '../xmp/exiftoolMetadata.ts';
import { exportXmp } from './exportXmp.ts';
import { assertSameNamedFaces, demoPhoto, fixedAnalyser, namedFacesOf, tempDir } from './testing.ts';

const exiftool = new ExifTool({ maxProcs: 1 });
after(() => exiftool.end());

function scan(store: Store, root: string, analyser: PhotoAnalyser, regions?: RegionReader) {
  return scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'fixed-embedder', createPool: async () => analyser, names: regions && namesFromMetadata(regions) });
}

// Upright pixels of the 1920×1280 demo photo (1280×1920 upright when stored turned with orientation 6).
const ANN = { x: 300, y: 200, width: 180, height: 220 };
const BO = { x: 900, y: 250, width: 160, height: 200 };

test('names that ExifTool wrote (MWG in a photo.xmp sidecar, Microsoft regions in the file) become named faces', async (t) => {
  const root = tempDir(t);
  const photo = path.join(root, 'party.jpg');
  await demoPhoto(photo);
  // Lightroom's sidecar naming, MWG regions, centre-based: Ann's box centre is (390, 310) of 1920×1280.
  await exiftool.write(path.join(root, 'party.xmp'), { RegionInfo: {
    AppliedToDimensions: { W: 1920, H: 1280, Unit: 'pixel' },
    RegionList: [{ Area: { X: 390 / 1920, Y: 310 / 1280, W: 180 / 1920, H: 220 / 1280, Unit: 'normalized' }, Type: 'Face', Name: 'Ann Lee' }],
  } } as never, ['-overwrite_original']);
  // Windows Photo Gallery's regions inside the JPEG: Bo over a detected face, Cy where nothing was detected.
  await exiftool.write(photo, { RegionInfoMP: { Regions: [
    { Rectangle: `${900 / 1920}, ${250 / 1280}, ${160 / 1920}, ${200 / 1280}`, PersonDisplayName: 'Bo' },
    { Rectangle: `${1500 / 1920}, ${100 / 1280}, ${96 / 1920}, ${128 / 1280}`, PersonDisplayName: 'Cy' },
  ] } } as never, ['-overwrite_original']);

  const store = createTestStore();
  const reader = new ExifToolMetadata();
  t.after(() => reader.dispose());
  // The detector finds Ann a little off her region (IoU ~0.8) and Bo exactly; Cy it misses.
  const analyser = fixedAnalyser({ 'party.jpg': [{ x: 310, y: 210, width: 180, height: 220 }, BO, { x: 40, y: 40, width: 100, height: 100 }] });
  const report = await scan(store, root, analyser, reader);
  assert.equal(report.namesImported, 3);
  const faces = store.faces.list();
  assert.equal(faces.length, 4, 'three detections and one manual face for Cy');
  const byName = new Map(faces.map((face) => [face.personName, face]));
  assert.deepEqual(byName.get('Ann Lee')!.box, { x: 310, y: 210, width: 180, height: 220 }, 'a name goes onto the detected face');
  assert.deepEqual(byName.get('Bo')!.box, BO);
  const cy = byName.get('Cy')!;
  assert.equal(store.faces.get(cy.id)!.source, 'manual');
  for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(cy.box[key] - { x: 1500, y: 100, width: 96, height: 128 }[key]) < 1e-3);
  assert.ok(store.embeddings.get(cy.id, 'fixed-embedder'), 'the manual face is described inside its box, so clustering sees it');
  for (const face of faces.filter((f) => f.personName !== null)) assert.equal(face.assignedBy, 'user', 'imported names are user decisions');
  assert.equal(faces.find((face) => face.personName === null)!.box.x, 40, 'the unnamed detection stays unnamed');

  // A rescan of the unchanged library reads nothing again; a changed photo is re-detected without duplicates.
  assert.equal((await scan(store, root, analyser, reader)).namesImported, 0);
  await exiftool.write(photo, { Title: 'edited' } as never, ['-overwrite_original']);
  const again = await scan(store, root, analyser, reader);
  assert.equal(again.changed, 1);
  assert.equal(store.faces.list().length, 4);
});

test('export then a fresh import reproduces every name and box within a pixel, EXIF orientation included', async (t) => {
  const root = tempDir(t);
  await demoPhoto(path.join(root, 'turned.jpg'), 6);
  await demoPhoto(path.join(root, 'plain.jpg'), 1);
  const boxes = { 'turned.jpg': [ANN, BO], 'plain.jpg': [ANN] };
  const store = createTestStore();
  await scan(store, root, fixedAnalyser(boxes));
  const turned = store.photos.findByPath(path.join(root, 'turned.jpg'))!;
  assert.deepEqual([turned.width, turned.height], [1920, 1280], 'stored turned, seen upright');
  const faceIn = (file: string, box: typeof ANN) => store.faces.list().find((f) => f.photoPath.endsWith(file) && f.box.x === box.x)!.id;
  const ann = store.persons.create({ name: 'Ann Lee' }), bo = store.persons.create({ name: 'Émile Bo' });
  store.assignments.assignByUser([faceIn('turned.jpg', ANN), faceIn('plain.jpg', ANN)], ann.id);
  store.assignments.assignByUser([faceIn('turned.jpg', BO)], bo.id);
  const drawn = store.faces.insert(turned.id, { box: { x: 1000.25, y: 900.5, width: 120.75, height: 150 }, landmarks: null, score: null, source: 'manual' });
  store.assignments.assignByUser([drawn], store.persons.create({ name: 'Drawn' }).id);

  const writer = new ExifToolMetadata();
  t.after(() => writer.dispose());
  const exported = await exportXmp(store, writer);
  assert.deepEqual(exported.failed, []);
  assert.equal(exported.regions, 4);
  assert.deepEqual(exported.written.map((file) => path.basename(file)).sort(), ['plain.jpg.xmp', 'turned.jpg.xmp']);

  // The sidecar says what MWG says: dimensions and areas of the stored (unrotated) image, centre-based.
  const sidecar = await exiftool.read(path.join(root, 'turned.jpg.xmp')) as { RegionInfo: { AppliedToDimensions: { W: number; H: number }; RegionList: Array<{ Name: string; Type: string; Area: Record<string, number | string> }> } };
  assert.deepEqual([sidecar.RegionInfo.AppliedToDimensions.W, sidecar.RegionInfo.AppliedToDimensions.H], [1280, 1920]);
  const annArea = sidecar.RegionInfo.RegionList.find((r) => r.Name === 'Ann Lee')!.Area;
  // Upright (300, 200, 180×220) of 1920×1280, turned back a quarter into the stored 1280×1920:
  // stored left = upright top (200), stored top = 1920 - upright right (480), width and height swap.
  assert.ok(Math.abs(Number(annArea.X) - (200 + 110) / 1280) < 1e-6 && Math.abs(Number(annArea.Y) - (1920 - 480 + 90) / 1920) < 1e-6, JSON.stringify(annArea));
  assert.equal(annArea.Unit, 'normalized');

  const fresh = createTestStore();
  const reader = new ExifToolMetadata();
  t.after(() => reader.dispose());
  await scan(fresh, root, fixedAnalyser(boxes), reader);
  assertSameNamedFaces(namedFacesOf(fresh), namedFacesOf(store));
});

test('--in-place writes into the photo only; a second export replaces its own regions and keeps foreign ones', async (t) => {
  const root = tempDir(t);
  const photo = path.join(root, 'p.jpg');
  await demoPhoto(photo);
  await exiftool.write(photo, { RegionInfo: { AppliedToDimensions: { W: 1920, H: 1280, Unit: 'pixel' }, RegionList: [
    { Area: { X: 0.9, Y: 0.9, W: 0.05, H: 0.05, Unit: 'normalized' }, Type: 'Pet', Name: 'Rex' },
  ] } } as never, ['-overwrite_original']);
  const store = createTestStore();
  await scan(store, root, fixedAnalyser({ 'p.jpg': [ANN] }));
  const person = store.persons.create({ name: 'Ann' });
  store.assignments.assignByUser([store.faces.list()[0]!.id], person.id);
  const writer = new ExifToolMetadata();
  t.after(() => writer.dispose());
  await exportXmp(store, writer, { inPlace: true });
  store.persons.rename(person.id, 'Ann Lee');
  await exportXmp(store, writer, { inPlace: true });
  assert.equal(existsSync(`${photo}.xmp`), false, 'no sidecar');
  assert.deepEqual((await fs.readdir(root)).sort(), ['p.jpg'], 'no _original copy either');
  const tags = await exiftool.read(photo) as { RegionInfo: { RegionList: Array<{ Name: string; Type: string }> } };
  assert.deepEqual(tags.RegionInfo.RegionList.map((r) => `${r.Type}:${r.Name}`), ['Pet:Rex', 'Face:Ann Lee']);
});

test('without a working ExifTool the scan goes on and says why once', async (t) => {
  const root = tempDir(t);
  await demoPhoto(path.join(root, 'a.jpg'));
  await demoPhoto(path.join(root, 'b.jpg'));
  const warnings: string[] = [];
  const reader = new ExifToolMetadata({ exiftoolPath: path.join(root, 'no-such-exiftool'), onWarning: (message) => warnings.push(message) });
  t.after(() => reader.dispose());
  const store = createTestStore();
  const report = await scan(store, root, fixedAnalyser({ 'a.jpg': [ANN], 'b.jpg': [BO] }), reader);
  assert.equal(report.analysed, 2);
  assert.equal(report.faces, 2);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /ExifTool could not start/);
});
