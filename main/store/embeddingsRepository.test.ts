import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidValueError } from './errors/index.ts';
import { addFaces, createTestStore } from './testing.ts';

const bits = (v: Float32Array): number[] => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

test('vectors round-trip bit for bit, views included', () => {
  const store = createTestStore();
  const [a, b] = addFaces(store, 2);
  const special = new Float32Array([0.1, -0, 1e-45, 3.4028234663852886e38, -1.1754943508222875e-38, Math.PI, 1 / 3]);
  store.embeddings.put(a!, 'facenet', special);
  const backing = new Float32Array(20).map((_, i) => i * 0.37);
  const view = backing.subarray(3, 10); // byteOffset 12: only its own 7 floats must be stored
  store.embeddings.put(b!, 'facenet', view);

  assert.deepEqual(bits(store.embeddings.get(a!, 'facenet')!), bits(special));
  assert.deepEqual(bits(store.embeddings.get(b!, 'facenet')!), bits(view));
  assert.equal(store.embeddings.get(a!, 'other-model'), undefined);
});

test('all vectors of a model come back as one contiguous block in face id order', () => {
  const store = createTestStore();
  const faceIds = addFaces(store, 50);
  const dims = 128;
  const vectorOf = (faceId: number) => new Float32Array(dims).map((_, k) => Math.sin(faceId * 1000 + k));
  store.embeddings.putMany('facenet', [...faceIds].reverse().map((faceId) => ({ faceId, vector: vectorOf(faceId) })));
  store.embeddings.put(faceIds[0]!, 'other', new Float32Array(64));

  const set = store.embeddings.listVectors('facenet');
  assert.equal(set.dimensions, dims);
  assert.deepEqual(Array.from(set.faceIds), faceIds);
  assert.equal(set.vectors.length, faceIds.length * dims);
  faceIds.forEach((faceId, i) => {
    assert.deepEqual(bits(set.vectors.subarray(i * dims, (i + 1) * dims)), bits(vectorOf(faceId)));
  });
  const empty = store.embeddings.listVectors('never-used');
  assert.deepEqual([empty.dimensions, empty.faceIds.length, empty.vectors.length], [0, 0, 0]);
  assert.deepEqual(store.embeddings.models(), [
    { modelId: 'facenet', count: 50 },
    { modelId: 'other', count: 1 },
  ]);
});

test('wrong dimensions, empty and non-finite vectors are refused', () => {
  const store = createTestStore();
  const [a, b] = addFaces(store, 2);
  store.embeddings.put(a!, 'm', new Float32Array(4));
  assert.throws(() => store.embeddings.put(b!, 'm', new Float32Array(5)), InvalidValueError);
  assert.throws(() => store.embeddings.put(b!, 'n', new Float32Array(0)), InvalidValueError);
  assert.throws(() => store.embeddings.put(b!, 'n', new Float32Array([1, Number.NaN])), InvalidValueError);
  assert.throws(
    () => store.embeddings.putMany('n', [{ faceId: a!, vector: new Float32Array(2) }, { faceId: b!, vector: new Float32Array(3) }]),
    InvalidValueError,
  );
  assert.equal(store.embeddings.get(a!, 'n'), undefined); // the whole batch was rolled back
});

test('switching models re-embeds without touching names or decisions', () => {
  const store = createTestStore();
  const faceIds = addFaces(store, 3);
  const ada = store.persons.create({ name: 'Ada' });
  store.assignments.assignByUser(faceIds, ada.id);
  for (const faceId of faceIds) store.embeddings.put(faceId, 'old', new Float32Array([faceId, 1]));

  assert.deepEqual(store.embeddings.facesWithout('new', 2), faceIds.slice(0, 2));
  assert.deepEqual(store.embeddings.facesWithout('new', 10, faceIds[1]), faceIds.slice(2));
  for (const faceId of faceIds) store.embeddings.put(faceId, 'new', new Float32Array([faceId, 2, 3]));
  assert.deepEqual(store.embeddings.facesWithout('new', 10), []);
  assert.equal(store.embeddings.deleteModel('old'), 3);
  assert.deepEqual(store.faces.list({ personId: ada.id }).map((f) => f.id), faceIds);
});
