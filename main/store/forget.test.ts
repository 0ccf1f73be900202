import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from './store.ts';
import { addFaces, faceInput, tempDir } from './testing.ts';

const THUMBNAIL_MARKER = 'FACET-THUMBNAIL-MARKER-7f3a';
const NAME_MARKER = 'Zebediah Quillfeather';

/** Whether any of the database's files still holds `text` (NUL-free ASCII), in any page, free or not. */
function filesContain(file: string, text: string): boolean {
  return [file, `${file}-wal`].some((f) => existsSync(f) && readFileSync(f).includes(Buffer.from(text)));
}

test('forgetAllFaceData leaves no face data behind, not even in free pages or the WAL', (t) => {
  const file = path.join(tempDir(t), 'facet.db');
  const store = openStore(file);
  const faceIds = addFaces(store, 3);
  store.faces.insertDetected(store.faces.get(faceIds[0]!)!.photoId, 'det', [faceInput({ thumbnail: Buffer.from(THUMBNAIL_MARKER) })]);
  for (const id of faceIds) store.embeddings.put(id, 'm', new Float32Array([1, 2, 3]));
  const person = store.persons.create({ name: NAME_MARKER });
  const other = store.persons.create({ name: 'Other' });
  store.assignments.assignByUser([faceIds[0]!], person.id);
  store.constraints.add(faceIds[1]!, other.id, 'not');
  const run = store.clusters.startRun({ modelId: 'm', threshold: 0.5, linkage: 'average' });
  store.clusters.addClusters(run.id, ['a', 'b']);
  store.settings.set('theme', 'dark');
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  assert.ok(filesContain(file, THUMBNAIL_MARKER) && filesContain(file, NAME_MARKER), 'markers written to disk');

  const result = store.forgetAllFaceData();
  assert.deepEqual(result, {
    faces: 4, embeddings: 3, thumbnails: 4, persons: 2, assignments: 1, constraints: 1, clusterRuns: 1, walTruncated: true,
  });
  const count = (table: string) => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
  for (const table of ['faces', 'face_thumbnails', 'embeddings', 'persons', 'face_assignments', 'constraints', 'clusters', 'cluster_runs']) {
    assert.equal(count(table), 0, table);
  }
  assert.equal(count('photos'), 1); // photos and settings are not face data
  assert.equal(store.photos.get(store.photos.listForRescan(store.roots.list()[0]!.id)[0]!.id)!.detectorId, null);
  assert.equal(store.settings.get('theme'), 'dark');
  assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
  store.close();

  assert.equal(filesContain(file, THUMBNAIL_MARKER), false);
  assert.equal(filesContain(file, NAME_MARKER), false);
});

test('forgetRoot forgets a folder\'s photos and faces, and the persons named only from it; others keep their faces elsewhere', (t) => {
  const store = openStore(path.join(tempDir(t), 'facet.db'));
  const holiday = store.roots.add('/photos/holiday'), home = store.roots.add('/photos/home');
  const photoIn = (rootId: number, name: string) => store.photos.upsert({ rootId, path: `/photos/${rootId}/${name}`, size: 1, mtimeMs: 1, contentHash: name }).id;
  const [onHoliday, alsoOnHoliday] = store.faces.insertDetected(photoIn(holiday.id, 'a.jpg'), 'det', [faceInput(), faceInput()]);
  const [atHome, strangerAtHome] = store.faces.insertDetected(photoIn(home.id, 'b.jpg'), 'det', [faceInput(), faceInput()]);
  const ann = store.persons.create({ name: 'Ann' }), guide = store.persons.create({ name: 'Guide' }), bob = store.persons.create({ name: 'Bob' });
  const nobody = store.persons.create({ name: 'Named, no face yet' });
  store.assignments.assignByUser([onHoliday!, atHome!], ann.id);
  store.assignments.assignByUser([alsoOnHoliday!], guide.id);
  store.assignments.assignByUser([strangerAtHome!], bob.id);
  const result = store.forgetRoot(holiday.id);
  assert.deepEqual(result, { photos: 1, faces: 2, persons: 1, walTruncated: true });
  assert.deepEqual(store.persons.list().map((p) => p.name).sort(), ['Ann', 'Bob', 'Named, no face yet'], 'the guide, named only from the holiday, goes');
  assert.equal(store.assignments.get(atHome!)?.personId, ann.id, 'Ann keeps her face at home');
  assert.ok(store.persons.get(nobody.id), 'a person the folder never held is not touched');
  store.close();
});
