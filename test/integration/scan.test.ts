/**
 * The scan stage end to end with the real models, a real SQLite file and real images:
 * generated images for the file bookkeeping (added, changed, moved, deleted, broken),
 * the face-api demo photos and LFW images for faces.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { AnalysisPool } from '../../main/faces/analysisPool.ts';
import { scanLibrary, type ScanReport } from '../../main/people/libraryScan.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { DEMO_DIR, LFW_SKIP, lfwImage } from './lfwData.ts';

let dir: string;
let store: Store;
let pool: AnalysisPool;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-scan-'));
  store = openStore(path.join(dir, 'facet.db'));
  // One in-process pipeline shared by every scan here; closing is left to after().
  pool = await AnalysisPool.create({ workers: 0 });
});

after(async () => {
  store.close();
  await pool.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function scan(roots: string[]): Promise<ScanReport> {
  const shared = {
    analyse: (file: string) => pool.analyse(file),
    embedAt: (file: string, landmarks: Parameters<AnalysisPool['embedAt']>[1], time?: number) => pool.embedAt(file, landmarks, time),
    workers: 1, close: async () => {},
  } as unknown as AnalysisPool;
  return scanLibrary({ store, roots, detectorId: pool.detector, embedderId: pool.embedder, createPool: async () => shared });
}

async function noiseImage(file: string, seed: number): Promise<void> {
  const width = 64, height = 48;
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 97) % 251;
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

test('rescans find added, changed, moved and deleted files; broken files are reported by name', async () => {
  const root = path.join(dir, 'generated');
  await fs.mkdir(path.join(root, 'a'), { recursive: true });
  for (let i = 0; i < 4; i++) await noiseImage(path.join(root, 'a', `img${i}.png`), i);
  const first = await scan([root]);
  assert.equal(first.added, 4);
  assert.equal(first.analysed, 4);
  assert.deepEqual(first.failed, []);
  const movedBefore = store.photos.findByPath(path.join(root, 'a', 'img1.png'))!;

  await noiseImage(path.join(root, 'a', 'new.png'), 9); // added
  await noiseImage(path.join(root, 'a', 'img0.png'), 42); // changed content
  await fs.mkdir(path.join(root, 'b'));
  await fs.rename(path.join(root, 'a', 'img1.png'), path.join(root, 'b', 'renamed.png')); // moved
  await fs.rm(path.join(root, 'a', 'img2.png')); // deleted
  await fs.writeFile(path.join(root, 'a', 'zero.jpg'), Buffer.alloc(0));
  await fs.writeFile(path.join(root, 'a', 'random.jpg'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  await fs.writeFile(path.join(root, 'a', 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));

  const second = await scan([root]);
  assert.equal(second.unchanged, 1);
  assert.equal(second.changed, 1);
  assert.equal(second.moved, 1);
  assert.equal(second.missing, 1);
  assert.equal(second.added, 4); // new.png and the three broken files
  const failedNames = second.failed.map((failure) => path.basename(failure.file)).sort();
  assert.deepEqual(failedNames, ['random.jpg', 'truncated.jpg', 'zero.jpg']);
  for (const failure of second.failed) assert.ok(failure.message.includes(failure.file), failure.message);
  const moved = store.photos.findByPath(path.join(root, 'b', 'renamed.png'))!;
  assert.equal(moved.id, movedBefore.id, 'a moved photo keeps its id, so its faces and names follow it');
  assert.equal(store.photos.findByPath(path.join(root, 'a', 'img2.png'))!.status, 'missing');
  assert.equal(store.photos.findByPath(path.join(root, 'a', 'new.png'))!.status, 'ok');

  const third = await scan([root]);
  assert.equal(third.analysed, 0, `an unchanged library analyses nothing: ${JSON.stringify(third)}`);
  assert.equal(third.added + third.changed + third.moved + third.missing, 0, JSON.stringify(third));
});

test('real photos: every clearly visible face is found, embedded and stored once', { skip: LFW_SKIP }, async () => {
  const root = path.join(dir, 'real');
  await fs.mkdir(path.join(root, 'lfw'), { recursive: true });
  for (const sample of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg']) await fs.copyFile(path.join(DEMO_DIR, sample), path.join(root, sample));
  const lfw = [lfwImage('Aaron_Peirsol', 1), lfwImage('Aaron_Peirsol', 2), lfwImage('Abdullah_Gul', 1)];
  for (const file of lfw) await fs.copyFile(file, path.join(root, 'lfw', path.basename(file)));
  const tensorsBefore = tf.memory().numTensors;

  const report = await scan([root]);
  assert.deepEqual(report.failed, []);
  assert.ok(report.faces >= 3 + 3 + 3 + 3, `found ${report.faces} faces`);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaks across a scan');
  const rootId = store.roots.findByPath(root)!.id;
  const photoIds = new Set(store.photos.listForRescan(rootId).map((photo) => photo.id));
  const faces = store.faces.list().filter((face) => photoIds.has(face.photoId));
  assert.equal(faces.length, report.faces);
  for (const face of faces) {
    const vector = store.embeddings.get(face.id, pool.embedder)!;
    assert.equal(vector.length, 128);
    const norm = Math.hypot(...vector);
    assert.ok(Math.abs(norm - 1) < 1e-4, `embedding norm ${norm}`);
    assert.ok(store.faces.thumbnail(face.id)!.length > 100, 'a thumbnail is stored');
  }
  // Two photos of one person are closer than photos of two people.
  const byFile = (name: string) => store.embeddings.get(faces.find((face) => face.photoPath.endsWith(name))!.id, pool.embedder)!;
  const distance = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + (value - b[i]!) ** 2, 0);
  const same = distance(byFile('Aaron_Peirsol_0001.jpg'), byFile('Aaron_Peirsol_0002.jpg'));
  const different = distance(byFile('Aaron_Peirsol_0001.jpg'), byFile('Abdullah_Gul_0001.jpg'));
  assert.ok(same < different, `same ${same} vs different ${different}`);

  // Name the person in a photo, move the photo: the face and its name follow.
  const face = faces.find((candidate) => candidate.photoPath.endsWith('Aaron_Peirsol_0001.jpg'))!;
  const person = store.persons.create({ name: 'Aaron Peirsol' });
  store.assignments.assignByUser([face.id], person.id);
  await fs.rename(path.join(root, 'lfw', 'Aaron_Peirsol_0001.jpg'), path.join(root, 'moved.jpg'));
  const rescan = await scan([root]);
  assert.equal(rescan.moved, 1);
  assert.equal(rescan.analysed, 0);
  const after = store.faces.list({ personId: person.id });
  assert.equal(after.length, 1);
  assert.equal(after[0]!.photoPath, path.join(root, 'moved.jpg'));
  assert.equal(after[0]!.personName, 'Aaron Peirsol');
});

test('real photos changed under their names: swapped files keep their names, a replaced photo loses its named face and says so, a cropped one keeps it', { skip: LFW_SKIP }, async () => {
  const root = path.join(dir, 'changes');
  await fs.mkdir(root, { recursive: true });
  const originals = { 'a.jpg': lfwImage('Aaron_Peirsol', 1), 'b.jpg': lfwImage('Abdullah_Gul', 1), 'c.jpg': lfwImage('Aaron_Peirsol', 2), 'd.jpg': lfwImage('Abdullah_Gul', 2) };
  for (const [name, file] of Object.entries(originals)) await fs.copyFile(file, path.join(root, name));
  const first = await scan([root]);
  assert.equal(first.faces, 4, 'one face in each');
  const faceIn = (name: string) => store.faces.list().filter((face) => face.photoPath === path.join(root, name));
  const aaron = store.persons.create({ name: 'Aaron' }), abdullah = store.persons.create({ name: 'Abdullah' });
  store.assignments.assignByUser([faceIn('a.jpg')[0]!.id, faceIn('c.jpg')[0]!.id], aaron.id);
  store.assignments.assignByUser([faceIn('b.jpg')[0]!.id, faceIn('d.jpg')[0]!.id], abdullah.id);
  const croppedBefore = faceIn('d.jpg')[0]!;

  // a.jpg and b.jpg swapped; c.jpg (Aaron) overwritten with a photo of Abdullah; d.jpg cropped 30 px from the left
  // and 20 from the top (its face moves within the photo).
  await fs.rename(path.join(root, 'a.jpg'), path.join(root, 'swap.tmp'));
  await fs.rename(path.join(root, 'b.jpg'), path.join(root, 'a.jpg'));
  await fs.rename(path.join(root, 'swap.tmp'), path.join(root, 'b.jpg'));
  await fs.copyFile(lfwImage('Abdullah_Gul', 3), path.join(root, 'c.jpg'));
  await sharp(originals['d.jpg']).extract({ left: 30, top: 20, width: 210, height: 220 }).jpeg({ quality: 92 }).toFile(path.join(root, 'd.tmp'));
  await fs.rename(path.join(root, 'd.tmp'), path.join(root, 'd.jpg'));
  const later = new Date(Date.now() + 5000);
  for (const name of ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']) await fs.utimes(path.join(root, name), later, later);

  const report = await scan([root]);
  assert.deepEqual([report.moved, report.changed, report.analysed], [2, 2, 2], JSON.stringify(report));
  assert.deepEqual(faceIn('a.jpg').map((face) => face.personName), ['Abdullah'], 'the names went with the swapped files');
  assert.deepEqual(faceIn('b.jpg').map((face) => face.personName), ['Aaron']);
  assert.deepEqual(report.facesGone.map((gone) => [path.basename(gone.file), gone.person]), [['c.jpg', 'Aaron']]);
  assert.deepEqual(faceIn('c.jpg').map((face) => face.personName), [null], 'the new face there is not Aaron');
  const cropped = faceIn('d.jpg');
  assert.deepEqual(cropped.map((face) => [face.id, face.personName]), [[croppedBefore.id, 'Abdullah']], 'the cropped photo keeps its face and name');
  assert.ok(Math.abs(cropped[0]!.box.x - (croppedBefore.box.x - 30)) < 8 && Math.abs(cropped[0]!.box.y - (croppedBefore.box.y - 20)) < 8,
    `at its new place: ${JSON.stringify(croppedBefore.box)} -> ${JSON.stringify(cropped[0]!.box)}`);
});
