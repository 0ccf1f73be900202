import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError, ProtectedDataError } from './errors/index.ts';
import { addFaces, addPhoto, createTestStore, faceInput, photoPath } from './testing.ts';

test('detected faces are stored with box, landmarks, thumbnail, and the photo marked as detected', () => {
  const store = createTestStore();
  const photoId = addPhoto(store);
  const jpeg = Buffer.from('not really a jpeg, but bytes');
  const [id] = store.faces.insertDetected(photoId, 'blazeface-1', [faceInput({ thumbnail: jpeg.subarray(4, 10) })], 7);
  const face = store.faces.get(id!)!;
  assert.deepEqual(face, {
    id,
    photoId,
    box: faceInput().box,
    landmarks: faceInput().landmarks,
    score: 0.98,
    quality: 0.8,
    blur: 120,
    source: 'detected',
    createdAt: 7,
  });
  assert.deepEqual(store.faces.thumbnail(id!), jpeg.subarray(4, 10));
  assert.equal(store.photos.get(photoId)!.detectorId, 'blazeface-1');
  assert.deepEqual(store.faces.listByPhoto(photoId), [face]);
});

test('a photo with no faces is still marked as detected; an unknown photo is NotFoundError', () => {
  const store = createTestStore();
  const photoId = addPhoto(store);
  assert.deepEqual(store.faces.insertDetected(photoId, 'det', []), []);
  assert.equal(store.photos.get(photoId)!.detectorId, 'det');
  assert.throws(() => store.faces.insertDetected(999, 'det', [faceInput()]), NotFoundError);
});

test('the face list joins photo path, cluster and person name, filters and pages by id', () => {
  const store = createTestStore();
  const [a, b, c] = addFaces(store, 3);
  const [d] = addFaces(store, 1, 'b.jpg');
  const ada = store.persons.create({ name: 'Ada' });
  const run = store.clusters.startRun({ modelId: 'm', threshold: 0.6, linkage: 'average' });
  const cluster = store.clusters.addClusters(run.id, ['7']).get('7')!;
  store.assignments.setAuto([
    { faceId: a!, personId: ada.id, clusterId: cluster },
    { faceId: d!, personId: null, clusterId: cluster },
  ]);

  const all = store.faces.list();
  assert.deepEqual(all.map((f) => f.id), [a, b, c, d]);
  assert.deepEqual(all[0], {
    id: a,
    photoId: all[0]!.photoId,
    photoPath: photoPath('a.jpg'),
    box: faceInput().box,
    score: 0.98,
    quality: 0.8,
    clusterId: cluster,
    clusterLabel: '7',
    personId: ada.id,
    personName: 'Ada',
    assignedBy: 'auto',
  });
  assert.equal(all[1]!.personName, null);
  assert.deepEqual(store.faces.list({ personId: ada.id }).map((f) => f.id), [a]);
  assert.deepEqual(store.faces.list({ clusterId: cluster }).map((f) => f.id), [a, d]);
  assert.deepEqual(store.faces.list({ photoId: all[3]!.photoId }).map((f) => f.id), [d]);
  assert.deepEqual(store.faces.list({ afterId: a!, limit: 2 }).map((f) => f.id), [b, c]);
});

test('deleting faces that hold user decisions needs an explicit yes', () => {
  const store = createTestStore();
  const [plain, assigned, constrained] = addFaces(store, 3);
  const manual = store.faces.insert(store.faces.get(plain!)!.photoId, { ...faceInput({ landmarks: null, score: null }), source: 'manual' });
  const ada = store.persons.create({ name: 'Ada' });
  store.assignments.assignByUser([assigned!], ada.id);
  store.constraints.add(constrained!, ada.id, 'not');
  store.assignments.setAuto([{ faceId: plain!, personId: ada.id, clusterId: null }]);

  assert.throws(
    () => store.faces.delete([plain!, assigned!, constrained!, manual]),
    (error: unknown) => error instanceof ProtectedDataError && error.ids.join() === [assigned, constrained, manual].join(),
  );
  assert.equal(store.faces.list().length, 4); // nothing happened
  assert.equal(store.faces.delete([plain!]), 1); // an automatic guess is not a decision
  assert.equal(store.faces.delete([assigned!, constrained!, manual], { discardUserDecisions: true }), 3);
  assert.deepEqual(store.constraints.listAll(), []);
  assert.equal(store.persons.get(ada.id)?.name, 'Ada');
});
