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

  it('lists image files, any extension case; a link to a photo listed anyway is not listed twice', async () => {
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

  it('reports a dangling symlink and a missing root as errors and goes on', async () => {
    const missing = path.join(fx.root, 'no-such-folder');
    const { files, errors } = await listLibrary([missing, fx.root]);
    assert.equal(files.length, 14);
    const byFile = new Map(errors.map((error) => [error.file, error]));
    assert.equal(byFile.get(missing)?.reason, 'unreadable-directory');
    assert.equal(byFile.get(fx.files.dangling)?.reason, 'unreadable-entry');
    assert.equal(byFile.get(missing)?.name, 'WalkError');
    assert.equal(errors.length, 2);
  });

  it('lists overlapping roots once', async () => {
    const { files } = await listLibrary([fx.root, path.join(fx.root, 'photos', 'nested'), fx.root]);
    assert.equal(files.length, 14);
  });

  it('reports an unreadable folder and lists the rest', { skip: process.getuid?.() === 0 && 'root reads any folder' }, async () => {
    const locked = path.join(fx.root, 'photos', 'locked');
    await fs.mkdir(locked);
    await fs.chmod(locked, 0o000);
    try {
      const { files, errors } = await listLibrary([fx.root]);
      assert.equal(files.length, 14);
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

describe('walkLibrary and symbolic links (one rule: the real path must be inside the folder\'s real path)', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-walk-links-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('never reads a link out of the folder, reports each once, follows links inside once', async () => {
    const library = path.join(dir, 'library'), outside = path.join(dir, 'outside');
    await fs.mkdir(path.join(library, 'trip', 'day1'), { recursive: true });
    await fs.mkdir(path.join(library, '.hidden'), { recursive: true });
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.jpg'), 'not yours');
    await fs.writeFile(path.join(library, 'trip', 'day1', 'a.jpg'), 'a');
    await fs.writeFile(path.join(library, '.hidden', 'kept.jpg'), 'k');
    await fs.symlink('/etc/passwd', path.join(library, 'passwd.jpg'));
    await fs.symlink(outside, path.join(library, 'outside-folder'));
    await fs.symlink(path.join(outside, 'secret.jpg'), path.join(library, 'trip', 'secret.jpg'));
    await fs.symlink('..', path.join(library, 'trip', 'up')); // the library folder itself: a loop
    await fs.symlink('../../..', path.join(library, 'trip', 'day1', 'above')); // above the folder: out
    await fs.symlink('trip/day1', path.join(library, 'day1-again')); // inside, listed anyway
    await fs.symlink('trip/day1/a.jpg', path.join(library, 'a-again.jpg')); // inside, listed anyway
    await fs.symlink('.hidden/kept.jpg', path.join(library, 'shown.jpg')); // inside, listed only through the link

    const { files, errors } = await listLibrary([library]);
    assert.deepEqual(files.map((file) => path.relative(library, file.path)), ['shown.jpg', 'trip/day1/a.jpg']);
    const refused = errors.filter((error) => error.reason === 'link-outside').map((error) => path.relative(library, error.file)).sort();
    assert.deepEqual(refused, ['outside-folder', 'passwd.jpg', 'trip/day1/above', 'trip/secret.jpg']);
    assert.equal(errors.length, refused.length, JSON.stringify(errors.map((error) => error.message)));
    for (const error of errors) assert.match(error.message, /outside the library folder/u);
  });

  it('a library folder that is itself a link is walked at its real path', async () => {
    const real = path.join(dir, 'real-pictures');
    await fs.mkdir(real);
    await fs.writeFile(path.join(real, 'b.jpg'), 'b');
    await fs.symlink(real, path.join(dir, 'pictures-link'));
    const { files, errors } = await listLibrary([path.join(dir, 'pictures-link')]);
    assert.deepEqual(errors, []);
    assert.deepEqual(files.map((file) => path.basename(file.path)), ['b.jpg']);
  });
});

describe('isImagePath', () => {
  it('matches the photo extensions, case-insensitively', () => {
    for (const name of ['a.jpg', 'b.JPEG', 'c.Png', 'd.webp', 'e.tif', 'f.TIFF', 'g.avif', 'h.gif', 'i.HEIC', 'j.heif']) {
      assert.ok(isImagePath(name), name);
    }
    // Camera RAW and videos are listed too: their embedded JPEG and sampled frames are analysed (raw.ts, video.ts).
    for (const name of ['k.DNG', 'l.cr2', 'm.CR3', 'n.nef', 'o.arw', 'p.orf', 'q.raf', 'r.rw2', 's.mp4', 't.MOV', 'u.m4v', 'v.3gp', 'w.mkv']) {
      assert.ok(isImagePath(name), name);
    }
    for (const name of ['notes.txt', 'song.mp3', 'jpg', 'archive.jpg.zip', 'photo.xmp', 'clip.avi.part']) assert.ok(!isImagePath(name), name);
  });
});
