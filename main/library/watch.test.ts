import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LibraryWatcher, type WatchBatch } from './watch.ts';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms); }),
  ]);
}

test('a watcher started with no folders starts at once, and watches folders added later (issue #17, finding 4)', async (t) => {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'facet-watch-')));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const first = path.join(dir, 'first'), second = path.join(dir, 'second');
  await fs.mkdir(first);
  await fs.mkdir(second);
  const batches: WatchBatch[] = [];
  let notify: () => void = () => {};
  const watcher = await within(LibraryWatcher.start({
    roots: [], debounceMs: 100, stabilityMs: 100,
    rescan: async (batch) => { batches.push(batch); notify(); },
  }), 5000, 'start with no folders');
  t.after(() => watcher.close());
  const next = () => new Promise<void>((resolve) => { notify = resolve; });

  await within(watcher.setRoots([first]), 10_000, 'the first folder listed');
  let seen = next();
  await fs.writeFile(path.join(first, 'a.jpg'), 'a');
  await within(seen, 10_000, 'a photo added to a folder added after the start');
  assert.deepEqual(batches.at(-1)!.roots, [first]);

  await within(watcher.setRoots([first, second]), 10_000, 'the second folder');
  await new Promise((resolve) => setTimeout(resolve, 300)); // chokidar lists the new folder in the background
  seen = next();
  await fs.writeFile(path.join(second, 'b.jpg'), 'b');
  await within(seen, 10_000, 'a photo added to a second folder added later');
  assert.deepEqual(batches.at(-1)!.roots, [second]);

  const closing = performance.now();
  await watcher.close();
  assert.ok(performance.now() - closing < 3000, 'closes promptly');
});

test('a link to a parent folder inside the library is no loop for the watcher (it reported ELOOP 40 levels deep)', async (t) => {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'facet-watch-')));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const family = path.join(dir, 'family');
  await fs.mkdir(family);
  await fs.symlink(dir, path.join(family, 'loop'));
  const errors: Error[] = [];
  const batches: WatchBatch[] = [];
  let notify: () => void = () => {};
  const watcher = await within(LibraryWatcher.start({
    roots: [dir], debounceMs: 100, stabilityMs: 100,
    rescan: async (batch) => { batches.push(batch); notify(); },
    onError: (error) => errors.push(error),
  }), 10_000, 'start on a folder with a loop');
  t.after(() => watcher.close());
  const seen = new Promise<void>((resolve) => { notify = resolve; });
  await fs.writeFile(path.join(family, 'a.jpg'), 'a');
  await within(seen, 10_000, 'a photo added beside the loop');
  assert.deepEqual(errors.map((error) => error.message), []);
});
