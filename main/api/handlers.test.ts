import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { API_METHODS } from './contract.ts';
import { REQUEST_SCHEMAS } from './schemas.ts';
import { scanNetworks } from '../people/scanPipeline.ts';
import { DEFAULT_PRECISION } from '../embed/precision.ts';
import { createTestApi, fakeScanRunner, ok, seedLibrary, unit } from './testing.ts';

async function clustered() {
  const { api, store, analyser } = createTestApi();
  const seeded = seedLibrary(store);
  const report = await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 });
  return { api, store, analyser, seeded, report };
}

test('every contract method has a schema and a handler', () => {
  assert.deepEqual(Object.keys(REQUEST_SCHEMAS).sort(), [...API_METHODS].sort());
});

test('an unknown method and malformed requests are refused, naming the field, and change nothing', async () => {
  const { api, store } = await clustered();
  const before = JSON.stringify(await ok(api, 'people.list', {}));
  const cases: Array<[string, unknown, string, string]> = [
    ['people.drop', {}, 'UnknownMethodError', ''],
    ['people.nameCluster', { clusterId: 1 }, 'ValidationError', 'name'],
    ['people.nameCluster', { clusterId: '1', name: 'Ann' }, 'ValidationError', 'clusterId'],
    ['people.nameCluster', { clusterId: 1, name: 'Ann', admin: true }, 'ValidationError', 'admin'],
    ['people.nameCluster', { clusterId: 1, name: '' }, 'ValidationError', 'name'],
    ['people.merge', { from: { kind: 'group', id: 1 }, into: { kind: 'person', id: 1 } }, 'ValidationError', 'from.kind'],
    ['people.merge', { from: { kind: 'cluster', id: -1 }, into: { kind: 'person', id: 1 } }, 'ValidationError', 'from.id'],
    ['faces.move', { faceIds: [1, 0], personId: 1 }, 'ValidationError', 'faceIds[1]'],
    ['faces.move', { faceIds: [1, 1], personId: 1 }, 'ValidationError', 'faceIds'],
    ['faces.move', null, 'ValidationError', ''],
    ['people.setBirthDate', { personId: 1, birthDate: '1990-13-01T00:00' }, 'ValidationError', 'birthDate'],
    ['settings.set', { threshold: Number.NaN }, 'ValidationError', 'threshold'],
    ['settings.set', { embedder: 'no-such-model' }, 'ValidationError', 'embedder'],
    ['settings.set', { scanCores: 0 }, 'ValidationError', 'scanCores'],
    ['settings.set', { scanCores: 1.5 }, 'ValidationError', 'scanCores'],
    ['settings.set', { smallestFace: 10 }, 'ValidationError', 'smallestFace'],
    ['settings.set', { precision: 'int4' }, 'ValidationError', 'precision'],
    ['settings.forgetAllFaceData', { confirm: 'yes' }, 'ValidationError', 'confirm'],
    ['photo.addManualFace', { photoId: 1, box: { x: 0, y: 0, width: 0, height: 10 } }, 'ValidationError', 'box.width'],
    ['search.byImage', { imageBase64: 'data:image/png;base64,AAAA' }, 'ValidationError', 'imageBase64'],
    // Well-formed but naming rows that do not exist: refused before any write.
    ['faces.assign', { faceIds: [1, 9999], name: 'Zed' }, 'RequestError', 'faceIds[1]'],
    ['people.nameCluster', { clusterId: 9999, name: 'Zed' }, 'RequestError', 'clusterId'],
  ];
  for (const [method, request, name, field] of cases) {
    const result = await api.call(method, request);
    assert.equal(result.ok, false, `${method} ${JSON.stringify(request)} should fail`);
    if (result.ok) continue;
    assert.equal(result.error.name, name, `${method}: ${result.error.message}`);
    if (field) assert.equal(result.error.field, field, `${method}: ${result.error.message}`);
  }
  assert.equal(JSON.stringify(await ok(api, 'people.list', {})), before);
  assert.equal(store.persons.list().length, 0);
  assert.equal(store.settings.get('embedder'), undefined);
});

