/**
 * The app's scans keep the machine usable (issue #18, item 4): their analysis workers run at low priority
 * (nice 10 on Linux), as many as the Settings screen's core limit allows, and pausing the scan ends the
 * workers, so their memory is freed. Real models, real photos (face-api's demo group photos), a real database.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { openApi } from '../../main/api/openApi.ts';
import { ok } from '../../main/api/testing.ts';
import { REPO_ROOT } from '../../main/library/repoRoot.ts';

/** This process's threads at nice 10 (Linux: field 19 of /proc/self/task/TID/stat). */
function lowPriorityThreads(): number {
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === 10;
    } catch {
      return false; // the thread ended while we looked
    }
  }).length;
}

function lowPriorityNames(): string {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === 10 ? [readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()] : [];
    } catch {
      return [];
    }
  }).join(', ');
}

test('the app scans at low priority on the set number of cores, and a paused scan frees its workers', { skip: process.platform !== 'linux' && 'reads /proc', timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-scan-priority-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const library = path.join(dir, 'photos');
  mkdirSync(library);
  const demo = path.join(REPO_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
  for (let i = 1; i <= 6; i++) copyFileSync(path.join(demo, `sample${i}.jpg`), path.join(library, `sample${i}.jpg`));
  mkdirSync(path.join(dir, 'data'));
  // No `workers`: the scan takes its workers from the setting, as in the app.
  const { api } = openApi({ databasePath: path.join(dir, 'data', 'facet.db'), transport: 'http' });
  t.after(() => api.close());
  assert.equal((await ok(api, 'settings.set', { scanCores: 1 })).scan.workers, 1);
  const before = lowPriorityThreads();

  await ok(api, 'libraries.add', { path: library });
  let lowWhileRunning = 0;
  let rssWhileRunning = 0;
  let paused = false;
  const unsubscribe = api.events.subscribe((event) => {
    if (event.topic !== 'scan' || paused) return;
    const { state, stage, done } = event.status;
    if (state !== 'running' || stage !== 'analyse' || done < 1) return;
    lowWhileRunning = lowPriorityThreads();
    rssWhileRunning = process.memoryUsage().rss;
    paused = true;
    void api.call('libraries.pauseScan', {});
  });
  t.after(unsubscribe);
  await ok(api, 'libraries.startScan', {});
  await api.scan.settled();
  const status = await ok(api, 'libraries.scanStatus', {});
  assert.equal(paused, true, 'the scan reached the analysis stage');
  assert.ok(lowWhileRunning > before, `threads at nice 10 while scanning: ${lowWhileRunning}, before: ${before}`);
  assert.equal(status.state, 'cancelled');
  const analysedFirst = status.summary?.analysed ?? 0;
  assert.ok(analysedFirst >= 1 && analysedFirst < 6, `photos analysed before the pause: ${analysedFirst}`);
  // Closed pool: its worker thread is gone (a thread or two its runtimes started stay, idle), and with it the
  // models and buffers: about 200 MB for one worker with SSD, the landmark net and dlib's ResNet.
  let low = lowPriorityThreads();
  for (let i = 0; i < 50 && low >= lowWhileRunning; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    low = lowPriorityThreads();
  }
  assert.ok(low < lowWhileRunning, `low-priority threads: ${lowWhileRunning} while scanning, ${low} after the pause (${lowPriorityNames()})`);
  const freedMB = (rssWhileRunning - process.memoryUsage().rss) / 1e6;
  assert.ok(freedMB > 100, `memory freed by the pause: ${freedMB.toFixed(0)} MB`);

  // Resumed: the next scan finishes the rest.
  await ok(api, 'libraries.startScan', {});
  await api.scan.settled();
  const done = await ok(api, 'libraries.scanStatus', {});
  assert.equal(done.state, 'done');
  assert.equal(done.summary?.analysed, 6 - analysedFirst, 'the second scan analysed only the photos left');
  assert.ok(done.counts.faces >= 20, `faces in the six demo photos: ${done.counts.faces}`);
});
