/**
 * The library changing under Facet, with the real pipeline and a real SQLite file: a folder that is renamed
 * away, or left empty like an unmounted drive, then comes back; and the user renaming, assigning, rejecting,
 * merging and drawing faces on a second connection while a scan re-detects the very photos they touch.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { AnalysisPool } from '../../main/faces/analysisPool.ts';
import { intersectionOverUnion } from '../../main/library/boxOverlap.ts';
import type { PhotoAnalyser } from '../../main/faces/analysisPool.ts';
import { scanLibrary, type ScanReport } from '../../main/people/libraryScan.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { DEMO_DIR } from './hostileFiles.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { tally } from './tally.ts';

let dir: string;
let pool: AnalysisPool;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-library-'));
  pool = await AnalysisPool.create({ workers: 0 });
});

after(async () => {
  await pool.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** A scan on the shared pool; `beforeAnalyse` runs as each file's analysis starts. */
function scan(store: Store, roots: string[], beforeAnalyse?: (file: string) => void): Promise<ScanReport> {
  const wrapped: PhotoAnalyser = {
    workers: 1,
    analyse: async (file: string) => {
      beforeAnalyse?.(file);
      return pool.analyse(file);
    },
    close: async () => {},
  };
  return scanLibrary({ store, roots, detectorId: pool.detector, embedderId: pool.embedder, createPool: async () => wrapped });
}

/** Counts and fails on user-made items that `before` has and the store lacks now. */
function expectNothingLost(store: Store, before: ReadonlySet<string>, moment: string): void {
  const lost = missingItems(before, userItems(store));
  tally('itemsLost', lost.length, moment);
  assert.deepEqual(lost, [], `user-made items lost ${moment}`);
  assert.deepEqual(databaseProblems(store), [], moment);
}

test('a library folder that goes away keeps its photos, faces and names, and they come back with it', async () => {
  const root = path.join(dir, 'Pictures');
  const group = path.join(root, 'trip', 'group.jpg'), dated = path.join(root, 'dated.jpg');
  await fs.mkdir(path.dirname(group), { recursive: true });
  await fs.copyFile(path.join(DEMO_DIR, 'sample2.jpg'), group);
  await sharp({ create: { width: 60, height: 40, channels: 3, background: '#405060' } })
    .jpeg().withExif({ IFD2: { DateTimeOriginal: '2021:05:06 07:08:09' } }).toFile(dated);
  const store = openStore(path.join(dir, 'away.db'));
  try {
    await scan(store, [root]);
    const faces = store.faces.list();
    assert.ok(faces.length >= 2, `faces found: ${faces.length}`);
    const ann = store.persons.create({ name: 'Ann' });
    store.assignments.assignByUser([faces[0]!.id], ann.id);
    store.constraints.add(faces[1]!.id, ann.id, 'not');
    store.persons.create({ name: 'Bob, no faces yet' });
    const items = userItems(store);
    const photos = () => [group, dated].map((file) => store.photos.findByPath(file));
    const known = photos();
    const rootRow = () => store.roots.findByPath(root)!;

    await fs.rename(root, `${root}.away`);
    const offline = await scan(store, [root]);
    assert.deepEqual(offline.offlineRoots, [root]);
    assert.equal(rootRow().online, false);
    assert.deepEqual(photos(), known, 'an offline folder\'s photos are left exactly as they were');
    assert.equal(store.faces.list().length, faces.length);
    expectNothingLost(store, items, 'while the folder is away');

    await fs.mkdir(root); // an empty mount point: the drive is unplugged, the folder stays
    const empty = await scan(store, [root]);
    assert.equal(empty.missing, 2);
    assert.deepEqual(photos().map((photo) => photo?.status), ['missing', 'missing']);
    assert.equal(store.faces.list().length, faces.length, 'missing photos keep their faces');
    expectNothingLost(store, items, 'while the folder is empty');

    await fs.rmdir(root);
    await fs.rename(`${root}.away`, root);
    const back = await scan(store, [root]);
    assert.equal(rootRow().online, true);
    assert.equal(back.analysed, 0, 'nothing is analysed again');
    assert.deepEqual(photos().map((photo) => photo?.status), ['ok', 'ok'], 'photos that come back are no longer missing');
    expectNothingLost(store, items, 'after the folder came back');

    // Touched (same content, new mtime) and moved: the photo keeps its size in pixels and its date taken.
    await fs.utimes(dated, new Date(), new Date());
    await fs.mkdir(path.join(root, 'moved'));
    await fs.rename(group, path.join(root, 'moved', 'group.jpg'));
    const shuffled = await scan(store, [root]);
    assert.deepEqual([shuffled.changed, shuffled.moved, shuffled.analysed], [0, 1, 0], 'the touched file is unchanged: same bytes');
    const after = [path.join(root, 'moved', 'group.jpg'), dated].map((file) => store.photos.findByPath(file)!);
    for (const [i, photo] of after.entries()) {
      assert.deepEqual([photo.id, photo.width, photo.height, photo.takenAt], [known[i]!.id, known[i]!.width, known[i]!.height, known[i]!.takenAt]);
    }
    assert.equal(known[1]!.takenAt, '2021-05-06T07:08:09');
    expectNothingLost(store, items, 'after a touch and a move');
  } finally {
    store.close();
  }
});

