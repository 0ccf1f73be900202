/**
 * The app's side of the photo ecosystem, through the API as the renderer calls it: names written into XMP
 * sidecars by the real ExifTool, and library folders watched while the app runs (real file events and scans;
 * the face "detector" is the stand-in from main/ecosystem/testing.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ExifTool } from 'exiftool-vendored';
import { demoPhoto, fixedAnalyser, tempDir } from '../../people/testing.ts';
import { scanIntoPeople } from '../../people/scanPipeline.ts';
import type { ScanRunner } from './scanJob.ts';
import { startLibraryWatch } from './libraryWatch.ts';
import { createTestApi, ok } from '../testing.ts';

const BOX = { x: 300, y: 200, width: 180, height: 220 };

function realScans(): ScanRunner {
  const analyser = fixedAnalyser({ 'a.jpg': [BOX], 'b.jpg': [BOX] });
  return (options) => scanIntoPeople({ ...options, createPool: async () => analyser });
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

test('libraries.exportXmp writes the named faces into sidecars; an unknown person is refused by name', async (t) => {
  const root = tempDir(t);
  await demoPhoto(path.join(root, 'a.jpg'));
  const { api, store } = createTestApi({ runScan: realScans() });
  t.after(() => api.close());
  await ok(api, 'libraries.add', { path: root });
  await ok(api, 'libraries.startScan', {});
  await api.scan.settled();
  const [face] = store.faces.list();
  await ok(api, 'faces.assign', { faceIds: [face!.id], name: 'Ann Lee' });

  const refused = await api.call('libraries.exportXmp', { personId: 999 });
  assert.deepEqual(refused.ok ? null : [refused.error.name, refused.error.field], ['RequestError', 'personId']);
  const result = await ok(api, 'libraries.exportXmp', {});
  assert.deepEqual(result, { photos: 1, regions: 1, written: 1, failed: [] });
  const exiftool = new ExifTool({ maxProcs: 1 });
  t.after(() => exiftool.end());
  const tags = await exiftool.read(path.join(root, 'a.jpg.xmp')) as { RegionInfo?: { RegionList: Array<{ Name: string }> } };
  assert.deepEqual(tags.RegionInfo?.RegionList.map((region) => region.Name), ['Ann Lee']);
});

test('the app scans what changes in its library folders, including folders added while it runs', async (t) => {
  const first = tempDir(t), second = tempDir(t);
  const { api, store } = createTestApi({ runScan: realScans() });
  await ok(api, 'libraries.add', { path: first });
  const watcher = await startLibraryWatch(api, store, undefined, { debounceMs: 150 });
  t.after(async () => {
    await watcher.close();
    await api.close();
  });
  await demoPhoto(path.join(first, 'a.jpg'));
  await waitFor('the new photo', () => store.faces.list().length === 1);
  await waitFor('the scan job to finish', () => !api.scan.running);
  assert.equal(api.scan.status().summary?.added, 1);

  await ok(api, 'libraries.add', { path: second });
  await waitFor('the new folder to be watched', () => watcher.roots.includes(second));
  await demoPhoto(path.join(second, 'b.jpg'));
  await waitFor('the photo in the added folder', () => store.photos.findByPath(path.join(second, 'b.jpg')) !== undefined);
  await fs.rm(path.join(first, 'a.jpg'));
  await waitFor('the deleted photo', () => store.photos.findByPath(path.join(first, 'a.jpg'))!.status === 'missing');
  await watcher.idle();
  assert.equal(store.faces.list().length, 2, 'the deleted photo keeps its face, as a missing photo');
});
