import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileHashError } from './errors.ts';
import { HASH_WINDOW_BYTES, contentHash, diffLibrary, followContentMoves, pathsToHash, type KnownFile, type ScannedFile } from './identity.ts';

interface StoredFile extends KnownFile {
  id: number;
}

const known = (id: number, file: string, contentHash: string, size = 1000, mtimeMs = 5000): StoredFile => ({
  id, path: file, size, mtimeMs, contentHash,
});
const scanned = (file: string, size = 1000, mtimeMs = 5000, contentHash?: string): ScannedFile => ({
  path: file, size, mtimeMs, contentHash,
});

describe('diffLibrary', () => {
  it('sorts files into unchanged, changed, moved, added and deleted', () => {
    const previous = [
      known(1, '/lib/same.jpg', 'h-same'),
      known(2, '/lib/edited.jpg', 'h-edited'),
      known(3, '/lib/old/trip.jpg', 'h-trip'),
      known(4, '/lib/gone.jpg', 'h-gone'),
    ];
    const current = [
      scanned('/lib/same.jpg'),
      scanned('/lib/edited.jpg', 1200, 9000),
      scanned('/lib/new/trip.jpg', 1000, 7000, 'h-trip'),
      scanned('/lib/brand-new.jpg', 1000, 7000, 'h-new'),
    ];
    const diff = diffLibrary(previous, current);
    assert.deepEqual(diff.unchanged.map((file) => file.id), [1]);
    assert.deepEqual(diff.changed.map(({ previous, current }) => [previous.id, current.size]), [[2, 1200]]);
    assert.deepEqual(diff.moved.map(({ previous, current }) => [previous.id, current.path]), [[3, '/lib/new/trip.jpg']]);
    assert.deepEqual(diff.added.map((file) => file.path), ['/lib/brand-new.jpg']);
    assert.deepEqual(diff.deleted.map((file) => file.id), [4]);
  });

  it('tolerates mtimes rounded to the millisecond by the store', () => {
    const diff = diffLibrary([known(1, '/a.jpg', 'h', 1000, 5000)], [scanned('/a.jpg', 1000, 5000.4321)]);
    assert.equal(diff.unchanged.length, 1);
  });

  it('needs the hash to see a move: without it the file is added and the old one deleted', () => {
    const diff = diffLibrary([known(1, '/a.jpg', 'h')], [scanned('/b.jpg')]);
    assert.deepEqual([diff.moved.length, diff.added.length, diff.deleted.length], [0, 1, 1]);
  });

  it('does not pair files whose hashes agree but sizes differ', () => {
    const diff = diffLibrary([known(1, '/a.jpg', 'h', 1000)], [scanned('/b.jpg', 2000, 1, 'h')]);
    assert.deepEqual([diff.moved.length, diff.added.length, diff.deleted.length], [0, 1, 1]);
  });

  it('pairs duplicates one to one, preferring the same file name', () => {
    const previous = [known(1, '/x/IMG_1.jpg', 'dup'), known(2, '/x/IMG_2.jpg', 'dup')];
    const current = [scanned('/y/IMG_2.jpg', 1000, 1, 'dup'), scanned('/y/IMG_1.jpg', 1000, 1, 'dup'), scanned('/y/IMG_3.jpg', 1000, 1, 'dup')];
    const diff = diffLibrary(previous, current);
    assert.deepEqual(diff.moved.map(({ previous, current }) => [previous.id, current.path]), [[2, '/y/IMG_2.jpg'], [1, '/y/IMG_1.jpg']]);
    assert.deepEqual(diff.added.map((file) => file.path), ['/y/IMG_3.jpg']);
    assert.equal(diff.deleted.length, 0);
  });

  it('pathsToHash returns only the paths the store has not seen', () => {
    const result = pathsToHash([known(1, '/a.jpg', 'h')], [scanned('/a.jpg', 5, 5), scanned('/b.jpg')]);
    assert.deepEqual(result.map((file) => file.path), ['/b.jpg']);
  });
});

