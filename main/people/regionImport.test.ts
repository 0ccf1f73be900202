import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addPhoto, createTestStore, faceInput } from '../store/testing.ts';
import { writeJsonExport } from './exportJson.ts';
import { applyRegions } from './regionImport.ts';

const LEFT = { x: 10, y: 20, width: 100, height: 120 };
const RIGHT = { x: 300, y: 20, width: 100, height: 120 };

function photoWithTwoFaces() {
  const store = createTestStore();
  const photoId = addPhoto(store);
  const [left, right] = store.faces.insertDetected(photoId, 'det', [faceInput({ box: LEFT }), faceInput({ box: RIGHT })]);
  return { store, photoId, left: left!, right: right! };
}

test('imported names never override what the user decided in Facet', () => {
  const { store, photoId, left, right } = photoWithTwoFaces();
  const ann = store.persons.create({ name: 'Ann' }), bo = store.persons.create({ name: 'Bo' });
  store.assignments.assignByUser([left], ann.id);
  store.constraints.add(right, bo.id, 'not');
  const outcome = store.transaction(() => applyRegions(store, photoId, [
    { name: 'Someone Else', box: LEFT }, // the user already named this face Ann
    { name: 'bo', box: RIGHT }, // the user said this face is not Bo (names compare without case)
  ]));
  assert.deepEqual([outcome.named, outcome.added], [0, 0]);
  assert.equal(store.assignments.get(left)!.personId, ann.id);
  assert.equal(store.assignments.get(right), undefined);
  assert.equal(store.persons.findByName('Someone Else'), undefined, 'no person is made for a name that was not applied');
});

test('a name is given once per photo; unplaced regions are returned when faces may not be added', () => {
  const { store, photoId, left, right } = photoWithTwoFaces();
  const outcome = store.transaction(() => applyRegions(store, photoId, [
    { name: 'Ann', box: LEFT },
    { name: 'ANN', box: RIGHT }, // the same person twice in one photo: the second is left out
    { name: 'Cy', box: { x: 600, y: 20, width: 100, height: 120 } },
  ], { addMissing: false }));
  assert.equal(outcome.named, 1);
  assert.deepEqual(outcome.unplaced.map((region) => region.name), ['Cy']);
  assert.equal(store.assignments.get(left)!.source, 'user');
  assert.equal(store.assignments.get(right), undefined);
  assert.equal(store.faces.listByPhoto(photoId).length, 2);
});

test('the JSON export holds persons, faces with photo paths and boxes, and constraints', () => {
  const { store, left, right } = photoWithTwoFaces();
  const ann = store.persons.create({ name: 'Ann', birthDate: '1990-01-02' });
  store.constraints.add(left, ann.id, 'is');
  store.constraints.add(right, ann.id, 'not');
  let text = '';
  const counts = writeJsonExport(store, (chunk) => { text += chunk; }, new Date('2026-01-01T00:00:00Z'));
  const document = JSON.parse(text);
  assert.deepEqual(counts, { persons: 1, faces: 2, constraints: 2 });
  assert.equal(document.format, 'facet-export');
  assert.equal(document.exportedAt, '2026-01-01T00:00:00.000Z');
  assert.deepEqual(document.persons, [{ id: ann.id, name: 'Ann', hidden: false, favourite: false, birthDate: '1990-01-02', coverFaceId: null }]);
  assert.deepEqual(document.faces[0], {
    id: left, photo: '/photos/a.jpg', box: LEFT, source: 'detected', score: 0.98, quality: 0.8,
    personId: ann.id, personName: 'Ann', assignedBy: 'user', cluster: null,
  });
  assert.deepEqual(document.constraints, [{ faceId: left, personId: ann.id, kind: 'is' }, { faceId: right, personId: ann.id, kind: 'not' }]);
});
