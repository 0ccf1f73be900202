import { expect, test } from 'vitest';
import { PeopleState } from './people.svelte.ts';
import { seededApp } from './testing.ts';

test('loads entries largest first, names a cluster, merges by selection', async () => {
  const { app } = await seededApp();
  const people = new PeopleState(app);
  await people.load();
  expect(people.entries.map((e) => e.faceCount)).toEqual([5, 4, 3]);
  expect(await people.name(people.entries[0]!, '  Ann ')).toBe(true);
  expect(people.entries[0]!.name).toBe('Ann');
  expect(people.named).toBe(1);
  people.filter = 'ann';
  expect(people.visible.map((e) => e.name)).toEqual(['Ann']);
  people.filter = '';
  // Unnamed cluster picked first, Ann second: the cluster goes into Ann.
  people.toggle(people.entries[2]!.ref);
  people.toggle(people.entries[0]!.ref);
  expect(await people.mergeSelected()).toBe(true);
  expect(people.entries.map((e) => [e.name, e.faceCount])).toEqual([['Ann', 8], [null, 4]]);
  expect(people.selected).toEqual([]);
  expect(await people.suggestNames('a')).toEqual(['Ann']);
});

test('a failed call shows its message and leaves the entries as they were', async () => {
  const { app } = await seededApp();
  const people = new PeopleState(app);
  await people.load();
  const before = JSON.stringify(people.entries);
  expect(await people.name(people.entries[0]!, '   ')).toBe(false);
  const gone = { ...people.entries[1]!, ref: { kind: 'cluster' as const, id: 9999 } };
  expect(await people.name(gone, 'Zed')).toBe(false);
  expect(app.message?.kind).toBe('error');
  expect(app.message?.text).toMatch(/cluster 9999/);
  await people.load();
  expect(JSON.stringify(people.entries)).toBe(before);
});

test('merging two named people asks first: mergeSelected returns the plan, nothing changes until merge(plan)', async () => {
  const { app } = await seededApp();
  const people = new PeopleState(app);
  await people.load();
  await people.name(people.entries[0]!, 'Ann');
  await people.name(people.entries[1]!, 'Bob');
  people.toggle(people.entries[1]!.ref);
  people.toggle(people.entries[0]!.ref);
  const plan = await people.mergeSelected();
  expect(typeof plan).toBe('object');
  const before = people.entries.map((e) => [e.name, e.faceCount]);
  await people.load();
  expect(people.entries.map((e) => [e.name, e.faceCount])).toEqual(before);
  expect(await people.merge(plan as Exclude<typeof plan, boolean>)).toBe(true);
  expect(people.entries.filter((e) => e.name !== null).length).toBe(1);
});

test('unnamed groups under the smallest group size are left out until asked for', async () => {
  const { app, client } = await seededApp();
  await client.call('settings.set', { minClusterSize: 4 });
  const people = new PeopleState(app);
  await people.load();
  expect(people.visible.map((e) => e.faceCount)).toEqual([5, 4]);
  expect(people.smallGroups).toBe(1);
  people.showSmall = true;
  expect(people.visible.map((e) => e.faceCount)).toEqual([5, 4, 3]);
});

test('a merge or a name that goes against a "not this person" asks; No changes nothing, Go ahead merges', async () => {
  const { app, client } = await seededApp();
  const people = new PeopleState(app);
  await people.load();
  await people.name(people.entries[0]!, 'Ann');
  const annId = people.entries[0]!.ref.id;
  const group = people.entries[1]!;
  const face = (await client.call('faces.list', { ref: group.ref })).faces[0]!.faceId;
  await client.call('faces.notThisPerson', { faceIds: [face], personId: annId });
  await people.load();

  // Naming the group "Ann": the question comes up; answering no leaves everything as it was.
  const naming = people.name(people.entries[1]!, 'Ann');
  await expect.poll(() => app.question?.title).toBe('Go against your earlier decision?');
  expect(app.question!.text).toBe('Naming this group Ann goes against what you said before: a face here is not Ann. Going ahead puts it with Ann and forgets that decision. Ctrl+Z undoes it.');
  app.question!.answer(false);
  expect(await naming).toBe(false);
  expect(app.question).toBeNull();
  expect(people.entries.map((e) => [e.name, e.faceCount])).toEqual([['Ann', 5], [null, 4], [null, 3]]);

  // The same group merged into Ann: asked again; yes merges it, the face too.
  people.toggle(group.ref);
  people.toggle(people.entries[0]!.ref);
  const merging = people.mergeSelected();
  await expect.poll(() => app.question?.text).toMatch(/^Merging an unnamed group into Ann goes against/u);
  app.question!.answer(true);
  expect(await merging).toBe(true);
  expect(people.entries.map((e) => [e.name, e.faceCount])).toEqual([['Ann', 9], [null, 3]]);
});

test('renaming a named person to another one\'s name asks before merging them', async () => {
  const { app } = await seededApp();
  const people = new PeopleState(app);
  await people.load();
  await people.name(people.entries[0]!, 'Ann');
  await people.name(people.entries[1]!, 'Bob');
  const renaming = people.name(people.entries[1]!, 'ann');
  await expect.poll(() => app.question?.title).toBe('Merge two named people?');
  app.question!.answer(false);
  expect(await renaming).toBe(false);
  expect(people.entries.filter((e) => e.name !== null).map((e) => e.name)).toEqual(['Ann', 'Bob']);
});

test('undo and redo: what was undone is redone; with nothing to undo or redo the app says so, not as a failure', async () => {
  const { app } = await seededApp();
  const people = new PeopleState(app);
  await people.load();
  expect(await app.redo()).toEqual([]);
  expect(app.message).toEqual({ kind: 'info', text: 'Nothing to redo: redo makes again what you undid, until you make a new decision.' });
  expect(await app.undo()).toEqual([]);
  expect(app.message).toEqual({ kind: 'info', text: 'Nothing to undo.' });
  await people.name(people.entries[0]!, 'Ann');
  expect((await app.undo()).map((e) => e.kind)).toEqual(['name']);
  expect(app.canRedo).toBe(true); // the nav's Redo button is enabled by it
  expect(app.message?.text).toMatch(/^Undone: Named group \S+ "Ann" \(5 faces\)\. Ctrl\+Shift\+Z redoes it\.$/u);
  await people.load();
  expect(people.named).toBe(0);
  expect((await app.redo()).map((e) => e.kind)).toEqual(['name']);
  expect(app.message?.text).toMatch(/^Redone: Named group/u);
  expect(app.canRedo).toBe(false);
  await people.load();
  expect(people.entries[0]!.name).toBe('Ann');
});
