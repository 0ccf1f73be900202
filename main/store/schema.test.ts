/** Schema-level guarantees: foreign keys and ON DELETE policy, query plans of hot lookups, integrity. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignmentsSql } from './assignmentsRepository.ts';
import { embeddingsSql } from './embeddingsRepository.ts';
import { ProtectedDataError } from './errors/index.ts';
import { facesSql } from './facesRepository.ts';
import { photosSql } from './photosRepository.ts';
import { constraintsSql } from './constraintsRepository.ts';
import { addFaces, addPhoto, createTestStore, explain, faceInput } from './testing.ts';

// A violated reference reports SQLITE_CONSTRAINT_FOREIGNKEY, a RESTRICT action SQLITE_CONSTRAINT_TRIGGER.
const isForeignKeyError = (error: unknown): boolean =>
  error instanceof Error && error.message === 'FOREIGN KEY constraint failed';

test('rows cannot point at rows that do not exist', () => {
  const store = createTestStore();
  assert.throws(() => store.faces.insert(999, { ...faceInput(), source: 'manual' }), isForeignKeyError);
  assert.throws(() => store.embeddings.put(999, 'm', new Float32Array([1])), isForeignKeyError);
  const [faceId] = addFaces(store, 1);
  assert.throws(() => store.assignments.assignByUser([faceId!], 999), isForeignKeyError);
  assert.throws(() => store.constraints.add(faceId!, 999, 'not'), isForeignKeyError);
});

test('deleting a parent never deletes user data on the side', () => {
  const store = createTestStore();
  const [faceId] = addFaces(store, 1);
  const photoId = store.faces.get(faceId!)!.photoId;
  const person = store.persons.create({ name: 'Ada' });
  store.assignments.assignByUser([faceId!], person.id);

  const run = (sql: string, ...params: unknown[]) => store.db.prepare(sql).run(...params);
  assert.throws(() => run('DELETE FROM library_roots'), isForeignKeyError);
  assert.throws(() => run('DELETE FROM photos WHERE id = ?', photoId), isForeignKeyError);
  assert.throws(() => run('DELETE FROM faces WHERE id = ?', faceId), isForeignKeyError);
  assert.throws(() => run('DELETE FROM persons WHERE id = ?', person.id), isForeignKeyError);
  assert.throws(() => store.roots.remove(store.roots.list()[0]!.id), ProtectedDataError);
  assert.throws(() => store.persons.remove(person.id), ProtectedDataError);
  assert.equal(store.assignments.get(faceId!)?.personId, person.id);
});

test('derived data follows its parent: thumbnails, embeddings, clusters, cover pointers', () => {
  const store = createTestStore();
  const [faceId, otherId] = addFaces(store, 2);
  store.embeddings.put(faceId!, 'm', new Float32Array([1, 2]));
  const person = store.persons.create({ name: 'Ada' });
  store.persons.setCover(person.id, faceId!);
  const run = store.clusters.startRun({ modelId: 'm', threshold: 0.5, linkage: 'average' });
  const clusterId = store.clusters.addClusters(run.id, ['c1']).get('c1')!;
  store.assignments.setAuto([{ faceId: otherId!, personId: person.id, clusterId }]);

  assert.equal(store.faces.delete([faceId!]), 1);
  assert.equal(store.faces.thumbnail(faceId!), undefined);
  assert.equal(store.embeddings.get(faceId!, 'm'), undefined);
  assert.equal(store.persons.get(person.id)?.coverFaceId, null);

  store.clusters.deleteRun(run.id);
  assert.deepEqual(
    { ...store.assignments.get(otherId!), updatedAt: 0 },
    { faceId: otherId, personId: person.id, clusterId: null, source: 'auto', updatedAt: 0 },
  );
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
});

test('hot lookups use their indexes', () => {
  const { db } = createTestStore();
  const index = (table: string, name: string, columns: string) =>
    new RegExp(`SEARCH ${table} USING (COVERING )?INDEX ${name} \\(${columns.replace(/[?()]/g, '\\$&')}`);
  const plans: Array<[string, string, unknown[], RegExp]> = [
    ['photo by path', photosSql.byPath, ['/x.jpg'], index('photos', 'sqlite_autoindex_photos_\\d', 'path=?)')],
    ['photos by content hash', photosSql.byContentHash, ['h'], index('photos', 'photos_by_content_hash', 'content_hash=?)')],
    ['photos of a root', photosSql.forRescan, [1], index('photos', 'photos_by_root', 'root_id=?)')],
    ['faces by photo', facesSql.byPhoto, [1], index('faces', 'faces_by_photo', 'photo_id=?)')],
    ['face list by photo', facesSql.listByPhoto, [1, 0, -1], index('f', 'faces_by_photo', 'photo_id=?')],
    ['face list by person', facesSql.listByPerson, [1, 0, -1], index('a', 'face_assignments_by_person', 'person_id=?')],
    ['face list by cluster', facesSql.listByCluster, [1, 0, -1], index('a', 'face_assignments_by_cluster', 'cluster_id=?')],
    ['embeddings by model', embeddingsSql.allForModel, ['m'], index('embeddings', 'embeddings_by_model', 'model_id=?)')],
    ['embedding count', embeddingsSql.countForModel, ['m'], index('embeddings', 'embeddings_by_model', 'model_id=?)')],
    ['embedding of a face', embeddingsSql.get, [1, 'm'], index('embeddings', 'sqlite_autoindex_embeddings_1', 'face_id=?')],
    ['faces without embedding', embeddingsSql.facesWithout, [0, 'm', 10], index('e', 'sqlite_autoindex_embeddings_1', 'face_id=?')],
    ['assignments by person', assignmentsSql.byPerson, [1], index('face_assignments', 'face_assignments_by_person', 'person_id=?)')],
    ['constraints by person', constraintsSql.forPerson, [1], index('constraints', 'constraints_by_person', 'person_id=?)')],
  ];
  for (const [what, sql, params, expected] of plans) {
    const plan = explain(db, sql, params);
    assert.match(plan, expected, `${what}:\n${plan}`);
    assert.doesNotMatch(plan, /USE TEMP B-TREE|^SCAN (photos|faces|embeddings|face_assignments)\b/m, `${what}:\n${plan}`);
  }
});

test('after a typical workload the database passes integrity_check and foreign_key_check', () => {
  const store = createTestStore();
  const faceIds = addFaces(store, 5);
  addPhoto(store, 'b.jpg');
  for (const id of faceIds) store.embeddings.put(id, 'm', new Float32Array([id, 0.5]));
  const ada = store.persons.create({ name: 'Ada' });
  const bob = store.persons.create({ name: 'Bob' });
  store.assignments.setAuto(faceIds.map((faceId) => ({ faceId, personId: bob.id, clusterId: null })));
  store.assignments.assignByUser([faceIds[0]!], ada.id);
  store.constraints.add(faceIds[1]!, bob.id, 'not');
  store.persons.merge(bob.id, ada.id, { dropContradictedNotConstraints: true });
  store.faces.delete([faceIds[4]!]);
  assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
});