test('decisions made on another connection while a scan re-detects the same photos are all kept', async () => {
  const root = path.join(dir, 'edits');
  await fs.mkdir(root);
  const a = path.join(root, 'a.jpg'), b = path.join(root, 'b.jpg');
  await fs.copyFile(path.join(DEMO_DIR, 'sample2.jpg'), a);
  await fs.copyFile(path.join(DEMO_DIR, 'sample3.jpg'), b);
  const file = path.join(dir, 'edits.db');
  const store = openStore(file);
  const other = openStore(file);
  try {
    await scan(store, [root]);
    const photoA = store.photos.findByPath(a)!.id, photoB = store.photos.findByPath(b)!.id;
    const facesA = store.faces.listByPhoto(photoA), facesB = store.faces.listByPhoto(photoB);
    assert.ok(facesA.length >= 3 && facesB.length >= 3, `faces: ${facesA.length}, ${facesB.length}`);
    const ann = store.persons.create({ name: 'Ann' }), bob = store.persons.create({ name: 'Bob' }), cy = store.persons.create({ name: 'Cy' });
    store.assignments.assignByUser([facesA[0]!.id], ann.id);
    store.assignments.assignByUser([facesB[0]!.id], bob.id);
    store.assignments.assignByUser([facesB[1]!.id], cy.id);

    // New bytes, same people: both photos are re-detected, and their faces matched to the stored ones.
    for (const file of [a, b]) await fs.writeFile(file, await sharp(await fs.readFile(file)).jpeg({ quality: 70 }).toBuffer());
    let expected: Set<string> | undefined;
    const report = await scan(store, [root], (analysed) => {
      if (analysed === a) {
        other.persons.rename(ann.id, 'Ann Lee');
        other.assignments.assignByUser([facesA[1]!.id], bob.id);
        other.constraints.add(facesA[2]!.id, ann.id, 'not');
        other.faces.insert(photoA, { box: { x: 1, y: 1, width: 30, height: 30 }, landmarks: null, score: null, source: 'manual' });
      } else {
        other.persons.merge(cy.id, bob.id);
        other.assignments.assignByUser([facesB[2]!.id], ann.id);
        expected = userItems(other);
      }
    });
    assert.equal(report.analysed, 2);
    assert.ok(expected && expected.size >= 9, `the decisions were made mid-scan: ${expected?.size}`);
    expectNothingLost(store, expected, 'after a scan that ran during the edits');
    for (const photoId of [photoA, photoB]) {
      const boxes = store.faces.listByPhoto(photoId).map((face) => face.box);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          assert.ok(intersectionOverUnion(boxes[i]!, boxes[j]!) < 0.5, `photo ${photoId}: faces ${i} and ${j} are one face stored twice`);
        }
      }
    }
    assert.equal(store.faces.listByPhoto(photoA).length, facesA.length + 1, 'the drawn face is kept beside the detected ones');
    assert.equal(store.faces.listByPhoto(photoB).length, facesB.length);
  } finally {
    other.close();
    store.close();
  }
});
