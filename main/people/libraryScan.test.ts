import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { scanLibrary } from './libraryScan.ts';
import { createTestStore } from '../store/testing.ts';
import { demoPhoto, fixedAnalyser, tempDir } from './testing.ts';

test('a paused scan leaves its folder unscanned (no "scanned" time); the next scan finishes it and says so', async (t) => {
  const root = tempDir(t);
  for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await demoPhoto(path.join(root, name));
  const store = createTestStore();
  const analyser = fixedAnalyser({});
  const controller = new AbortController();
  const pausing = { ...analyser, workers: 1, analyse: async (file: string) => {
    controller.abort(); // the user pauses while the first photo is analysed
    return analyser.analyse(file);
  } };
  const paused = await scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => pausing, signal: controller.signal });
  assert.equal(paused.status, 'cancelled');
  assert.ok(paused.analysed < 3, 'stopped before the end');
  assert.equal(store.roots.list()[0]!.lastScanAt, null, 'not marked scanned');

  const finished = await scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  assert.equal(paused.analysed + finished.analysed, 3, 'the next scan does the rest');
  assert.ok(store.roots.list()[0]!.lastScanAt! > 0, 'now it is scanned');
});

test('after a switch of embedder, a scan embeds every stored face with the new one: no detection again, same faces, names kept', async (t) => {
  const root = tempDir(t);
  await demoPhoto(path.join(root, 'a.jpg'));
  await demoPhoto(path.join(root, 'b.jpg'));
  const store = createTestStore();
  const ann = { x: 300, y: 200, width: 180, height: 220 }, bo = { x: 900, y: 250, width: 160, height: 200 };
  const analyser = fixedAnalyser({ 'a.jpg': [ann, bo], 'b.jpg': [bo] });
  const scan = (embedderId: string) => scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId, createPool: async () => analyser });
  const first = await scan('old-net');
  assert.equal(first.faces, 3);
  const faceIds = store.faces.list().map((face) => face.id).sort((a, b) => a - b);
  const anna = store.persons.create({ name: 'Ann' });
  store.assignments.assignByUser([faceIds[0]!], anna.id);

  const switched = await scan('new-net');
  assert.equal(switched.analysed, 0, 'no photo detected again');
  assert.equal(switched.embedded, 3, 'every face embedded with the new network');
  assert.deepEqual(store.faces.list().map((face) => face.id).sort((a, b) => a - b), faceIds, 'the same faces');
  for (const id of faceIds) assert.ok(store.embeddings.get(id, 'new-net') && store.embeddings.get(id, 'old-net'), `face ${id} has both vectors`);
  assert.equal(store.assignments.get(faceIds[0]!)?.personId, anna.id, 'the name stays');
  assert.equal((await scan('new-net')).embedded, 0, 'once');
});

test('a file whose content changed: a face found at a named face\'s place keeps the name only if it looks like that face', async (t) => {
  const root = tempDir(t);
  const store = createTestStore();
  const box = { x: 300, y: 200, width: 180, height: 220 };
  // Who each file shows, as a vector: Ann and Bob far apart (squared distance 2), Ann edited (recoloured) close to Ann.
  const unit = (i: number, nudge = 0) => { const v = new Float32Array(128); v[i] = Math.sqrt(1 - nudge * nudge); v[i + 1] = nudge; return v; };
  const looks: Record<string, Float32Array> = { 'swapped.jpg': unit(0), 'edited.jpg': unit(0) };
  const base = fixedAnalyser({ 'swapped.jpg': [box], 'edited.jpg': [box] });
  const analyser = { ...base, analyse: async (file: string) => {
    const result = await base.analyse(file);
    return result.ok ? { ...result, faces: result.faces.map((face) => ({ ...face, embedding: looks[path.basename(file)]! })) } : result;
  } };
  const scan = () => scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  await demoPhoto(path.join(root, 'swapped.jpg'));
  await demoPhoto(path.join(root, 'edited.jpg'));
  await scan();
  const ann = store.persons.create({ name: 'Ann' });
  const faceOf = (name: string) => store.faces.listByPhoto(store.photos.findByPath(path.join(root, name))!.id);
  const [swappedAnn] = faceOf('swapped.jpg'), [editedAnn] = faceOf('edited.jpg');
  store.assignments.assignByUser([swappedAnn!.id, editedAnn!.id], ann.id);

  // New content under the same names: Bob where Ann was; Ann again, recoloured (squared distance 0.02).
  await demoPhoto(path.join(root, 'swapped.jpg'), 3);
  await demoPhoto(path.join(root, 'edited.jpg'), 3);
  looks['swapped.jpg'] = unit(5);
  looks['edited.jpg'] = unit(0, 0.1);
  const report = await scan();
  assert.equal(report.changed, 2);
  const bob = faceOf('swapped.jpg').find((face) => face.id !== swappedAnn!.id);
  assert.ok(bob, 'Bob is a new face, not Ann\'s face with a new vector');
  assert.equal(store.assignments.get(bob.id)?.personId ?? null, null, 'and he does not inherit her name');
  assert.deepEqual(faceOf('edited.jpg').map((face) => face.id), [editedAnn!.id], 'the edited photo keeps its face');
  assert.equal(store.assignments.get(editedAnn!.id)?.personId, ann.id, 'and its name');
});

