/** The API the app's views need (#16): the photo timeline, search's plausible cut-off, what Settings says of backends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestApi, ok, seedLibrary } from '../testing.ts';

async function library() {
  const { api, store } = createTestApi();
  const seeded = seedLibrary(store);
  await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 });
  const [ann, bob] = (await ok(api, 'people.list', {})).entries;
  const annId = (await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' })).personId;
  const bobId = (await ok(api, 'people.nameCluster', { clusterId: bob!.ref.id, name: 'Bob' })).personId;
  return { api, store, seeded, annId, bobId };
}

test('photos.timeline / page / neighbours: every photo newest first, by month, filtered by people and dates', async () => {
  const { api, seeded, annId, bobId } = await library();
  const all = await ok(api, 'photos.timeline', {});
  assert.equal(all.total, 10);
  assert.deepEqual(all.months.map((m) => m.month), ['2019-06', '2018-06', '2017-06', '2016-06', '2015-06', '2014-06', '2013-06', '2012-06', '2011-06', '2010-06']);
  const page = await ok(api, 'photos.page', { offset: 0, limit: 3 });
  assert.deepEqual(page.photos.map((p) => p.photoId), [seeded.photos[9], seeded.photos[8], seeded.photos[7]]);
  assert.equal(page.photos[0]!.dateSource, 'exif');
  const annPhotos = await ok(api, 'photos.page', { personIds: [annId], offset: 0, limit: 100 });
  assert.deepEqual(annPhotos.photos.map((p) => p.photoId), seeded.photos.slice(0, 5).reverse());
  const both = await ok(api, 'photos.timeline', { personIds: [annId, bobId] });
  assert.equal(both.total, 1, 'only the photo with Ann and Bob');
  const ranged = await ok(api, 'photos.timeline', { personIds: [annId], from: '2011-01-01', to: '2012-06-15' });
  assert.equal(ranged.total, 2, 'the range is inclusive of its last day');
  const around = await ok(api, 'photos.neighbours', { photoId: seeded.photos[2]!, personIds: [annId] });
  assert.deepEqual([around.previous, around.index, around.next, around.total], [seeded.photos[3], 2, seeded.photos[1], 5]);

  const wrongOrder = await api.call('photos.timeline', { from: '2012-01-01', to: '2011-01-01' });
  assert.equal(wrongOrder.ok ? null : wrongOrder.error.field, 'from');
  const nobody = await api.call('photos.page', { personIds: [999], offset: 0, limit: 5 });
  assert.equal(nobody.ok ? null : nobody.error.field, 'personIds');
  const badDate = await api.call('search.byNames', { names: ['Ann'], from: '2011-13-01x' });
  assert.equal(badDate.ok ? null : badDate.error.field, 'from');
  const inRange = await ok(api, 'search.byNames', { names: ['Ann'], from: '2013-01-01' });
  assert.deepEqual(inRange.photos.map((p) => p.photoId), [seeded.photos[4], seeded.photos[3]]);
});

test('search by example: results best first, the plausible ones counted against a cut-off that says where it comes from', async () => {
  const { api, seeded } = await library();
  const found = await ok(api, 'search.byFace', { faceId: seeded.faces.ann[0]!, limit: 20 });
  assert.equal(found.cutoff.distance, 0.18, 'dlib-resnet: calibrated 0.13 + margin 0.05');
  assert.match(found.cutoff.source, /dlib-resnet's calibrated clustering threshold 0\.13 .*\+ margin 0\.05/u);
  const distances = found.results.map((r) => r.distance);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'best first');
  assert.equal(found.plausible, found.results.filter((r) => r.distance <= 0.18).length);
  assert.equal(found.plausible, 4, "Ann's four other faces, nobody else");
  assert.ok(found.results.slice(0, 4).every((r) => r.personName === 'Ann'));
});

test('settings: only backends that can load here, with why the others cannot; the slider range around the calibrated threshold', async () => {
  const { api } = await library();
  const settings = await ok(api, 'settings.get', {});
  assert.deepEqual([settings.thresholdRange.min, settings.thresholdRange.max, settings.thresholdRange.calibrated], [0.05, 0.325, 0.13]);
  assert.ok(settings.backend.choices.includes('wasm') && settings.backend.choices.includes('cpu'));
  for (const { name, reason } of settings.backend.unavailable) {
    assert.ok(!settings.backend.choices.includes(name));
    assert.match(reason, /tfjs-node|onnxruntime/u, `${name}: ${reason}`);
  }
  assert.equal(settings.backend.choices.length + settings.backend.unavailable.length, 5, 'every backend is either');
});

test('faces.loose: faces in no person and no group, which no other view lists; named, a face leaves the list', async () => {
  const { api, annId } = await library();
  const before = await ok(api, 'faces.loose', {});
  const annFace = (await ok(api, 'faces.list', { ref: { kind: 'person', id: annId } })).faces[0]!.faceId;
  await ok(api, 'faces.notThisPerson', { faceIds: [annFace], personId: annId });
  await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 }); // regrouped: too unlike the rest to join a group
  const after = await ok(api, 'faces.loose', {});
  assert.equal(after.total, before.total + 1);
  assert.ok(after.faces.some((f) => f.faceId === annFace), 'the face taken out of Ann is listed');
  assert.deepEqual(after.faces.map((f) => f.faceId), [...after.faces.map((f) => f.faceId)].sort((a, b) => a - b), 'in id order');
  const paged = await ok(api, 'faces.loose', { afterId: after.faces[0]!.faceId, limit: 1 });
  assert.equal(paged.faces.length, Math.min(1, after.total - 1));
  await ok(api, 'faces.assign', { faceIds: [annFace], name: 'Zoe' });
  assert.ok(!(await ok(api, 'faces.loose', {})).faces.some((f) => f.faceId === annFace), 'named: no longer loose');
  const bad = await api.call('faces.loose', { limit: 0 });
  assert.equal(bad.ok ? null : bad.error.field, 'limit');
});
