import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateFixtures, type LibraryFixtures } from '../../test/fixtures/generate.ts';
import { isImagePath, listLibrary, walkLibrary } from './walk.ts';

describe('walkLibrary', () => {
  let fx: LibraryFixtures;
  before(async () => {
    fx = await generateFixtures(await fs.mkdtemp(path.join(os.tmpdir(), 'facet-walk-')));
  });
  after(() => fs.rm(fx.root, { recursive: true, force: true }));

  it('lists image files, any extension case, through symlinks to files', async () => {
    const { files } = await listLibrary([fx.root]);
    const relative = files.map((file) => path.relative(fx.root, file.path));
    assert.deepEqual(relative, [
      'photos/UPPER.JPG',
      'photos/alpha.png',
      'photos/animated.gif',
      'photos/broken/empty.jpg',
      'photos/broken/huge-header.png',
      'photos/broken/random.jpg',
      'photos/broken/truncated.jpg',
      'photos/cmyk.jpg',
      'photos/grey.png',
      'photos/link-to-plain.jpg',
      'photos/nested/deeper/deep.png',
      'photos/plain.jpg',
      'photos/rgb16.png',
      'photos/rotated-6.jpg',
      'photos/still.avif',
    ]);
  });

  it('skips hidden files and folders and non-images, and does not follow the loop back', async () => {
    const paths = (await listLibrary([fx.root])).files.map((file) => file.path);
    for (const skipped of [fx.files.dotfile, fx.files.hiddenFolderFile, fx.files.notes]) {
      assert.ok(!paths.includes(skipped), skipped);
    }
    assert.ok(!paths.some((file) => file.includes(`${path.sep}loop${path.sep}`)), 'nothing listed through nested/loop');
  });

  it('reports size and mtime as stat does (the target of a symlink)', async () => {
    const { files } = await listLibrary([fx.root]);
    const link = files.find((file) => file.path === fx.files.linkToPlain)!;
    const stats = await fs.stat(fx.files.plain);
    assert.equal(link.size, stats.size);
    assert.equal(link.mtimeMs, stats.mtimeMs);
    assert.ok(path.isAbsolute(link.path));
  });

  it('reports a dangling symlink and a missing root as errors and goes on', async () => {
    const missing = path.join(fx.root, 'no-such-folder');
    const { files, errors } = await listLibrary([missing, fx.root]);
    assert.equal(files.length, 15);
    const byFile = new Map(errors.map((error) => [error.file, error]));
    assert.equal(byFile.get(missing)?.reason, 'unreadable-directory');
    assert.equal(byFile.get(fx.files.dangling)?.reason, 'unreadable-entry');
    assert.equal(byFile.get(missing)?.name, 'WalkError');
    assert.equal(errors.length, 2);
  });

  it('lists overlapping roots once', async () => {
    const { files } = await listLibrary([fx.root, path.join(fx.root, 'photos', 'nested'), fx.root]);
    assert.equal(files.length, 15);
  });

  it('reports an unreadable folder and lists the rest', { skip: process.getuid?.() === 0 && 'root reads any folder' }, async () => {
    const locked = path.join(fx.root, 'photos', 'locked');
    await fs.mkdir(locked);
    await fs.chmod(locked, 0o000);
    try {
      const { files, errors } = await listLibrary([fx.root]);
      assert.equal(files.length, 15);
      assert.deepEqual(errors.map((error) => [error.file, error.reason]).find(([file]) => file === locked), [locked, 'unreadable-directory']);
    } finally {
      await fs.chmod(locked, 0o755);
      await fs.rm(locked, { recursive: true });
    }
  });

  it('yields one batch per folder, folders without images included', async () => {
    const folders: string[] = [];
    for await (const batch of walkLibrary([fx.root])) folders.push(path.relative(fx.root, batch.directory));
    assert.deepEqual(folders.sort(), ['', 'photos', 'photos/broken', 'photos/nested', 'photos/nested/deeper']);
  });
});

describe('isImagePath', () => {
  it('matches the photo extensions, case-insensitively', () => {
    for (const name of ['a.jpg', 'b.JPEG', 'c.Png', 'd.webp', 'e.tif', 'f.TIFF', 'g.avif', 'h.gif', 'i.HEIC', 'j.heif']) {
      assert.ok(isImagePath(name), name);
    }
    for (const name of ['notes.txt', 'movie.mov', 'jpg', 'archive.jpg.zip', 'raw.cr2']) assert.ok(!isImagePath(name), name);
  });
});
