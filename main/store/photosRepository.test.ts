import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, InvalidValueError, NotFoundError, ProtectedDataError } from './errors/index.ts';
import type { PhotoInput } from './photosRepository.ts';
import { ROOT, createTestStore, faceInput, photoPath } from './testing.ts';

function setup() {
  const store = createTestStore();
  const root = store.roots.add(ROOT);
  const input = (name: string, overrides: Partial<PhotoInput> = {}): PhotoInput => ({
    rootId: root.id,
    path: photoPath(name),
    size: 2048,
    mtimeMs: 1_700_000_000_123.456,
    contentHash: `sha-${name}`,
    width: 4000,
    height: 3000,
    takenAt: '2021-07-04T12:30:00',
    ...overrides,
  });
  return { store, root, input };
}

test('roots: adding is idempotent, paths must be absolute, online and scan time are kept', () => {
  const { store, root } = setup();
  assert.equal(store.roots.add(ROOT).id, root.id);
  assert.throws(() => store.roots.add('relative/dir'), InvalidValueError);
  store.roots.setOnline(root.id, false);
  store.roots.markScanned(root.id, 42);
  assert.deepEqual(store.roots.get(root.id), { ...root, online: false, lastScanAt: 42 });
  assert.throws(() => store.roots.setOnline(999, true), NotFoundError);
});

test('upsert inserts once, then updates the same row by path', () => {
  const { store, input } = setup();
  const first = store.photos.upsert(input('a.jpg'));
  assert.deepEqual(first, { id: first.id, inserted: true, contentChanged: false });
  const again = store.photos.upsert(input('a.jpg', { size: 4096, mtimeMs: 1_700_000_999_000.25 }));
  assert.deepEqual(again, { id: first.id, inserted: false, contentChanged: false });
  const photo = store.photos.findByPath(photoPath('a.jpg'))!;
  assert.equal(photo.size, 4096);
  assert.equal(photo.mtimeMs, 1_700_000_999_000.25); // fractional mtime survives exactly
  assert.equal(photo.takenAt, '2021-07-04T12:30:00');
  assert.equal(store.photos.counts().ok, 1);
});

test('new content resets detection, the same content keeps it', () => {
  const { store, input } = setup();
  const { id } = store.photos.upsert(input('a.jpg'));
  store.faces.insertDetected(id, 'det-1', [faceInput()]);
  store.photos.upsert(input('a.jpg', { mtimeMs: 5 }));
  assert.equal(store.photos.get(id)!.detectorId, 'det-1');
  assert.equal(store.photos.upsert(input('a.jpg', { contentHash: 'edited' })).contentChanged, true);
  assert.equal(store.photos.get(id)!.detectorId, null);
  assert.deepEqual(store.photos.needingDetection('det-1', 10), [id]);
});

test('a moved file is found by content hash and keeps its faces and names', () => {
  const { store, root, input } = setup();
  const { id } = store.photos.upsert(input('old/a.jpg', { contentHash: 'same-bytes' }));
  const [faceId] = store.faces.insertDetected(id, 'det-1', [faceInput()]);
  const ada = store.persons.create({ name: 'Ada' });
  store.assignments.assignByUser([faceId!], ada.id);

  assert.equal(store.photos.markMissing([id]), 1);
  const candidates = store.photos.findByContentHash('same-bytes');
  assert.deepEqual(candidates.map((p) => [p.id, p.status]), [[id, 'missing']]);
  const moved = store.photos.move(id, root.id, photoPath('new/a.jpg'));

  assert.equal(moved.id, id);
  assert.equal(moved.path, photoPath('new/a.jpg'));
  assert.equal(moved.status, 'ok');
  assert.equal(store.photos.findByPath(photoPath('old/a.jpg')), undefined);
  assert.deepEqual(store.faces.list({ photoId: id }).map((f) => [f.id, f.personName]), [[faceId, 'Ada']]);
});

test('moving onto a path another photo holds is a ConflictError', () => {
  const { store, root, input } = setup();
  const a = store.photos.upsert(input('a.jpg')).id;
  const b = store.photos.upsert(input('b.jpg')).id;
  assert.throws(
    () => store.photos.move(a, root.id, photoPath('b.jpg')),
    (error: unknown) => error instanceof ConflictError && error.existingId === b && error.field === 'path',
  );
  assert.throws(() => store.photos.move(999, root.id, photoPath('c.jpg')), NotFoundError);
});

test('rescan list has what is needed to skip unchanged files; missing and failed are counted', () => {
  const { store, root, input } = setup();
  const a = store.photos.upsert(input('a.jpg')).id;
  const b = store.photos.upsert(input('b.jpg', { status: 'failed', error: 'not a JPEG', width: null, height: null })).id;
  store.photos.markMissing([a]);
  assert.deepEqual(
    store.photos.listForRescan(root.id).sort((x, y) => x.id - y.id),
    [
      { id: a, path: photoPath('a.jpg'), size: 2048, mtimeMs: 1_700_000_000_123.456, contentHash: 'sha-a.jpg', status: 'missing' },
      { id: b, path: photoPath('b.jpg'), size: 2048, mtimeMs: 1_700_000_000_123.456, contentHash: 'sha-b.jpg', status: 'failed' },
    ],
  );
  assert.deepEqual(store.photos.counts(), { ok: 0, failed: 1, missing: 1 });
  assert.equal(store.photos.get(b)!.error, 'not a JPEG');
});

test('bad input is refused with a named error', () => {
  const { store, input } = setup();
  assert.throws(() => store.photos.upsert(input('x.jpg', { path: 'x.jpg' })), InvalidValueError);
  assert.throws(() => store.photos.upsert(input('x.jpg', { status: 'failed' })), InvalidValueError);
});

test('a folder with photos is removed only through forgetRoot', () => {
  const { store, root, input } = setup();
  const { id } = store.photos.upsert(input('a.jpg'));
  const [faceId] = store.faces.insertDetected(id, 'det-1', [faceInput()]);
  const ada = store.persons.create({ name: 'Ada' });
  store.assignments.assignByUser([faceId!], ada.id);
  assert.throws(() => store.roots.remove(root.id), ProtectedDataError);

  assert.deepEqual(store.forgetRoot(root.id), { photos: 1, faces: 1, persons: 1, walTruncated: true });
  assert.deepEqual(store.roots.list(), []);
  assert.equal(store.persons.get(ada.id), undefined); // named only from this folder: forgotten with it (forget.test.ts)
  assert.deepEqual(store.db.pragma('foreign_key_check'), []);
});
