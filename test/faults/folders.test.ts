/**
 * What may be a library folder (issue #17 finding 1, issue #15 "folders that behave"), through the real `facet`
 * command and the real API over a real SQLite file: the file system root, system folders (also reached through
 * /proc/self or a link), the data folder, a missing path and a file are refused with exit 2 and register nothing;
 * `facet libraries` lists and removes folders; `facet failures` lists a failed file until it is retried.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTestApi } from '../../main/api/testing.ts';
import { openStore } from '../../main/store/index.ts';
import { runFacet } from './cli.ts';
import { tally } from './tally.ts';

async function tempDir(): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-folders-')));
}

test('facet scan refuses the root, system folders, the data folder, a missing path and a file: exit 2, nothing registered', async (t) => {
  const dir = await tempDir();
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const home = path.join(dir, 'data');
  await fs.mkdir(home);
  await fs.writeFile(path.join(dir, 'photo.jpg'), 'x');
  await fs.symlink('/etc', path.join(dir, 'etc-link'));
  const db = path.join(home, 'facet.db');
  const env = { FACET_HOME: home };
  const refused = ['/', '/etc', '/proc/self', '/dev', '/sys', path.join(dir, 'etc-link'), home, path.join(dir, 'no-such-folder'), path.join(dir, 'photo.jpg')];
  let count = 0;
  for (const folder of refused) {
    const run = await runFacet(['scan', folder, '--workers', '0'], { db, env, timeoutMs: 120_000 });
    assert.equal(run.code, 2, `facet scan ${folder}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, new RegExp(folder.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&')), `the message names ${folder}: ${run.stderr}`);
    assert.match(run.stderr, /nothing was registered/u);
    count++;
  }
  const listed = await runFacet(['libraries', '--json'], { db, env });
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout).folders, [], 'no folder was registered');
  tally('foldersRefused', count, 'facet scan');
});

test('libraries.add refuses the same folders over the API, and merges a folder inside or above a known one', async (t) => {
  const dir = await tempDir();
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const { api, store } = createTestApi();
  let count = 0;
  for (const folder of ['/', '/etc', '/proc/self', '/dev', '/boot', '/run', path.join(dir, 'missing')]) {
    const result = await api.call('libraries.add', { path: folder });
    assert.equal(result.ok, false, `${folder} was added`);
    if (!result.ok) assert.equal(result.error.field, 'path');
    count++;
  }
  assert.deepEqual(store.roots.list(), []);
  await fs.mkdir(path.join(dir, 'pictures', '2024'), { recursive: true });
  const inner = await api.call('libraries.add', { path: path.join(dir, 'pictures', '2024') });
  assert.equal(inner.ok, true);
  const outer = await api.call('libraries.add', { path: path.join(dir, 'pictures') });
  assert.equal(outer.ok, true);
  assert.deepEqual(store.roots.list().map((root) => root.path), [path.join(dir, 'pictures')], 'one folder holds the other');
  const again = await api.call('libraries.add', { path: path.join(dir, 'pictures', '2024') });
  const idOf = (result: typeof again) => (result.ok ? (result.value as { id: number }).id : undefined);
  assert.equal(idOf(again), idOf(outer), 'a folder inside a known one is that one');
  tally('foldersRefused', count, 'libraries.add');
});

test('facet libraries remove and facet failures: a failed file is listed with its reason and time until retried', async (t) => {
  const dir = await tempDir();
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const home = path.join(dir, 'data');
  const library = path.join(dir, 'library');
  await fs.mkdir(home);
  await fs.mkdir(library);
  const db = path.join(home, 'facet.db');
  const env = { FACET_HOME: home };
  // An empty folder scans without loading a model.
  assert.equal((await runFacet(['scan', library, '--workers', '0'], { db, env, timeoutMs: 120_000 })).code, 0);
  const store = openStore(db);
  const root = store.roots.list()[0]!;
  store.photos.upsert({ rootId: root.id, path: path.join(library, 'broken.jpg'), size: 3, mtimeMs: 1, contentHash: 'x', status: 'failed', error: `${path.join(library, 'broken.jpg')} is damaged or truncated` });
  store.close();

  const failures = await runFacet(['failures', '--json'], { db, env });
  assert.equal(failures.code, 0, failures.stderr);
  const listed = JSON.parse(failures.stdout).failures as Array<{ file: string; reason: string; at: number }>;
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.file, path.join(library, 'broken.jpg'));
  assert.match(listed[0]!.reason, /damaged/u);
  assert.ok(Math.abs(listed[0]!.at - Date.now()) < 600_000, 'with the time of the scan that failed');

  const refused = await runFacet(['libraries', 'remove', library], { db, env });
  assert.equal(refused.code, 2, 'a folder with photos is removed only with --forget');
  assert.match(refused.stderr, /--forget/u);
  assert.equal((await runFacet(['failures', '--retry', '--json'], { db, env })).code, 0);
  assert.deepEqual(JSON.parse((await runFacet(['failures', '--json'], { db, env })).stdout).failures, [], 'retried: no longer listed as failed');
  const removed = await runFacet(['libraries', 'remove', library, '--forget', '--json'], { db, env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse((await runFacet(['libraries', '--json'], { db, env })).stdout).folders, []);
});
