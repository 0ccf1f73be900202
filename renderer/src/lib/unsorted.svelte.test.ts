import { expect, test } from 'vitest';
import { UnsortedState } from './unsorted.svelte.ts';
import { seededApp } from './testing.ts';

test('y confirms a whole group at once, s skips, n rejects; answers are remembered by the store', async () => {
  const { app, client, store, seeded } = await seededApp();
  const { entries } = await client.call('people.list', {});
  const ann = await client.call('people.nameCluster', { clusterId: entries[0]!.ref.id, name: 'Ann' });
  const bob = await client.call('people.nameCluster', { clusterId: entries[1]!.ref.id, name: 'Bob' });
  store.assignments.releaseToAuto(seeded.faces.ann.slice(0, 3));
  const unsorted = new UnsortedState(app);
  await unsorted.load();
  const first = unsorted.current!;
  expect(first.personName).toBe('Ann');
  expect(first.faceIds[0]).toBe(first.faceId);
  expect(unsorted.handleKey('y')).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const faceId of first.faceIds) expect(store.assignments.get(faceId)).toMatchObject({ personId: ann.personId, source: 'user' });
  expect(app.message?.text).toMatch(/^Yes: \d+ faces? added to Ann\.$/u);

  // Bob's faces, released, asked about: skip moves the question to the back, n keeps them away from Bob.
  store.assignments.releaseToAuto(seeded.faces.bob.slice(1, 3));
  await unsorted.load();
  const question = unsorted.current!;
  expect(question.personId).toBe(bob.personId);
  unsorted.handleKey('s');
  expect(unsorted.suggestions.at(-1)).toEqual(question);
  while (unsorted.current && unsorted.current.faceId !== question.faceId) unsorted.skip();
  await unsorted.answer(false);
  for (const faceId of question.faceIds) {
    expect(store.constraints.listForFace(faceId)).toMatchObject([{ personId: bob.personId, kind: 'not' }]);
  }
  expect(unsorted.answered).toBe(2);
  expect(unsorted.handleKey('q')).toBe(false);
});
