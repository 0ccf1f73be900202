/** Migration 4: libraries scanned before int8 became the default keep fp32; new ones and chosen settings are left alone. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SETTING_KEYS } from '../core/settingKeys.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

function libraryAtVersion3(faces: number): Database.Database {
  const db = new Database(':memory:');
  migrate(db, ':memory:', MIGRATIONS.slice(0, 3));
  db.prepare(`INSERT INTO library_roots (id, path, added_at) VALUES (1, '/photos', 0)`).run();
  db.prepare(`INSERT INTO photos (id, root_id, path, size, mtime_ms, status, scanned_at) VALUES (1, 1, '/photos/a.jpg', 1, 0, 'ok', 0)`).run();
  for (let i = 1; i <= faces; i++) {
    db.prepare(`INSERT INTO faces (id, photo_id, box_x, box_y, box_w, box_h, score, source, created_at) VALUES (?, 1, 0, 0, 10, 10, 0.9, 'detected', 0)`).run(i);
    db.prepare(`INSERT INTO embeddings (face_id, model_id, vector, created_at) VALUES (?, 'dlib-resnet', ?, 0)`).run(i, Buffer.alloc(512));
  }
  return db;
}

const precisionSetting = (db: Database.Database) =>
  (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(SETTING_KEYS.precision) as string | undefined);

describe('migration 4: existing libraries keep fp32', () => {
  it('a library with faces is pinned to fp32', () => {
    const db = libraryAtVersion3(2);
    migrate(db, ':memory:', MIGRATIONS.slice(0, 4));
    assert.equal(precisionSetting(db), '"fp32"');
    db.close();
  });

  it('a library without faces starts on the default', () => {
    const db = libraryAtVersion3(0);
    migrate(db, ':memory:', MIGRATIONS.slice(0, 4));
    assert.equal(precisionSetting(db), undefined);
    db.close();
  });

  it("the owner's choice stays", () => {
    const db = libraryAtVersion3(1);
    db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, '"int8"', 0)`).run(SETTING_KEYS.precision);
    migrate(db, ':memory:', MIGRATIONS.slice(0, 4));
    assert.equal(precisionSetting(db), '"int8"');
    db.close();
  });
});
