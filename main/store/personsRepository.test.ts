import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, InvalidValueError, MergeConflictError, NotFoundError } from './errors/index.ts';
import { addFaces, createTestStore } from './testing.ts';

test('names are unique ignoring case and Unicode composition; null unnames', () => {
  const store = createTestStore();
  const emile = store.persons.create({ name: '  Émile   Zola ' }, 1);
  assert.equal(emile.name, 'Émile Zola');
  assert.equal(store.persons.findByName('ÉMILE ZOLA')?.id, emile.id);
  assert.equal(store.persons.findByName('E\u0301mile zola')?.id, emile.id); // decomposed É
  assert.throws(
    () => store.persons.create({ name: 'émile zola' }),
    (error: unknown) => error instanceof ConflictError && error.existingId === emile.id,
  );
  const strasse = store.persons.create({ name: 'Straße' });
  assert.throws(() => store.persons.create({ name: 'STRASSE' }), ConflictError);
  assert.equal(store.persons.rename(strasse.id, 'straße', 2).name, 'straße'); // own name, new case: fine
  assert.throws(() => store.persons.rename(strasse.id, '   '), InvalidValueError);
  assert.equal(store.persons.rename(emile.id, null).name, null);
  store.persons.create({ name: 'Émile Zola' }); // free again
  assert.throws(() => store.persons.rename(999, 'X'), NotFoundError);
});

test('hidden, favourite, birth date and cover are kept; the list hides hidden persons unless asked', () => {
  const store = createTestStore();
  const [faceId] = addFaces(store, 1);
  const ada = store.persons.create({ name: 'Ada' }, 1);
  const bob = store.persons.create({ name: 'Bob' }, 1);
  const unnamed = store.persons.create({}, 1);
  store.persons.setFavourite(ada.id, true, 5);
  store.persons.setBirthDate(ada.id, '1815-12-10', 5);
  store.persons.setCover(ada.id, faceId!, 5);
  store.persons.setHidden(bob.id, true, 5);
  store.assignments.assignByUser([faceId!], ada.id);
  assert.throws(() => store.persons.setBirthDate(ada.id, '1815-02-30'), InvalidValueError);
  assert.throws(() => store.persons.setBirthDate(ada.id, '10/12/1815'), InvalidValueError);

  assert.deepEqual(store.persons.get(ada.id), {
    id: ada.id, name: 'Ada', hidden: false, favourite: true, birthDate: '1815-12-10', coverFaceId: faceId,
    createdAt: 1, updatedAt: 5,
  });
  assert.deepEqual(store.persons.list().map((p) => [p.id, p.faceCount]), [[ada.id, 1], [unnamed.id, 0]]);
  assert.deepEqual(store.persons.list({ includeHidden: true }).map((p) => p.id), [ada.id, bob.id, unnamed.id]);
});

test('merging moves faces, user decisions and constraints, and fills empty fields', () => {
  const store = createTestStore();
  const faces = addFaces(store, 6);
  const [userFace, autoFace, notFace, isFace, dupFace, intoFace] = faces as [number, number, number, number, number, number];
  const from = store.persons.create({ name: 'Ada L.', birthDate: '1815-12-10' });
  const into = store.persons.create({}); // unnamed cluster person the user recognises as the same
  const carol = store.persons.create({ name: 'Carol' });
  store.assignments.assignByUser([userFace], from.id);
  store.assignments.setAuto([{ faceId: autoFace, personId: from.id, clusterId: null }]);
  store.constraints.add(notFace, from.id, 'not');
  store.constraints.add(isFace, from.id, 'is');
  store.constraints.add(dupFace, from.id, 'not');
  store.constraints.add(dupFace, into.id, 'not');
  store.constraints.add(intoFace, carol.id, 'not');

  const result = store.persons.merge(from.id, into.id);
  assert.deepEqual(
    { ...result, person: undefined },
    { person: undefined, movedAssignments: 3, movedConstraints: 2, duplicateConstraints: 1, droppedConstraints: 0 },
  );
  assert.equal(result.person.name, 'Ada L.');
  assert.equal(result.person.birthDate, '1815-12-10');
  assert.equal(store.persons.get(from.id), undefined);
  assert.equal(store.persons.findByName('ada l.')?.id, into.id);

  const decision = (faceId: number) => {
    const a = store.assignments.get(faceId);
    return a && [a.personId, a.source];
  };
  assert.deepEqual(decision(userFace), [into.id, 'user']);
  assert.deepEqual(decision(autoFace), [into.id, 'auto']);
  assert.deepEqual(decision(isFace), [into.id, 'user']);
  assert.deepEqual(
    store.constraints.listAll().map((c) => [c.faceId, c.personId, c.kind]),
    [[notFace, into.id, 'not'], [isFace, into.id, 'is'], [dupFace, into.id, 'not'], [intoFace, carol.id, 'not']],
  );
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
});

test('a merge that contradicts a user decision is refused, unchanged, until the user agrees', () => {
  const store = createTestStore();
  const [faceId, autoFace] = addFaces(store, 2);
  const ada = store.persons.create({ name: 'Ada' });
  const bob = store.persons.create({ name: 'Bob' });
  store.assignments.assignByUser([faceId!], ada.id); // user: this is Ada
  store.constraints.add(faceId!, bob.id, 'not'); // user: this is not Bob
  store.assignments.setAuto([{ faceId: autoFace!, personId: ada.id, clusterId: null }]);
  store.constraints.add(autoFace!, bob.id, 'not');

  assert.throws(
    () => store.persons.merge(ada.id, bob.id),
    (error: unknown) => error instanceof MergeConflictError && error.faceIds.join() === String(faceId),
  );
  assert.equal(store.persons.get(ada.id)?.name, 'Ada');
  assert.equal(store.constraints.listAll().length, 2);

  const result = store.persons.merge(ada.id, bob.id, { dropContradictedNotConstraints: true });
  assert.equal(result.droppedConstraints, 1);
  assert.deepEqual([store.assignments.get(faceId!)?.personId, store.assignments.get(faceId!)?.source], [bob.id, 'user']);
  // The automatic guess does not stand against the user's "not Bob".
  assert.equal(store.assignments.get(autoFace!)?.personId, null);
  assert.deepEqual(store.constraints.listAll().map((c) => [c.faceId, c.kind]), [[autoFace, 'not']]);
});