test('a file touched but not changed is reported unchanged, and not analysed again', async (t) => {
  const root = tempDir(t);
  const file = path.join(root, 'a.jpg');
  await demoPhoto(file);
  const store = createTestStore();
  const analyser = fixedAnalyser({});
  const scan = () => scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  await scan();
  const later = new Date(Date.now() + 5000);
  await fs.utimes(file, later, later);
  const report = await scan();
  assert.deepEqual([report.changed, report.unchanged, report.analysed], [0, 1, 0]);
});

test('a changed file: a named face gone from it is removed and reported; one the detector missed stays; one the edit moved keeps its name', async (t) => {
  const root = tempDir(t);
  const store = createTestStore();
  const box = { x: 300, y: 200, width: 180, height: 220 }, elsewhere = { x: 700, y: 150, width: 170, height: 210 };
  const unit = (i: number, nudge = 0) => { const v = new Float32Array(128); v[i] = Math.sqrt(1 - nudge * nudge); v[i + 1] = nudge; return v; };
  // What each file shows where it shows a face: its detections, and what embedding at given landmarks sees.
  const content: Record<string, { boxes: Array<typeof box>; look: Float32Array }> = {
    'replaced.jpg': { boxes: [box], look: unit(0) },
    'missed.jpg': { boxes: [box], look: unit(0) },
    'cropped.jpg': { boxes: [box], look: unit(0) },
  };
  const base = fixedAnalyser({});
  const analyser = { ...base,
    analyse: async (file: string) => {
      const result = await base.analyse(file);
      const { boxes, look } = content[path.basename(file)]!;
      const shown = boxes.map((b) => fixedAnalyser({ x: [b] }));
      const faces = await Promise.all(shown.map(async (one, i) => {
        const found = await one.embedInBox!(file, boxes[i]!);
        return found.ok ? { ...found.faces[0]!, embedding: look } : undefined;
      }));
      return result.ok ? { ...result, faces: faces.filter((face) => face !== undefined) } : result;
    },
    embedAt: async (...args: Parameters<NonNullable<typeof base.embedAt>>) => {
      const result = await base.embedAt!(...args);
      const { look } = content[path.basename(args[0])]!;
      return result.ok ? { ...result, faces: result.faces.map((face) => ({ ...face, embedding: look })) } : result;
    },
  };
  const scan = () => scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  for (const name of Object.keys(content)) await demoPhoto(path.join(root, name));
  await scan();
  const ann = store.persons.create({ name: 'Ann' });
  const faceOf = (name: string) => store.faces.listByPhoto(store.photos.findByPath(path.join(root, name))!.id);
  const named = Object.fromEntries(Object.keys(content).map((name) => [name, faceOf(name)[0]!]));
  store.assignments.assignByUser(Object.values(named).map((face) => face.id), ann.id);

  // New content under the same names: Bob where Ann was; Ann still there but not detected this time; Ann cropped
  // to another place in the frame (all but the same look).
  for (const name of Object.keys(content)) await demoPhoto(path.join(root, name), 3);
  content['replaced.jpg'] = { boxes: [box], look: unit(5) };
  content['missed.jpg'] = { boxes: [], look: unit(0, 0.1) };
  content['cropped.jpg'] = { boxes: [elsewhere], look: unit(0, 0.05) };
  const report = await scan();
  assert.equal(report.changed, 3);
  assert.deepEqual(report.facesGone, [{ file: path.join(root, 'replaced.jpg'), faceId: named['replaced.jpg']!.id, person: 'Ann' }]);
  assert.equal(store.faces.get(named['replaced.jpg']!.id), undefined, 'Ann\'s face is gone from the replaced photo');
  assert.equal(faceOf('replaced.jpg').length, 1, 'Bob is there, a new face');
  assert.equal(store.assignments.get(faceOf('replaced.jpg')[0]!.id)?.personId ?? null, null, 'not named Ann');
  assert.deepEqual(faceOf('missed.jpg').map((face) => face.id), [named['missed.jpg']!.id], 'a face the detector missed but still there stays');
  assert.equal(store.assignments.get(named['missed.jpg']!.id)?.personId, ann.id);
  const cropped = faceOf('cropped.jpg');
  assert.deepEqual(cropped.map((face) => face.id), [named['cropped.jpg']!.id], 'the moved face is the same face');
  assert.deepEqual(cropped[0]!.box, elsewhere, 'at its new place');
  assert.equal(store.assignments.get(named['cropped.jpg']!.id)?.personId, ann.id, 'with its name');
});