test('clustering finds the three people, largest first, each with a cover face', async () => {
  const { api, seeded, report } = await clustered();
  assert.equal(report.faces, 12);
  assert.equal(report.clusters, 3);
  const { entries } = await ok(api, 'people.list', {});
  assert.deepEqual(entries.map((e) => [e.ref.kind, e.faceCount]), [['cluster', 5], ['cluster', 4], ['cluster', 3]]);
  assert.ok(seeded.faces.ann.includes(entries[0]!.coverFaceId!));
  const page = await ok(api, 'faces.list', { ref: entries[0]!.ref, limit: 2 });
  assert.equal(page.total, 5);
  assert.deepEqual(page.faces.map((f) => f.faceId), seeded.faces.ann.slice(0, 2));
  const next = await ok(api, 'faces.list', { ref: entries[0]!.ref, afterId: page.faces[1]!.faceId, limit: 10 });
  assert.deepEqual(next.faces.map((f) => f.faceId), seeded.faces.ann.slice(2));
});

test('naming a cluster makes a person; naming another with the same name merges; rename conflicts are explicit', async () => {
  const { api, store } = await clustered();
  const [ann, bob, cat] = (await ok(api, 'people.list', {})).entries;
  const named = await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' });
  assert.equal(named.merged, false);
  const again = await ok(api, 'people.nameCluster', { clusterId: cat!.ref.id, name: ' ann ' });
  assert.deepEqual(again, { personId: named.personId, merged: true });
  const bobbed = await ok(api, 'people.nameCluster', { clusterId: bob!.ref.id, name: 'Bob' });
  const conflict = await api.call('people.rename', { personId: bobbed.personId, name: 'ANN' });
  assert.equal(conflict.ok, false);
  if (!conflict.ok) assert.deepEqual([conflict.error.name, conflict.error.field], ['ConflictError', 'persons.name']);
  assert.equal(store.persons.get(bobbed.personId)!.name, 'Bob');
  const merged = await ok(api, 'people.rename', { personId: bobbed.personId, name: 'Ann', mergeIfTaken: true });
  assert.deepEqual(merged, { personId: named.personId, merged: true });
  const { entries } = await ok(api, 'people.list', {});
  assert.deepEqual(entries.map((e) => [e.name, e.faceCount]), [['Ann', 12]]);
  const names = await ok(api, 'people.names', { prefix: 'a' });
  assert.deepEqual(names.names, [{ personId: named.personId, name: 'Ann' }]);
});

test('two clusters merge into one unnamed person; a cluster merges into a person', async () => {
  const { api } = await clustered();
  const [ann, bob, cat] = (await ok(api, 'people.list', {})).entries;
  const { personId } = await ok(api, 'people.merge', { from: bob!.ref, into: cat!.ref });
  let entries = (await ok(api, 'people.list', {})).entries;
  assert.deepEqual(entries.find((e) => e.ref.kind === 'person' && e.ref.id === personId)?.faceCount, 7);
  const annPerson = await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' });
  await ok(api, 'people.merge', { from: { kind: 'person', id: personId }, into: { kind: 'person', id: annPerson.personId } });
  entries = (await ok(api, 'people.list', {})).entries;
  assert.deepEqual(entries.map((e) => [e.name, e.faceCount]), [['Ann', 12]]);
  const self = await api.call('people.merge', { from: { kind: 'person', id: annPerson.personId }, into: { kind: 'person', id: annPerson.personId } });
  assert.equal(self.ok, false);
});

test('"not this person" takes the face away for good: reclustering does not bring it back', async () => {
  const { api, store, seeded } = await clustered();
  const ann = (await ok(api, 'people.list', {})).entries[0]!;
  const { personId } = await ok(api, 'people.nameCluster', { clusterId: ann.ref.id, name: 'Ann' });
  const face = seeded.faces.ann[3]!;
  await ok(api, 'faces.notThisPerson', { faceIds: [face], personId });
  assert.equal(store.assignments.get(face)!.personId, null);
  assert.deepEqual(store.constraints.listForFace(face).map((c) => [c.personId, c.kind]), [[personId, 'not']]);
  await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 });
  assert.notEqual(store.assignments.get(face)!.personId, personId);
  const person = await ok(api, 'person.get', { personId });
  assert.equal(person.faceCount, 4);
});

