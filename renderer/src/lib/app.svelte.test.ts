import { expect, test } from 'vitest';
import { AppState, type Address } from './app.svelte.ts';
import { seededApp } from './testing.ts';

function fakeAddress(initial: string): Address & { hash: string; pushes: number; back(hash: string): void } {
  let listener = () => {};
  const address = {
    hash: initial,
    pushes: 0,
    get: () => address.hash,
    set(hash: string, push: boolean) {
      address.hash = hash;
      if (push) address.pushes++;
    },
    onChange: (l: () => void) => void (listener = l),
    back(hash: string) {
      address.hash = hash;
      listener();
    },
  };
  return address;
}

test('the route comes from the address and goes back into it; a message goes with navigation', async () => {
  const { client } = await seededApp({ cluster: false });
  const address = fakeAddress('#/person/cluster/5');
  const app = new AppState(client, address);
  expect(app.route).toEqual({ view: 'person', ref: { kind: 'cluster', id: 5 } });
  app.inform('Named Ann.');
  app.go({ view: 'photos', personIds: [2] });
  expect(address.hash).toBe('#/photos?people=2');
  expect(app.message).toBeNull();
  app.inform('later');
  address.back('#/people');
  expect(app.route).toEqual({ view: 'people' });
  expect(app.message).toBeNull();
});

test('change events bump the counters views reload on', async () => {
  const { app, client } = await seededApp();
  const stop = app.listen();
  const before = app.changes.people;
  const { entries } = await client.call('people.list', {});
  await client.call('people.nameCluster', { clusterId: entries[0]!.ref.id, name: 'Ann' });
  expect(app.changes.people).toBeGreaterThan(before);
  stop();
});

test('a scan that removed named faces from changed files says so wherever the user is (the watcher scans unasked)', async () => {
  const { app, api } = await seededApp();
  const stop = app.listen();
  const status = api.scan.status();
  const summary = { files: 2, added: 0, changed: 1, moved: 0, missing: 0, analysed: 1, faces: 1, embedded: 0, facesGone: [{ file: '/photos/a.jpg', person: 'Ann' }] };
  api.events.emit({ topic: 'scan', status: { ...status, state: 'done', finishedAt: Date.now(), summary } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(app.message).toEqual({ kind: 'warning', text: 'A face you had named or decided about is no longer in its changed file, and was removed: Ann in /photos/a.jpg.' });
  stop();
});
