import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../store/index.ts';
import { addFaces, tempDir } from '../store/testing.ts';
import { forgetFaceData, renamePerson } from './decisions.ts';

const NAME_MARKER = 'Zebediah Quillfeather';

test('"Forget all face data", journaled as a decision on a real database file: done, nothing left in the WAL', (t) => {
  // The app's button failed every time with "database table is locked": the WAL was truncated inside the
  // decision's transaction, which SQLite refuses. In-memory databases (the API tests') have no WAL to truncate.
  const file = path.join(tempDir(t), 'facet.db');
  const store = openStore(file);
  const faceIds = addFaces(store, 3);
  const person = store.persons.create({ name: 'Someone' });
  store.assignments.assignByUser(faceIds, person.id);
  renamePerson(store, person.id, NAME_MARKER); // a decision in the history, whose summary holds the name
  // A fine-tuned embedder in use: its adapter was learnt from these faces, so it goes too.
  store.settings.set('embedder', 'dlib-resnet+adapter1');
  store.settings.set('adapter:dlib-resnet', { damaged: NAME_MARKER });
  store.settings.set('theme', 'dark');
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const onDisk = () => [file, `${file}-wal`].some((f) => existsSync(f) && readFileSync(f).includes(Buffer.from(NAME_MARKER)));
  assert.ok(onDisk(), 'the name is on disk');

  assert.deepEqual(forgetFaceData(store), { faces: 3, persons: 1 });
  assert.equal(store.db.prepare('SELECT count(*) FROM faces').pluck().get(), 0);
  assert.deepEqual(store.journal.list(5).map((entry) => entry.summary), ['Forgot all face data'], 'the history goes too');
  assert.equal(store.settings.get('embedder'), 'dlib-resnet', 'back to the base network');
  assert.equal(store.settings.get('adapter:dlib-resnet'), undefined, 'the adapter is forgotten');
  assert.equal(store.settings.get('theme'), 'dark', 'other settings stay');
  store.close();
  assert.equal(onDisk(), false, 'no page of the forgotten name remains in the database or its WAL');
});
