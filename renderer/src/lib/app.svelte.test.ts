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
