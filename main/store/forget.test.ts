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
