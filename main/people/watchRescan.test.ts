/**
 * The watcher on a real folder: real file events (chokidar), the real incremental scan and store, real ExifTool
 * for a sidecar; only the face "detector" is a stand-in (testing.ts).
 */
import { namesFromMetadata } from './regionImport.ts';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ExifTool } from 'exiftool-vendored';
import { scanLibrary } from './libraryScan.ts';
import { createTestStore } from '../store/testing.ts';
import { ExifToolMetadata } from '../xmp/exiftoolMetadata.ts';
import { demoPhoto, fixedAnalyser, tempDir } from './testing.ts';
import { LibraryWatcher } from '../library/watch.ts';
import { watchRescan } from './watchRescan.ts';
import { scanIntoPeople } from './scanPipeline.ts';

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('added, changed, moved and deleted photos are picked up while watching; a move keeps faces and names', async (t) => {
  const root = tempDir(t);
  const store = createTestStore();
  const reader = new ExifToolMetadata();
  t.after(() => reader.dispose());
  const ann = { x: 300, y: 200, width: 180, height: 220 }, bo = { x: 900, y: 250, width: 160, height: 200 };
  const analyser = fixedAnalyser({ 'a.jpg': [ann, bo], 'b.jpg': [bo] });
  const scan = (roots: string[]) => scanLibrary({ store, roots, detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser, names: namesFromMetadata(reader) });
  await demoPhoto(path.join(root, 'a.jpg'));
  await scan([root]);
  const a = store.photos.findByPath(path.join(root, 'a.jpg'))!;
  const annFace = store.faces.listByPhoto(a.id).find((face) => face.box.x === ann.x)!;
  store.assignments.assignByUser([annFace.id], store.persons.create({ name: 'Ann' }).id);

  const batches: string[][] = [];
  const watcher = await LibraryWatcher.start({
    roots: [root], debounceMs: 200, stabilityMs: 200,
    rescan: watchRescan({ store, reader, scan: (roots) => { batches.push(roots); return scan(roots); } }),
    onError: (error) => { throw error; },
  });
  t.after(() => watcher.close());

  const b = path.join(root, 'b.jpg');
  await demoPhoto(b, 3);
  await waitFor('the new photo', () => store.photos.findByPath(b)?.detectorId === 'fixed');
  assert.equal(store.faces.listByPhoto(store.photos.findByPath(b)!.id).length, 1);

  const hashBefore = store.photos.findByPath(b)!.contentHash;
  await demoPhoto(b, 1);
  await waitFor('the changed photo', () => store.photos.findByPath(b)!.contentHash !== hashBefore);

  await fs.mkdir(path.join(root, 'trip'));
  const moved = path.join(root, 'trip', 'moved.jpg');
  await fs.rename(path.join(root, 'a.jpg'), moved);
  await waitFor('the moved photo', () => store.photos.findByPath(moved) !== undefined);
  assert.equal(store.photos.findByPath(moved)!.id, a.id, 'the same photo row, so faces and names follow');
  assert.equal(store.faces.list({ photoId: a.id }).find((face) => face.id === annFace.id)!.personName, 'Ann');

  await fs.rm(b);
  await waitFor('the deleted photo', () => store.photos.findByPath(b)!.status === 'missing');
  await watcher.idle();
  const analysedBefore = analyser.analysed.length;

  // A sidecar written by another program names the second face: read at once, with no new analysis.
  const exiftool = new ExifTool({ maxProcs: 1 });
  t.after(() => exiftool.end());
  await exiftool.write(`${moved}.xmp`, { RegionInfo: { AppliedToDimensions: { W: 1920, H: 1280, Unit: 'pixel' }, RegionList: [
    { Area: { X: 980 / 1920, Y: 350 / 1280, W: 160 / 1920, H: 200 / 1280, Unit: 'normalized' }, Type: 'Face', Name: 'Bo' },
  ] } } as never, ['-overwrite_original']);
  await waitFor('the name from the sidecar', () => store.faces.list({ photoId: a.id }).some((face) => face.personName === 'Bo'));
  await watcher.idle();
  assert.equal(analyser.analysed.length, analysedBefore, 'names from a sidecar over known faces need no analysis');
  assert.ok(batches.length >= 4 && batches.every((roots) => roots.length === 1 && roots[0] === root), JSON.stringify(batches));
});

test('a plain scan (no watcher) reads a sidecar written since the last scan beside a photo already analysed', async (t) => {
  const root = tempDir(t);
  const store = createTestStore();
  const reader = new ExifToolMetadata();
  t.after(() => reader.dispose());
  const bo = { x: 980, y: 350, width: 160, height: 200 };
  const analyser = fixedAnalyser({ 'a.jpg': [bo] });
  const scan = () => scanIntoPeople({ store, roots: [root], reader, detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  const photo = path.join(root, 'a.jpg');
  await demoPhoto(photo);
  await scan();
  const analysed = analyser.analysed.length;

  // Digikam or Lightroom names the face while Facet is closed: only `facet watch` used to see it.
  const exiftool = new ExifTool({ maxProcs: 1 });
  t.after(() => exiftool.end());
  await exiftool.write(`${photo}.xmp`, { RegionInfo: { AppliedToDimensions: { W: 1920, H: 1280, Unit: 'pixel' }, RegionList: [
    { Area: { X: 1060 / 1920, Y: 450 / 1280, W: 160 / 1920, H: 200 / 1280, Unit: 'normalized' }, Type: 'Face', Name: 'Bo' },
  ] } } as never, ['-overwrite_original']);
  const later = new Date(Date.now() + 2000);
  await fs.utimes(`${photo}.xmp`, later, later);
  const report = await scan();
  assert.equal(report.unchanged, 1);
  assert.equal(report.namesImported, 1);
  assert.deepEqual(store.faces.list().map((face) => face.personName), ['Bo']);
  assert.equal(analyser.analysed.length, analysed, 'no analysis needed');
  assert.equal((await scan()).namesImported, 0, 'read once');
});
