import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addPhoto, createTestStore, faceInput } from '../store/testing.ts';
import { assignFaces, moveFaces, nameTarget, rejectFaces, renamePerson } from './decisions.ts';
import { listHistory, redoDecisions, undoDecisions } from './history.ts';

test('history leaves out faces forgotten since (they showed as broken thumbnails); undo and redo check their count', () => {
  const store = createTestStore();
  const faces = store.faces.insertDetected(addPhoto(store), 'd', [faceInput(), faceInput()]);
  const ann = store.persons.create({ name: 'Ann' });
  moveFaces(store, faces, ann.id);
  rejectFaces(store, [faces[1]!], ann.id);
  assert.deepEqual(listHistory(store).map((item) => item.faceIds), [[faces[1]], faces]);
  store.faces.delete([faces[1]!], { discardUserDecisions: true });
  assert.deepEqual(listHistory(store).map((item) => [item.faceIds, item.forgottenFaces]), [[[], 1], [[faces[0]], 1]]);
  assert.throws(() => redoDecisions(store, 1), /nothing to redo/);
  assert.throws(() => undoDecisions(store, 0), /whole number >= 1/);
  assert.throws(() => redoDecisions(store, 1.5), /whole number >= 1/);
  undoDecisions(store, 2);
  assert.deepEqual(redoDecisions(store, 5).map((item) => item.kind), ['move', 'reject'], 'in the order they were made');
});

test('faces given by name from one named person to another are a move in the history', () => {
  const store = createTestStore();
  const faces = store.faces.insertDetected(addPhoto(store), 'd', [faceInput(), faceInput()]);
  const colin = store.persons.create({ name: 'Colin' });
  moveFaces(store, faces, colin.id);
  assignFaces(store, faces, 'George');
  assignFaces(store, [faces[0]!], 'George');
  assignFaces(store, [faces[0]!], null);
  assert.deepEqual(listHistory(store, 3).map((item) => item.summary), [
    '1 face marked as nobody to name', 'Named 1 face "George"', 'Moved 2 faces from "Colin" to "George"',
  ]);
});

test('renaming a person to the name it has is no decision: the history stays, and so does redo', () => {
  const store = createTestStore();
  const faces = store.faces.insertDetected(addPhoto(store), 'd', [faceInput()]);
  const ann = store.persons.create({ name: 'Ann' });
  moveFaces(store, faces, ann.id);
  rejectFaces(store, faces, ann.id);
  undoDecisions(store, 1);
  renamePerson(store, ann.id, 'Ann');
  nameTarget(store, { kind: 'person', person: store.persons.get(ann.id)! }, ' Ann ');
  assert.equal(listHistory(store).length, 2);
  assert.deepEqual(redoDecisions(store, 1).map((item) => item.kind), ['reject']);
});
