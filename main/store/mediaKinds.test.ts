import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { createTestStore, photoPath } from './testing.ts';

describe('videos, frame times and date sources (migration 3)', () => {
  it('an older database keeps its EXIF dates as exif and gets file dates for the rest', () => {
    const db = new Database(':memory:');
    migrate(db, ':memory:', MIGRATIONS.slice(0, 2));
    db.prepare(`INSERT INTO library_roots (id, path, added_at) VALUES (1, '/photos', 0)`).run();
    const insert = db.prepare(`INSERT INTO photos (root_id, path, size, mtime_ms, taken_at, status, error, scanned_at) VALUES (1, ?, 1, ?, ?, ?, ?, 0)`);
    insert.run('/photos/a.jpg', 1_600_000_000_000, '2019-07-14T15:03:22', 'ok', null);
    insert.run('/photos/b.png', 1_600_000_000_000, null, 'ok', null);
    insert.run('/photos/c.jpg', 1_600_000_000_000, null, 'failed', 'broken');
    migrate(db, ':memory:', MIGRATIONS.slice(0, 3));
    const rows = db.prepare(`SELECT path, taken_at AS takenAt, date_source AS source, kind FROM photos ORDER BY path`).all() as Array<Record<string, string | null>>;
    assert.deepEqual(rows.map((r) => [r['source'], r['kind']]), [['exif', 'photo'], ['file', 'photo'], [null, 'photo']]);
    assert.equal(rows[0]!['takenAt'], '2019-07-14T15:03:22');
    assert.equal(new Date(rows[1]!['takenAt']!).getTime(), 1_600_000_000_000, 'the file date is the mtime, with the local offset');
    db.close();
  });

  it('stores a video with its duration and date source, and its faces with their frame times', () => {
    const store = createTestStore();
    const root = store.roots.add('/photos');
    const { id } = store.photos.upsert({ rootId: root.id, path: photoPath('clip.mp4'), size: 10, mtimeMs: 1, contentHash: 'h' });
    assert.equal(store.photos.get(id)!.kind, 'photo', 'a file is a photo until analysis says otherwise');
    store.photos.upsert({
      rootId: root.id, path: photoPath('clip.mp4'), size: 10, mtimeMs: 1, contentHash: 'h',
      width: 640, height: 360, takenAt: '2020-05-17T09:30:00Z', dateSource: 'quicktime', kind: 'video', durationSeconds: 7.5,
    });
    const [faceId, stillId] = store.faces.insertDetected(id, 'ssd', [
      { box: { x: 1, y: 2, width: 30, height: 30 }, landmarks: null, score: 0.9, timeSeconds: 4 },
      { box: { x: 100, y: 2, width: 30, height: 30 }, landmarks: null, score: 0.9 },
    ]);
    const photo = store.photos.get(id)!;
    assert.deepEqual([photo.kind, photo.durationSeconds, photo.takenAt, photo.dateSource], ['video', 7.5, '2020-05-17T09:30:00Z', 'quicktime']);
    assert.equal(store.faces.get(faceId!)!.timeSeconds, 4);
    assert.equal('timeSeconds' in store.faces.get(stillId!)!, false, 'a face of a still has no time');
    assert.deepEqual(store.faces.list({ photoId: id }).map((f) => f.timeSeconds), [4, undefined]);
    // A rescan of unchanged content that learns nothing new keeps what analysis found.
    store.photos.upsert({ rootId: root.id, path: photoPath('clip.mp4'), size: 10, mtimeMs: 1, contentHash: 'h' });
    assert.deepEqual([store.photos.get(id)!.kind, store.photos.get(id)!.durationSeconds, store.photos.get(id)!.dateSource], ['video', 7.5, 'quicktime']);
    store.faces.delete([faceId!]);
    assert.equal(store.faces.get(faceId!), undefined);
  });

  it('refuses an unknown date source or kind', () => {
    const store = createTestStore();
    const root = store.roots.add('/photos');
    assert.throws(() => store.photos.upsert({ rootId: root.id, path: photoPath('x.jpg'), size: 1, mtimeMs: 1, contentHash: 'h', takenAt: '2020-01-01T00:00:00', dateSource: 'guess' as never }), /CHECK/);
    assert.throws(() => store.photos.upsert({ rootId: root.id, path: photoPath('y.jpg'), size: 1, mtimeMs: 1, contentHash: 'h', kind: 'audio' as never }), /CHECK/);
  });
});
