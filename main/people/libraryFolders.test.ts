import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { checkLibraryFolder, LibraryFolderError, systemFolders } from '../library/libraryFolder.ts';
import { scanLibrary } from './libraryScan.ts';
import { createTestStore } from '../store/testing.ts';
import { fixedAnalyser } from './testing.ts';
import { findLibraryFolder, FolderHasPhotosError, registerLibraryFolder, removeLibraryFolder } from './libraryFolders.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'facet-folders-')));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function refusal(folder: string, protectedFolders: string[] = []): Promise<string> {
  try {
    await checkLibraryFolder(folder, { protectedFolders });
  } catch (error) {
    assert.ok(error instanceof LibraryFolderError, String(error));
    assert.ok(error.message.startsWith(folder), `the message names the folder: ${error.message}`);
    return error.reason;
  }
  assert.fail(`${folder} was accepted`);
}

test('the root, system folders (by real path), the data folder, a file and a missing path are refused', async (t) => {
  const dir = await tempDir(t);
  await fs.writeFile(path.join(dir, 'file.jpg'), 'x');
  await fs.mkdir(path.join(dir, 'data', 'models'), { recursive: true });
  await fs.symlink('/', path.join(dir, 'to-root'));
  await fs.symlink('/etc', path.join(dir, 'to-etc'));
  assert.equal(await refusal('/'), 'system-folder');
  assert.equal(await refusal(path.join(dir, 'to-root')), 'system-folder');
  for (const folder of ['/etc', '/proc/self', '/dev', '/sys', '/usr/lib', path.join(dir, 'to-etc')]) {
    if (await fs.stat(folder).catch(() => undefined)) assert.equal(await refusal(folder), 'system-folder', folder);
  }
  assert.equal(await refusal(path.join(dir, 'data'), [path.join(dir, 'data')]), 'data-folder');
  assert.equal(await refusal(path.join(dir, 'data', 'models'), [path.join(dir, 'data')]), 'data-folder');
  assert.equal(await refusal(path.join(dir, 'file.jpg')), 'not-a-folder');
  assert.equal(await refusal(path.join(dir, 'nope')), 'missing');
  assert.equal(await refusal('relative/folder'), 'not-absolute');
  assert.equal(await checkLibraryFolder(dir, { protectedFolders: [path.join(dir, 'data')] }), dir, 'a folder above the data folder is fine');
  assert.ok(systemFolders('win32', {}).some((folder) => /Windows$/u.test(folder)));
  assert.ok(systemFolders('darwin').includes('/System'));
});

test('a folder inside a known one is that folder; one above known ones holds them, and their photos stay unchanged', async (t) => {
  const dir = await tempDir(t);
  for (const sub of ['pictures/2023', 'pictures/2024', 'pictures/2025']) await fs.mkdir(path.join(dir, sub), { recursive: true });
  for (const [sub, name] of [['2023', 'a.jpg'], ['2024', 'b.jpg'], ['2025', 'c.jpg']]) await fs.writeFile(path.join(dir, 'pictures', sub!, name!), name!);
  const store = createTestStore();
  const analyser = fixedAnalyser({});
  const scan = (roots: string[]) => scanLibrary({ store, roots, detectorId: 'fixed', embedderId: 'fixed-embedder', createPool: async () => analyser });

  const y2023 = await registerLibraryFolder(store, path.join(dir, 'pictures', '2023'));
  const y2024 = await registerLibraryFolder(store, path.join(dir, 'pictures', '2024'));
  assert.equal(y2023.how, 'new');
  const first = await scan([y2023.root.path, y2024.root.path]);
  assert.equal(first.added, 2);
  assert.equal((await registerLibraryFolder(store, path.join(dir, 'pictures', '2023'))).how, 'known');

  const outer = await registerLibraryFolder(store, path.join(dir, 'pictures'));
  assert.equal(outer.how, 'merged');
  assert.deepEqual(outer.merged.sort(), [y2023.root.path, y2024.root.path].sort());
  assert.deepEqual(store.roots.list().map((root) => root.path), [path.join(dir, 'pictures')]);
  const second = await scan([outer.root.path]);
  assert.equal(second.unchanged, 2, 'the known photos are unchanged, not new');
  assert.equal(second.added, 1);
  assert.equal(second.missing, 0);

  const inner = await registerLibraryFolder(store, path.join(dir, 'pictures', '2025'));
  assert.equal(inner.how, 'inside');
  assert.equal(inner.root.id, outer.root.id);
  assert.equal(store.roots.list().length, 1);

  assert.equal(findLibraryFolder(store, path.join(dir, 'pictures'))?.id, outer.root.id);
  assert.throws(() => removeLibraryFolder(store, outer.root, false), FolderHasPhotosError);
  assert.deepEqual(removeLibraryFolder(store, outer.root, true), { photos: 3, faces: 0, persons: 0 });
  assert.deepEqual(store.roots.list(), []);
});
