import { expect, test } from 'vitest';
import { UnsortedState } from './unsorted.svelte.ts';
import { seededApp } from './testing.ts';

test('y confirms, n rejects, s skips; answers are remembered by the store', async () => {
  const { app, client, store, seeded } = await seededApp();
  const { entries } = await client.call('people.list', {});
  const ann = await client.call('people.nameCluster', { clusterId: entries[0]!.ref.id, name: 'Ann' });
  await client.call('people.nameCluster', { clusterId: entries[1]!.ref.id, name: 'Bob' });
  store.assignments.releaseToAuto(seeded.faces.ann.slice(0, 3));
  const unsorted = new UnsortedState(app);
  await unsorted.load();
  expect(unsorted.current?.personName).toBe('Ann');
  const first = unsorted.current!;
  expect(unsorted.handleKey('y')).toBe(true);
  await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(store.assignments.get(first.faceId)).toMatchObject({ personId: ann.personId, source: 'user' });
  const skipped = unsorted.current!;
  unsorted.handleKey('s');
  expect(unsorted.suggestions.at(-1)).toEqual(skipped);
  const second = unsorted.current!;
  await unsorted.answer(false);
  expect(store.constraints.listForFace(second.faceId)).toMatchObject([{ personId: second.personId, kind: 'not' }]);
  expect(unsorted.answered).toBe(2);
  expect(unsorted.handleKey('q')).toBe(false);
});
