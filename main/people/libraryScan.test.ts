import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { scanLibrary } from './libraryScan.ts';
import { createTestStore } from '../store/testing.ts';
import { demoPhoto, fixedAnalyser, tempDir } from './testing.ts';

test('a paused scan leaves its folder unscanned (no "scanned" time); the next scan finishes it and says so', async (t) => {
  const root = tempDir(t);
  for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await demoPhoto(path.join(root, name));
  const store = createTestStore();
  const analyser = fixedAnalyser({});
  const controller = new AbortController();
  const pausing = { ...analyser, workers: 1, analyse: async (file: string) => {
    controller.abort(); // the user pauses while the first photo is analysed
    return analyser.analyse(file);
  } };
  const paused = await scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => pausing, signal: controller.signal });
  assert.equal(paused.status, 'cancelled');
  assert.ok(paused.analysed < 3, 'stopped before the end');
  assert.equal(store.roots.list()[0]!.lastScanAt, null, 'not marked scanned');

  const finished = await scanLibrary({ store, roots: [root], detectorId: 'fixed', embedderId: 'e', createPool: async () => analyser });
  assert.equal(paused.analysed + finished.analysed, 3, 'the next scan does the rest');
  assert.ok(store.roots.list()[0]!.lastScanAt! > 0, 'now it is scanned');
});