test('files swapped or renumbered keep their faces and names: the content moved, nothing is analysed again', async (t) => {
  const root = tempDir(t);
  const store = createTestStore();
  const box = { x: 300, y: 200, width: 180, height: 220 };
  const analyser = fixedAnalyser({ 'a.jpg': [box], 'b.jpg': [box], '001.jpg': [box], '002.jpg': [box], '003.jpg': [box] });
  const scan = () => scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  const file = (name: string) => path.join(root, name);
  // Four different photos: the demo photo stored in four orientations (different bytes).
  await demoPhoto(file('a.jpg'), 1);
  await demoPhoto(file('b.jpg'), 3);
  await demoPhoto(file('001.jpg'), 6);
  await demoPhoto(file('002.jpg'), 8);
  await scan();
  const faceAt = (name: string) => store.faces.listByPhoto(store.photos.findByPath(file(name))!.id)[0]!.id;
  const names = { 'a.jpg': 'Ann', 'b.jpg': 'Bob', '001.jpg': 'Cat', '002.jpg': 'Dan' };
  for (const [name, person] of Object.entries(names)) store.assignments.assignByUser([faceAt(name)], store.persons.create({ name: person }).id);
  const nameAt = (name: string) => store.assignments.get(faceAt(name))?.personId && store.persons.get(store.assignments.get(faceAt(name))!.personId!)!.name;

  // a.jpg and b.jpg swapped; 002 renamed 003 and 001 renamed 002 (a photo put in front), and a new 001.
  await fs.rename(file('a.jpg'), file('swap.tmp'));
  await fs.rename(file('b.jpg'), file('a.jpg'));
  await fs.rename(file('swap.tmp'), file('b.jpg'));
  await fs.rename(file('002.jpg'), file('003.jpg'));
  await fs.rename(file('001.jpg'), file('002.jpg'));
  await sharp(file('b.jpg')).jpeg({ quality: 50 }).toFile(file('001.jpg')); // a new photo (other bytes)
  const later = new Date(Date.now() + 5000);
  for (const name of ['a.jpg', 'b.jpg', '001.jpg', '002.jpg', '003.jpg']) await fs.utimes(file(name), later, later);
  const analysedBefore = analyser.analysed.length;
  const report = await scan();
  assert.deepEqual([report.moved, report.changed, report.added], [4, 0, 1], JSON.stringify(report));
  assert.deepEqual(analyser.analysed.slice(analysedBefore).map((f) => path.basename(f)), ['001.jpg'], 'only the new photo is analysed');
  assert.deepEqual([nameAt('a.jpg'), nameAt('b.jpg'), nameAt('002.jpg'), nameAt('003.jpg')], ['Bob', 'Ann', 'Cat', 'Dan']);
  assert.equal(nameAt('001.jpg'), undefined, 'the new photo is nobody yet');
  assert.deepEqual(report.facesGone, []);
});