test('the review queue asks only plausible questions, a small group once; confirm and reject are remembered', async () => {
  const { api, store, seeded } = await clustered();
  const [ann, bob] = (await ok(api, 'people.list', {})).entries;
  const annId = (await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' })).personId;
  await ok(api, 'people.nameCluster', { clusterId: bob!.ref.id, name: 'Bob' });
  // Take two of Ann's faces away from everyone's decisions: they become unsorted, nearest to Ann.
  const released = seeded.faces.ann.slice(0, 2);
  store.assignments.releaseToAuto(released);
  const { suggestions, unsorted } = await ok(api, 'unsorted.suggestions', {});
  assert.equal(unsorted, 5); // 3 of cat + 2 released
  // One question settles both released faces (they share a cluster); Cat's faces are far from Ann and Bob: not asked.
  assert.equal(suggestions.length, 1);
  const [question] = suggestions;
  assert.equal(question!.personName, 'Ann');
  assert.equal(question!.band, 'likely');
  assert.deepEqual([...question!.faceIds].sort((a, b) => a - b), [...released].sort((a, b) => a - b));
  assert.ok(question!.distance < 0.1);
  await ok(api, 'unsorted.confirm', { faceId: released[0]!, personId: annId });
  assert.deepEqual(store.assignments.get(released[0]!), { ...store.assignments.get(released[0]!)!, personId: annId, source: 'user' });
  await ok(api, 'unsorted.reject', { faceId: released[1]!, personId: annId });
  const after = await ok(api, 'unsorted.suggestions', {});
  // Ann is ruled out for the rejected face and Bob is far: nothing is worth asking.
  assert.deepEqual(after.suggestions, []);
  assert.equal(after.unsorted, 4);
  const history = await ok(api, 'history.list', {});
  assert.deepEqual(history.entries.slice(0, 2).map((e) => e.kind), ['reject', 'confirm']);
});

test('undo reverts the last decisions exactly, newest first; a merge into itself is refused', async () => {
  const { api, store } = await clustered();
  const [ann, bob] = (await ok(api, 'people.list', {})).entries;
  const snapshot = () => store.db.prepare('SELECT face_id, person_id, cluster_id, source FROM face_assignments ORDER BY face_id').all();
  const before = snapshot();
  const annId = (await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' })).personId;
  const afterNaming = snapshot();
  const self = await api.call('people.merge', { from: { kind: 'person', id: annId }, into: { kind: 'person', id: annId } });
  assert.equal(self.ok ? null : self.error.field, 'into');
  await ok(api, 'people.merge', { from: bob!.ref, into: { kind: 'person', id: annId } });
  assert.notDeepEqual(snapshot(), afterNaming);
  const undone = await ok(api, 'history.undo', {});
  assert.deepEqual(undone.undone.map((e) => e.kind), ['merge']);
  assert.deepEqual(snapshot(), afterNaming);
  await ok(api, 'history.undo', {});
  assert.deepEqual(snapshot(), before);
  assert.equal(store.persons.findByName('Ann'), undefined);
  const nothing = await api.call('history.undo', {});
  assert.equal(nothing.ok ? null : nothing.error.message, 'there is nothing to undo');
  // Redo makes both again, in the order they were made; a new decision then ends redo.
  const history = await ok(api, 'history.list', {});
  assert.deepEqual(history.entries.map((e) => [e.kind, e.undone, e.redoable]), [['merge', true, true], ['name', true, true]]);
  const redone = await ok(api, 'history.redo', { count: 5 });
  assert.deepEqual(redone.redone.map((e) => e.kind), ['name', 'merge']);
  assert.notDeepEqual(snapshot(), afterNaming);
  await ok(api, 'history.undo', {});
  assert.deepEqual(snapshot(), afterNaming);
  await ok(api, 'people.hide', { personId: store.persons.findByName('Ann')!.id, hidden: true });
  const none = await api.call('history.redo', {});
  assert.equal(none.ok ? null : none.error.message, 'there is nothing to redo');
});

test('search by names finds photos with all of them; by face returns the same person first', async () => {
  const { api, seeded } = await clustered();
  const [ann, bob, cat] = (await ok(api, 'people.list', {})).entries;
  await ok(api, 'people.nameCluster', { clusterId: ann!.ref.id, name: 'Ann' });
  await ok(api, 'people.nameCluster', { clusterId: bob!.ref.id, name: 'Bob' });
  await ok(api, 'people.nameCluster', { clusterId: cat!.ref.id, name: 'Cat' });
  const both = await ok(api, 'search.byNames', { names: ['ann', 'Bob'] });
  assert.deepEqual(both.photos.map((p) => p.photoId), [seeded.photos[0]]);
  const annOnly = await ok(api, 'search.byNames', { names: ['Ann'] });
  assert.equal(annOnly.photos.length, 5);
  assert.deepEqual(annOnly.photos.map((p) => p.takenAt), [...annOnly.photos.map((p) => p.takenAt)].sort().reverse());
  const unknown = await ok(api, 'search.byNames', { names: ['Ann', 'Zoe'] });
  assert.deepEqual(unknown, { photos: [], unknownNames: ['Zoe'] });
  const similar = await ok(api, 'search.byFace', { faceId: seeded.faces.bob[0]!, limit: 5 });
  assert.deepEqual(similar.results.slice(0, 3).map((r) => r.personName), ['Bob', 'Bob', 'Bob']);
  assert.ok(!similar.results.some((r) => r.faceId === seeded.faces.bob[0]));
  assert.ok(similar.results[3]!.distance > 1);
});

test('search by an image asks the analyser for faces and searches with the largest', async () => {
  const { api, analyser, seeded } = await clustered();
  analyser.found = [
    { box: { x: 0, y: 0, width: 10, height: 10 }, embedding: seeded.vectors.get(seeded.faces.ann[0]!)!, quality: 1 },
    { box: { x: 0, y: 0, width: 50, height: 50 }, embedding: seeded.vectors.get(seeded.faces.cat[0]!)!, quality: 1 },
  ];
  const found = await ok(api, 'search.byImage', { imageBase64: Buffer.from('not really a jpeg').toString('base64'), limit: 3 });
  assert.equal(found.facesFound, 2);
  assert.deepEqual(found.queryBox, { x: 0, y: 0, width: 50, height: 50 });
  assert.deepEqual(new Set(found.results.map((r) => r.faceId)), new Set(seeded.faces.cat));
  assert.equal(found.results[0]!.faceId, seeded.faces.cat[0]);
});

test('a person page lists photos oldest first with the age at each', async () => {
  const { api, seeded } = await clustered();
  const bob = (await ok(api, 'people.list', {})).entries[1]!;
  const { personId } = await ok(api, 'people.nameCluster', { clusterId: bob.ref.id, name: 'Bob' });
  await ok(api, 'people.setBirthDate', { personId, birthDate: '2000-07-01' });
  const page = await ok(api, 'person.get', { personId });
  assert.deepEqual(page.photos.map((p) => p.takenAt!.slice(0, 4)), ['2010', '2015', '2016', '2017']);
  assert.deepEqual(page.photos.map((p) => p.ageYears), [9, 14, 15, 16]);
  const cover = await api.call('people.setCover', { personId, faceId: seeded.faces.ann[0]! });
  assert.equal(cover.ok, false);
  if (!cover.ok) assert.equal(cover.error.field, 'faceId');
  const covered = await ok(api, 'people.setCover', { personId, faceId: seeded.faces.bob[2]! });
  assert.equal(covered.coverFaceId, seeded.faces.bob[2]);
  assert.equal((await ok(api, 'people.favourite', { personId, favourite: true })).favourite, true);
  assert.equal((await ok(api, 'people.hide', { personId, hidden: true })).hidden, true);
  // The same value again (a form firing its change twice) is no decision: no second history entry, redo kept.
  const decisions = (await ok(api, 'history.list', {})).entries.length;
  await ok(api, 'people.setBirthDate', { personId, birthDate: '2000-07-01' });
  await ok(api, 'people.hide', { personId, hidden: true });
  assert.equal((await ok(api, 'history.list', {})).entries.length, decisions);
  assert.ok(!(await ok(api, 'people.list', {})).entries.some((e) => e.ref.kind === 'person'));
  assert.ok((await ok(api, 'people.list', { includeHidden: true })).entries.some((e) => e.ref.kind === 'person'));
});

test('a drawn face is described by the analyser, stored as manual with its embedding, and may be named', async () => {
  const { api, store, analyser, seeded } = await clustered();
  const photoId = seeded.photos[2]!;
  const tooSmall = await api.call('photo.addManualFace', { photoId, box: { x: 630, y: 470, width: 40, height: 40 } });
  assert.equal(tooSmall.ok, false);
  if (!tooSmall.ok) assert.equal(tooSmall.error.field, 'box');
  assert.deepEqual(analyser.calls, []);
  const { face } = await ok(api, 'photo.addManualFace', { photoId, box: { x: 300, y: 100, width: 80, height: 90 }, name: 'Dan' });
  assert.equal(face.source, 'manual');
  assert.equal(face.personName, 'Dan');
  assert.deepEqual(store.embeddings.get(face.faceId, analyser.embedderId), analyser.described);
  const photo = await ok(api, 'photo.get', { photoId });
  assert.deepEqual(photo.faces.map((f) => f.source), ['detected', 'manual']);
  assert.equal(store.faces.get(face.faceId)!.landmarks!.length, 5);
});

test('settings: threshold, models and preview; forgetting all face data keeps photos and folders', async () => {
  const { api, store } = await clustered();
  const settings = await ok(api, 'settings.set', { threshold: 0.4, minClusterSize: 2 });
  assert.equal(settings.threshold, 0.4);
  assert.ok(settings.embedders.some((m) => m.id === 'dlib-resnet'));
  assert.deepEqual(settings.embeddedModels, [{ modelId: 'dlib-resnet', count: 12 }]);
  const preview = await ok(api, 'settings.previewThreshold', { threshold: 0.5 });
  assert.equal(preview.clusters, 3);
  assert.equal(preview.faces, 12);
  // Everyone merges but for faces that share a photo, which never share a cluster.
  const wide = await ok(api, 'settings.previewThreshold', { threshold: 3.9 });
  assert.ok(wide.clusters < 3);
  // The scans' core limit: absent by default, set, then back to the default; the workers follow.
  const cores = os.availableParallelism();
  assert.deepEqual(settings.scan, { cores: null, workers: cores >= 4 ? cores - 1 : cores, machineCores: cores, smallestFace: 40, precision: DEFAULT_PRECISION });
  assert.deepEqual((await ok(api, 'settings.set', { scanCores: 1 })).scan, { cores: 1, workers: 1, machineCores: cores, smallestFace: 40, precision: DEFAULT_PRECISION });
  assert.equal(store.settings.get('scanCores'), 1);
  assert.equal((await ok(api, 'settings.set', { scanCores: cores + 5 })).scan.workers, cores, 'never more workers than cores');
  assert.equal((await ok(api, 'settings.set', { scanCores: null })).scan.cores, null);
  assert.equal(store.settings.get('scanCores'), undefined);
  // The smallest face: what every scan's pipeline is given (scanNetworks), back to 40 px with null.
  assert.equal((await ok(api, 'settings.set', { smallestFace: 100 })).scan.smallestFace, 100);
  assert.equal(scanNetworks(store).smallestFace, 100);
  assert.equal((await ok(api, 'settings.set', { smallestFace: null })).scan.smallestFace, 40);
  assert.equal(scanNetworks(store).smallestFace, 40);
  // The precision: none set, the scans get none (the pipeline's default); set, every scan's pipeline is given it.
  assert.equal(scanNetworks(store).precision, undefined);
  assert.equal((await ok(api, 'settings.set', { precision: 'int8' })).scan.precision, 'int8');
  assert.equal(scanNetworks(store).precision, 'int8');
  assert.equal((await ok(api, 'settings.set', { precision: 'fp32' })).scan.precision, 'fp32');
  assert.equal((await ok(api, 'settings.set', { precision: null })).scan.precision, DEFAULT_PRECISION);
  const forgot = await ok(api, 'settings.forgetAllFaceData', { confirm: 'forget' });
  assert.equal(forgot.faces, 12);
  assert.equal(store.photos.counts().ok, 10);
  assert.equal((await ok(api, 'people.list', {})).entries.length, 0);
  const recluster = await api.call('cluster.run', {});
  assert.equal(recluster.ok, false);
  if (!recluster.ok) assert.deepEqual([recluster.error.name, recluster.error.message], ['RequestError', 'library: no faces with dlib-resnet embeddings yet: add a folder and scan it first']);
  assert.deepEqual(await ok(api, 'settings.previewThreshold', { threshold: 0.5 }), { clusters: 0, faces: 0, unclustered: 0 });
  assert.equal(store.db.prepare(`SELECT count(*) FROM cluster_runs WHERE status = 'failed'`).pluck().get(), 0, 'nothing to group is not a failed run');
});

test('libraries: add checks the folder, scan runs once at a time and reports failures; removal asks first', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-api-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'file.txt'), 'x');
  const runScan = fakeScanRunner();
  const { api, store } = createTestApi({ runScan });
  const events: string[] = [];
  api.events.subscribe((e) => events.push(e.topic === 'scan' ? `scan:${e.status.state}` : e.topic));
  for (const [request, field] of [[{ path: 'relative/dir' }, 'path'], [{ path: path.join(dir, 'nope') }, 'path'], [{ path: path.join(dir, 'file.txt') }, 'path']] as const) {
    const result = await api.call('libraries.add', request);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.field, field);
  }
  const noRoots = await api.call('libraries.startScan', {});
  assert.equal(noRoots.ok, false);
  const root = await ok(api, 'libraries.add', { path: dir });
  assert.deepEqual((await ok(api, 'libraries.list', {})).roots.map((r) => r.path), [dir]);
  const started = await ok(api, 'libraries.startScan', {});
  assert.equal(started.state, 'running');
  const busy = await api.call('libraries.startScan', { rootIds: [root.id] });
  assert.equal(busy.ok, false);
  if (!busy.ok) assert.equal(busy.error.name, 'BusyError');
  await api.scan.settled();
  const status = await ok(api, 'libraries.scanStatus', {});
  assert.equal(status.state, 'done');
  assert.deepEqual(status.failed.map((f) => f.reason), ['corrupt']);
  assert.equal(status.summary?.analysed, 2);
  assert.deepEqual(runScan.calls, [[dir]]);
  assert.ok(events.includes('scan:running') && events.includes('scan:done') && events.includes('changed'));
  store.photos.upsert({ rootId: root.id, path: path.join(dir, 'a.jpg'), size: 1, mtimeMs: 1, contentHash: 'x' });
  const refused = await api.call('libraries.remove', { rootId: root.id });
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.equal(refused.error.field, 'forgetPhotos');
  assert.deepEqual(await ok(api, 'libraries.remove', { rootId: root.id, forgetPhotos: true }), { photos: 1, faces: 0, persons: 0 });
  assert.deepEqual((await ok(api, 'libraries.list', {})).roots, []);
});