describe('contentHash', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-hash-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const write = async (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    return file;
  };
  const patterned = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff);

  it('gives equal files equal hashes wherever they are, and a small change another hash', async () => {
    const a = await contentHash(await write('a.jpg', patterned(1000)));
    const b = await contentHash(await write('b.jpg', patterned(1000)));
    const changed = patterned(1000);
    changed[500] ^= 1;
    const c = await contentHash(await write('c.jpg', changed));
    assert.match(String(a), /^[0-9a-f]{64}$/);
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('reads only the head and tail of a large file, and includes its size', async () => {
    const size = 3 * HASH_WINDOW_BYTES;
    const base = await contentHash(await write('big.jpg', patterned(size)));
    const middle = patterned(size);
    middle[Math.floor(size / 2)] ^= 1;
    const tail = patterned(size);
    tail[size - 1] ^= 1;
    assert.equal(await contentHash(await write('middle.jpg', middle)), base, 'the middle is not read');
    assert.notEqual(await contentHash(await write('tail.jpg', tail)), base);
    assert.notEqual(await contentHash(await write('longer.jpg', patterned(size + 1))), base);
  });

  it('returns a FileHashError naming a file it cannot read', async () => {
    const missing = path.join(dir, 'missing.jpg');
    const result = await contentHash(missing);
    assert.ok(result instanceof FileHashError);
    assert.equal(result.file, missing);
  });
});

describe('followContentMoves', () => {
  /** The diff once the changed files are hashed, as the scan does before following content moves. */
  function hashedDiff(previous: StoredFile[], current: ScannedFile[], hashes: Record<string, string>) {
    const diff = diffLibrary(previous, current);
    for (const change of diff.changed) change.current.contentHash = hashes[change.current.path];
    return followContentMoves(diff);
  }
  const summary = (diff: ReturnType<typeof hashedDiff>) => ({
    changed: diff.changed.map((c) => c.previous.id), moved: diff.moved.map((m) => [m.previous.id, m.current.path]).sort(),
    added: diff.added.map((f) => f.path), deleted: diff.deleted.map((f) => f.id),
  });

  it('a swap of two files is two moves, not two edits', () => {
    const previous = [known(1, '/lib/a.jpg', 'h-a'), known(2, '/lib/b.jpg', 'h-b')];
    const current = [scanned('/lib/a.jpg', 1000, 9000), scanned('/lib/b.jpg', 1000, 9000)];
    assert.deepEqual(summary(hashedDiff(previous, current, { '/lib/a.jpg': 'h-b', '/lib/b.jpg': 'h-a' })), {
      changed: [], moved: [[1, '/lib/b.jpg'], [2, '/lib/a.jpg']], added: [], deleted: [],
    });
  });

  it('a renumbered folder (a photo put in front) is a chain of moves ending at a new name, and one new photo', () => {
    const previous = [known(1, '/lib/001.jpg', 'h-x'), known(2, '/lib/002.jpg', 'h-y')];
    const current = [scanned('/lib/001.jpg', 1000, 9000), scanned('/lib/002.jpg', 1000, 9000), scanned('/lib/003.jpg', 1000, 9000, 'h-y')];
    assert.deepEqual(summary(hashedDiff(previous, current, { '/lib/001.jpg': 'h-new', '/lib/002.jpg': 'h-x' })), {
      changed: [], moved: [[1, '/lib/002.jpg'], [2, '/lib/003.jpg']], added: ['/lib/001.jpg'], deleted: [],
    });
  });

  it('a photo copied over another is an edit of that one: its own record stays, and so does the copied one', () => {
    const previous = [known(1, '/lib/a.jpg', 'h-a'), known(2, '/lib/b.jpg', 'h-b')];
    const current = [scanned('/lib/a.jpg', 1000, 9000), scanned('/lib/b.jpg')];
    assert.deepEqual(summary(hashedDiff(previous, current, { '/lib/a.jpg': 'h-b' })), { changed: [1], moved: [], added: [], deleted: [] });
  });

  it('a file renamed onto a name whose photo was deleted: the deleted one\'s record goes, the renamed one moves', () => {
    const previous = [known(1, '/lib/a.jpg', 'h-a'), known(2, '/lib/b.jpg', 'h-b')];
    const current = [scanned('/lib/a.jpg', 1000, 9000)];
    // b.jpg was renamed to a.jpg, replacing it: a.jpg's old record is edited (its content is gone), b's vanished.
    assert.deepEqual(summary(hashedDiff(previous, current, { '/lib/a.jpg': 'h-b' })), { changed: [1], moved: [], added: [], deleted: [2] });
  });
});
