/**
 * A group joining a person the user said some of its faces are not (a cluster merged into the person or named with
 * its name, a person renamed to its name) is refused, naming those faces, until the user confirms; the app asks
 * (app.svelte.ts runContradicting) and the CLI takes --drop-contradictions. Before, merging or naming a cluster
 * dropped the "not this person" decision silently.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestApi, ok, seedLibrary } from '../testing.ts';

test('merging or naming a cluster into a person one of its faces was said not to be asks first; confirmed, it happens, and undo brings the decision back', async () => {
  const { api, store } = createTestApi();
  seedLibrary(store);
  await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 });
  const [ann, other] = (await ok(api, 'people.list', {})).entries;
  const annId = (await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' })).personId;
  // The user said one face of the other group is not Ann (as the review queue's "no" records it).
  const own = other!.ref;
  const rejected = (await ok(api, 'faces.list', { ref: own })).faces[0]!.faceId;
  await ok(api, 'faces.notThisPerson', { faceIds: [rejected], personId: annId });
  assert.equal(own.kind, 'cluster');
  const annCount = () => ok(api, 'faces.list', { ref: { kind: 'person', id: annId } }).then((r) => r.total);
  const before = await annCount();
  const constraints = () => store.constraints.listForPerson(annId).filter((c) => c.kind === 'not').map((c) => c.faceId);

  const merge = await api.call('people.merge', { from: own!, into: { kind: 'person', id: annId } });
  assert.equal(merge.ok, false);
  assert.equal(merge.ok ? null : merge.error.name, 'MergeConflictError');
  assert.deepEqual(merge.ok ? null : merge.error.faceIds, [rejected]);
  assert.match(merge.ok ? '' : merge.error.message, /contradicts the "not this person" decision on face \d+$/u);
  const named = await api.call('people.nameCluster', { clusterId: own!.id, name: 'ann' });
  assert.equal(named.ok ? null : named.error.name, 'MergeConflictError', 'naming it with her name (any case) is the same merge');
  assert.equal(await annCount(), before, 'nothing changed');
  assert.deepEqual(constraints(), [rejected], 'the decision stays');

  await ok(api, 'people.nameCluster', { clusterId: own!.id, name: 'Ann', dropContradictions: true });
  assert.equal(await annCount(), before + other!.faceCount, 'confirmed: the group joins her, that face too');
  assert.deepEqual(constraints(), [], 'and the decision it contradicted goes');
  await ok(api, 'history.undo', { count: 1 });
  assert.equal(await annCount(), before);
  assert.deepEqual(constraints(), [rejected], 'undo brings the decision back');

  // A person renamed to her name merges into her: the same question for the faces she was told they are not.
  const bob = (await ok(api, 'people.nameCluster', { clusterId: own!.id, name: 'Bob the rejected' })).personId;
  const renamed = await api.call('people.rename', { personId: bob, name: 'Ann', mergeIfTaken: true });
  assert.equal(renamed.ok ? null : renamed.error.name, 'MergeConflictError');
  const confirmed = await ok(api, 'people.rename', { personId: bob, name: 'Ann', mergeIfTaken: true, dropContradictions: true });
  assert.deepEqual(confirmed, { personId: annId, merged: true });
});