test('pausing a scan stops it after the photos in flight', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runScan = fakeScanRunner();
  const slow: typeof runScan = Object.assign(async (options: Parameters<typeof runScan>[0]) => {
    await gate;
    return runScan(options);
  }, { calls: runScan.calls });
  const { api, store } = createTestApi({ runScan: slow });
  store.roots.add('/photos');
  await ok(api, 'libraries.startScan', {});
  assert.equal((await ok(api, 'libraries.pauseScan', {})).state, 'stopping');
  release();
  await api.scan.settled();
  assert.equal((await ok(api, 'libraries.scanStatus', {})).state, 'cancelled');
  assert.equal(unit(Float32Array.of(3, 4))[0], 0.6000000238418579);
});

test('naming one face, regrouping (which gives the new person more faces), then undo and redo: exact, no foreign-key failure', async () => {
  const { api, store } = await clustered();
  const faceId = store.faces.list().at(-1)!.id;
  const { personId } = await ok(api, 'faces.assign', { faceIds: [faceId], name: 'Eve' });
  await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 });
  const joined = () => store.db.prepare('SELECT face_id FROM face_assignments WHERE person_id = ? ORDER BY face_id').pluck().all(personId);
  const regrouped = joined();
  assert.ok(regrouped.length > 1, 'the regrouping gave Eve more faces than the one named');
  const undone = await api.call('history.undo', {});
  assert.ok(undone.ok, JSON.stringify(undone)); // it failed: FOREIGN KEY constraint failed
  assert.equal(store.persons.get(personId!), undefined);
  assert.deepEqual(joined(), []);
  await ok(api, 'history.redo', {});
  assert.deepEqual(joined(), regrouped, 'redo gives Eve back the faces the regrouping gave her');
  await ok(api, 'cluster.run', { threshold: 0.5, minClusterSize: 2 });
  assert.ok((await api.call('history.undo', {})).ok);
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
});
