import assert from 'node:assert/strict';
import test from 'node:test';
import { addPhoto, createTestStore, faceInput } from './testing.ts';
import type { Store } from './store.ts';

function snapshot(store: Store) {
  const all = (sql: string) => store.db.prepare(sql).all();
  return {
    persons: all('SELECT * FROM persons ORDER BY id'),
    assignments: all('SELECT * FROM face_assignments ORDER BY face_id'),
    constraints: all('SELECT * FROM constraints ORDER BY face_id, person_id'),
    faces: all('SELECT id, photo_id, box_x, source FROM faces ORDER BY id'),
    embeddings: all('SELECT face_id, model_id, hex(vector) AS v FROM embeddings ORDER BY face_id, model_id'),
  };
}

function library() {
  const store = createTestStore();
  const photo = addPhoto(store);
  const faces = store.faces.insertDetected(photo, 'd', [faceInput(), faceInput({ box: { x: 300, y: 20, width: 90, height: 100 } })]);
  const run = store.clusters.startRun({ modelId: 'm', threshold: 0.1, linkage: 'average' });
  const clusters = store.clusters.addClusters(run.id, ['c1']);
  store.assignments.setAuto(faces.map((faceId) => ({ faceId, personId: null, clusterId: clusters.get('c1')! })));
  return { store, faces };
}

test('a recorded decision is reverted exactly by undo: persons, assignments, constraints', () => {
  const { store, faces } = library();
  const before = snapshot(store);
  const { id } = store.transaction(() => store.journal.record({ kind: 'name', summary: 'Named c1 "Ann"', faceIds: faces }, () => {
    const ann = store.persons.create({ name: 'Ann' });
    store.assignments.assignByUser(faces, ann.id);
    store.constraints.add(faces[1]!, ann.id, 'not');
    store.persons.setBirthDate(ann.id, '1970-01-02');
  }));
  assert.notDeepEqual(snapshot(store), before);
  store.transaction(() => store.journal.undo(id));
  assert.deepEqual(snapshot(store), before);
  const [entry] = store.journal.list();
  assert.equal(entry!.undoneAt !== null, true);
  assert.deepEqual(entry!.faceIds, faces);
});

test('writes outside a decision are not recorded, and undo after a re-clustering does not fail on a removed cluster', () => {
  const { store, faces } = library();
  const ann = store.transaction(() => store.persons.create({ name: 'Ann' }));
  const { id } = store.transaction(() => store.journal.record({ kind: 'reject', summary: 'not Ann' }, () => {
    store.constraints.add(faces[0]!, ann.id, 'not');
  }));
  // A later clustering run replaces the clusters (not a decision: not recorded).
  store.transaction(() => {
    const run = store.clusters.startRun({ modelId: 'm', threshold: 0.1, linkage: 'average' });
    const ids = store.clusters.addClusters(run.id, ['c2']);
    store.assignments.setAuto(faces.map((faceId) => ({ faceId, personId: null, clusterId: ids.get('c2')! })));
  });
  const statements = store.db.prepare('SELECT count(*) AS n FROM decision_undo WHERE decision_id = ?').get(id) as { n: number };
  assert.equal(statements.n, 1, 'only the constraint was recorded');
  store.transaction(() => store.journal.undo(id));
  assert.deepEqual(store.constraints.listAll(), []);
  assert.throws(() => store.transaction(() => store.journal.undo(id)), /already undone/);
});

test('record refuses to run outside a transaction; a failed decision leaves nothing behind', () => {
  const { store } = library();
  assert.throws(() => store.journal.record({ kind: 'x', summary: 'x' }, () => 1), /inside a transaction/);
  assert.throws(() => store.transaction(() => store.journal.record({ kind: 'name', summary: 'x' }, () => {
    store.persons.create({ name: 'Bo' });
    throw new Error('boom');
  })), /boom/);
  assert.deepEqual(store.journal.list(), []);
  assert.equal(store.persons.findByName('Bo'), undefined);
  assert.equal(store.journal.recordingId(), null);
});

test('a decision that deletes data for good is journaled as not undoable and ends undo of earlier ones', () => {
  const { store, faces } = library();
  const first = store.transaction(() => store.journal.record({ kind: 'assign', summary: 'a' }, () => store.assignments.assignByUser([faces[0]!], null)));
  store.transaction(() => store.journal.record({ kind: 'forget', summary: 'forgot', undoable: false }, () => store.forgetAllFaceData()));
  assert.deepEqual(store.journal.lastUndoable(5), []);
  assert.throws(() => store.transaction(() => store.journal.undo(first.id)), /cannot be undone/);
});

test('redo makes an undone decision again exactly, and it can be undone again (undo, redo, undo)', () => {
  const { store, faces } = library();
  const before = snapshot(store);
  const { id } = store.transaction(() => store.journal.record({ kind: 'name', summary: 'Named c1 "Ann"', faceIds: faces }, () => {
    const ann = store.persons.create({ name: 'Ann' });
    store.assignments.assignByUser(faces, ann.id);
    store.constraints.add(faces[1]!, ann.id, 'not');
    store.constraints.add(faces[1]!, ann.id, 'not');
  }));
  const after = snapshot(store);
  assert.deepEqual(store.journal.nextRedoable(5), [], 'nothing to redo before an undo');
  store.transaction(() => store.journal.undo(id));
  assert.deepEqual(snapshot(store), before);
  assert.deepEqual(store.journal.nextRedoable(5).map((d) => d.id), [id]);
  const redone = store.transaction(() => store.journal.redo(id));
  assert.equal(redone.undoneAt, null);
  assert.equal(redone.redoable, false);
  assert.deepEqual(snapshot(store), after);
  assert.throws(() => store.transaction(() => store.journal.redo(id)), /cannot be redone/);
  // The redo recorded the decision's reversal afresh: a second undo is as exact as the first.
  store.transaction(() => store.journal.undo(id));
  assert.deepEqual(snapshot(store), before);
  store.transaction(() => store.journal.redo(id));
  assert.deepEqual(snapshot(store), after);
  const rows = (table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  assert.equal(rows('decision_redo'), 0, 'a redo keeps no stale redo statements');
});

test('redo replays several undone decisions oldest first; a new decision ends redo', () => {
  const { store, faces } = library();
  const ann = store.transaction(() => store.persons.create({ name: 'Ann' }));
  const states = [snapshot(store)];
  const ids = [faces[0]!, faces[1]!].map((faceId) => {
    const { id } = store.transaction(() => store.journal.record({ kind: 'move', summary: `move ${faceId}` }, () => store.assignments.assignByUser([faceId], ann.id)));
    states.push(snapshot(store));
    return id;
  });
  store.transaction(() => store.journal.lastUndoable(2).forEach((d) => store.journal.undo(d.id)));
  assert.deepEqual(snapshot(store), states[0]);
  assert.deepEqual(store.journal.nextRedoable(5).map((d) => d.id), ids, 'the first undone last is redone first');
  store.transaction(() => store.journal.redo(ids[0]!));
  assert.deepEqual(snapshot(store), states[1]);
  // A different change now: the second undone decision can no longer be redone.
  store.transaction(() => store.journal.record({ kind: 'reject', summary: 'not Ann' }, () => store.constraints.add(faces[1]!, ann.id, 'not')));
  assert.deepEqual(store.journal.nextRedoable(5), []);
  assert.throws(() => store.transaction(() => store.journal.redo(ids[1]!)), /cannot be redone/);
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM decision_redo').get() as { n: number }).n, 0);
});
