/**
 * The measured failure #1 of the feedback-loop issue: after fine-tuning applied an adapter, the app's scans
 * stopped with `unknown embedder "dlib-resnet+adapter1"`. Every scan now goes through the one scan pipeline
 * (base network, then the adapter): the app's scan job, search by a dropped image and a drawn face must work
 * after an adapter is applied and after it is rolled back. Real models, real photos, a real database file.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { createAdapter, identityAdapter } from '../../main/learn/adapter.ts';
import { openApi } from '../../main/api/openApi.ts';
import { ok } from '../../main/api/testing.ts';
import { applyAdapterToLibrary, currentModels, rollbackAdapter } from '../../main/people/adapterStore.ts';
import { LFW_SKIP, lfwImage } from './lfwData.ts';

test('scans, search by image and drawn faces work after fine-tuning and after rollback', { skip: LFW_SKIP, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-scan-adapter-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const library = path.join(dir, 'photos');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(library);
  copyFileSync(lfwImage('Tony_Blair', 1), path.join(library, 'blair1.jpg'));
  copyFileSync(lfwImage('Colin_Powell', 1), path.join(library, 'powell1.jpg'));
  mkdirSync(path.join(dir, 'data'));
  const { api, store } = openApi({ databasePath: path.join(dir, 'data', 'facet.db'), transport: 'http', workers: 1 });
  t.after(() => api.close());

  await ok(api, 'libraries.add', { path: library });
  await ok(api, 'libraries.startScan', {});
  await api.scan.settled();
  assert.equal((await ok(api, 'libraries.scanStatus', {})).state, 'done');
  await ok(api, 'cluster.run', { minClusterSize: 1 });

  // An adapter as fine-tuning applies it: a fixed, slightly rotated identity map.
  const base = currentModels(store).base;
  const dim = store.embeddings.listVectors(base).dimensions;
  const weights = Float32Array.from(identityAdapter(dim).weights, (w, i) => w + (i % (dim + 1) === 1 ? 0.05 : 0));
  const applied = applyAdapterToLibrary(store, base, createAdapter(dim, weights), { base: 0.2, adapted: 0.2 }, {});
  assert.equal(currentModels(store).current, applied.derivedModelId);

  copyFileSync(lfwImage('Tony_Blair', 2), path.join(library, 'blair2.jpg'));
  await ok(api, 'libraries.startScan', {});
  await api.scan.settled();
  const status = await ok(api, 'libraries.scanStatus', {});
  assert.equal(status.state, 'done', `scan after fine-tuning: ${status.error}`);
  assert.equal(status.summary?.analysed, 1);
  // The new face has the base network's vector and the adapted one.
  const newFace = store.faces.list().find((face) => store.photos.get(face.photoId)!.path.endsWith('blair2.jpg'))!;
  assert.ok(store.embeddings.get(newFace.id, base));
  assert.ok(store.embeddings.get(newFace.id, applied.derivedModelId));

  const query = readFileSync(lfwImage('Tony_Blair', 3)).toString('base64');
  const found = await ok(api, 'search.byImage', { imageBase64: query, limit: 3 });
  assert.equal(found.facesFound, 1);
  const nearest = store.photos.get(found.results[0]!.photoId)!.path;
  assert.match(path.basename(nearest), /^blair/, `nearest to another Blair photo: ${nearest}`);

  const photo = store.photos.findByPath(path.join(library, 'powell1.jpg'))!;
  const drawn = await ok(api, 'photo.addManualFace', { photoId: photo.id, box: { x: 60, y: 60, width: 130, height: 130 } });
  assert.ok(store.embeddings.get(drawn.face.faceId, applied.derivedModelId), 'a drawn face gets the adapted vector too');

  rollbackAdapter(store);
  copyFileSync(lfwImage('Colin_Powell', 2), path.join(library, 'powell2.jpg'));
  await ok(api, 'libraries.startScan', {});
  await api.scan.settled();
  assert.equal((await ok(api, 'libraries.scanStatus', {})).state, 'done');
});
