import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { openStore } from './store.ts';
import { addFaces, createTestStore, tempDir } from './testing.ts';

test('automatic assignments never overwrite user decisions', () => {
  const store = createTestStore();
  const faceIds = addFaces(store, 4);
  const [a, b, c, d] = faceIds as [number, number, number, number];
  const ada = store.persons.create({ name: 'Ada' });
  const bob = store.persons.create({ name: 'Bob' });
  store.assignments.assignByUser([a], ada.id, 10);
  store.assignments.assignByUser([b], null, 10); // the user: nobody

  const result = store.assignments.setAuto(faceIds.map((faceId) => ({ faceId, personId: bob.id, clusterId: null })), 20);
  assert.deepEqual(result, { written: 2, keptUserDecisions: 2, missingFaces: 0, personsWithheld: 0, clustersMissing: 0 });
  assert.deepEqual(store.assignments.get(a), { faceId: a, personId: ada.id, clusterId: null, source: 'user', updatedAt: 10 });
  assert.deepEqual(store.assignments.get(b), { faceId: b, personId: null, clusterId: null, source: 'user', updatedAt: 10 });
  assert.deepEqual(store.assignments.get(c), { faceId: c, personId: bob.id, clusterId: null, source: 'auto', updatedAt: 20 });

  // A later run may change automatic rows, still not user rows.
  store.assignments.setAuto([{ faceId: c, personId: ada.id, clusterId: null }, { faceId: a, personId: null, clusterId: null }]);
  assert.equal(store.assignments.get(c)?.personId, ada.id);
  assert.equal(store.assignments.get(a)?.personId, ada.id);
  assert.deepEqual(store.assignments.listUserDecisions().map((x) => x.faceId), [a, b]);
  assert.equal(store.assignments.get(d)?.source, 'auto');
});

test('decisions made while a clustering job was computing survive its write', () => {
  const store = createTestStore();
  const [a, b, c, gone] = addFaces(store, 4) as [number, number, number, number];
  const ada = store.persons.create({ name: 'Ada' });
  const bob = store.persons.create({ name: 'Bob' });
  const temp = store.persons.create({ name: 'Temp' });
  const run = store.clusters.startRun({ modelId: 'm', threshold: 0.5, linkage: 'average' });
  const cluster = store.clusters.addClusters(run.id, ['x']).get('x')!;

  // The job read its snapshot and computed this (nothing is user-decided in the snapshot)...
  const computed = [a, b, c, gone].map((faceId) => ({ faceId, personId: bob.id, clusterId: cluster }));
  computed[2] = { faceId: c, personId: temp.id, clusterId: cluster };
  // ...meanwhile the user names face a, says face b is not Bob, merges Temp away, deletes a face, drops the run:
  store.assignments.assignByUser([a], ada.id);
  store.constraints.add(b, bob.id, 'not');
  store.persons.merge(temp.id, ada.id);
  store.faces.delete([gone]);
  store.clusters.deleteRun(run.id);

  const result = store.assignments.setAuto(computed);
  assert.deepEqual(result, { written: 2, keptUserDecisions: 1, missingFaces: 1, personsWithheld: 2, clustersMissing: 2 });
  assert.deepEqual([store.assignments.get(a)?.personId, store.assignments.get(a)?.source], [ada.id, 'user']);
  assert.deepEqual([store.assignments.get(b)?.personId, store.assignments.get(b)?.source], [null, 'auto']);
  assert.equal(store.assignments.get(c)?.personId, null);
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
});

test("a user's new decision supersedes their contradicting statements; release hands the face back", () => {
  const store = createTestStore();
  const [face] = addFaces(store, 1) as [number];
  const ada = store.persons.create({ name: 'Ada' });
  const bob = store.persons.create({ name: 'Bob' });
  store.constraints.add(face, ada.id, 'not');
  store.constraints.add(face, bob.id, 'is');
  assert.deepEqual([store.assignments.get(face)?.personId, store.assignments.get(face)?.source], [bob.id, 'user']);

  store.assignments.assignByUser([face], ada.id);
  assert.deepEqual(store.constraints.listForFace(face), []);
  assert.equal(store.assignments.releaseToAuto([face]), 1);
  assert.deepEqual([store.assignments.get(face)?.personId, store.assignments.get(face)?.source], [null, 'auto']);
  assert.equal(store.assignments.clearAuto(), 1);
});

test('constraints: one statement per face and person, one "is" per face, "not" takes the face away', () => {
  const store = createTestStore();
  const [face] = addFaces(store, 1) as [number];
  const ada = store.persons.create({ name: 'Ada' });
  const bob = store.persons.create({ name: 'Bob' });
  store.constraints.add(face, ada.id, 'is', 1);
  store.constraints.add(face, bob.id, 'is', 2); // replaces "is Ada"
  assert.deepEqual(store.constraints.listForFace(face), [{ faceId: face, personId: bob.id, kind: 'is', createdAt: 2 }]);
  store.constraints.add(face, bob.id, 'not', 3); // the newer statement wins
  assert.deepEqual(store.constraints.listForPerson(bob.id), [{ faceId: face, personId: bob.id, kind: 'not', createdAt: 3 }]);
  assert.deepEqual([store.assignments.get(face)?.personId, store.assignments.get(face)?.source], [null, 'user']);
  assert.equal(store.constraints.remove(face, bob.id), true);
  assert.equal(store.constraints.remove(face, bob.id), false);
});

test('a decision committed by another connection (the UI) survives the clustering connection\'s write', (t) => {
  const file = path.join(tempDir(t), 'facet.db');
  const clustering = openStore(file);
  const ui = openStore(file);
  t.after(() => (clustering.close(), ui.close()));
  const [a, b] = addFaces(clustering, 2) as [number, number];
  const bob = clustering.persons.create({ name: 'Bob' });
  const snapshot = clustering.assignments.listUserDecisions(); // what the job starts from: nothing decided

  const ada = ui.persons.create({ name: 'Ada' });
  ui.assignments.assignByUser([a], ada.id);

  assert.deepEqual(snapshot, []);
  const result = clustering.assignments.setAuto([a, b].map((faceId) => ({ faceId, personId: bob.id, clusterId: null })));
  assert.equal(result.keptUserDecisions, 1);
  assert.deepEqual([ui.assignments.get(a)?.personId, ui.assignments.get(a)?.source], [ada.id, 'user']);
  assert.equal(ui.assignments.get(b)?.personId, bob.id);
});
